package storage_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/jmoiron/sqlx"
)

// seededStore opens the database HEARTH_SEEDED_DATABASE_URL names, one
// `hearth bench seed` filled (docs/benchmarks.md); the benchmark is
// skipped without it. Benchmarks change that database.
func seededStore(b *testing.B) *storage.Store {
	url := os.Getenv("HEARTH_SEEDED_DATABASE_URL")
	if url == "" {
		b.Skip("HEARTH_SEEDED_DATABASE_URL names no seeded database")
	}
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return storage.New(db)
}

// BenchmarkEraseSeededMember forgets the seeded community's busiest
// member left (the lowest id), again and again, one after another
// (/forgetme): each has thousands of activities, an identity, and most
// a customer and orders.
func BenchmarkEraseSeededMember(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	admit := func([]community.Sanction) error { return nil }
	timed(b, 1, func() {
		var member int64
		if err := s.DB().Get(&member, `SELECT min(id) FROM members`); err != nil {
			b.Fatal(err)
		}
		if err := s.EraseMember(ctx, community.Erasure{Member: community.MemberID(member), At: time.Now()}, admit); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkRecomputeSeeded is the recurring standings recompute on the
// seeded community: before each run, 100,000 new activities (10 minutes
// of a busy community) from members drawn in proportion to what they
// wrote, recorded as the inbox records them (untimed); then the run,
// clocked ten minutes later each time. It reports the members rescored
// and standings rewritten, the write-ahead log the run wrote, and the
// largest heap Hearth held. The first run after seeding or a change of
// rules rescores everyone: run it once before (-benchtime 1x) to time it
// alone.
func BenchmarkRecomputeSeeded(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	var now time.Time
	if err := s.DB().Get(&now, `SELECT COALESCE((SELECT computed_at FROM standings_state), max(at)) FROM activities`); err != nil {
		b.Fatal(err)
	}
	standings := community.NewStandings(s, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(),
		func() time.Time { return now })
	var took []time.Duration
	var rescored, rewrote, wal, peak float64
	for b.Loop() {
		b.StopTimer()
		now = now.Add(10 * time.Minute)
		if _, err := s.DB().ExecContext(ctx, newActivitiesSQL, now, 100_000); err != nil {
			b.Fatal(err)
		}
		var marked int
		var before string
		if err := s.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM standings_dirty), pg_current_wal_lsn()::text`).Scan(&marked, &before); err != nil {
			b.Fatal(err)
		}
		stop := sampleHeap(&peak)
		b.StartTimer()
		start := time.Now()
		if _, err := standings.Recompute(ctx); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		b.StopTimer()
		stop()
		var bytes float64
		var changed int
		if err := s.DB().QueryRowContext(ctx, `
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn), (SELECT count(*) FROM member_standings WHERE computed_at = $2)`,
			before, now).Scan(&bytes, &changed); err != nil {
			b.Fatal(err)
		}
		rescored, rewrote, wal = rescored+float64(marked), rewrote+float64(changed), wal+bytes
		b.StartTimer()
	}
	n := float64(len(took))
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "max-ms")
	b.ReportMetric(rescored/n, "marked/run")
	b.ReportMetric(rewrote/n, "rewritten/run")
	b.ReportMetric(wal/n/1e6, "WAL-MB/run")
	b.ReportMetric(peak/1e6, "peak-heap-MB")
}

// sampleHeap records the largest heap in use in *peak until stop is
// called.
func sampleHeap(peak *float64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			*peak = max(*peak, float64(m.HeapInuse))
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// BenchmarkCommandsSeeded times what /top, /whois and /purge read on the
// seeded community: the leaderboard, the busiest member's profile, and
// the last 100 messages of a group from the one replied to (200 numbered
// messages are written into the busiest group first, as a platform
// numbers them).
func BenchmarkCommandsSeeded(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	var chat, member int64
	var now time.Time
	if err := s.DB().QueryRowContext(ctx, `
SELECT (SELECT chat_id FROM chat_activity_days GROUP BY chat_id ORDER BY sum(n) DESC LIMIT 1),
       (SELECT member_id FROM member_standings ORDER BY points DESC LIMIT 1), max(at)
FROM activities`).Scan(&chat, &member, &now); err != nil {
		b.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `
INSERT INTO activities (member_id, chat_id, kind, at, message_id)
SELECT $1, $2, 'message', $3::timestamptz + i * interval '1 second', (9000000000 + i)::text
FROM generate_series(1, 200) i WHERE NOT EXISTS (SELECT 1 FROM activities WHERE chat_id = $2 AND message_id = '9000000001')`,
		member, chat, now); err != nil {
		b.Fatal(err)
	}
	b.Run("top", func(b *testing.B) {
		timed(b, 1, func() {
			if top, err := s.Leaderboard(ctx, 10); err != nil || len(top) != 10 {
				b.Fatalf("/top: %d, %v", len(top), err)
			}
		})
	})
	b.Run("whois", func(b *testing.B) {
		timed(b, 1, func() {
			if _, err := s.ProfileFacts(ctx, community.ProfileQuery{Member: community.MemberID(member), Now: now, Recent: 5}); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("purge", func(b *testing.B) {
		timed(b, 1, func() {
			if ids, err := s.MessagesFrom(ctx, community.ChatID(chat), "9000000101", 100); err != nil || len(ids) != 100 {
				b.Fatalf("/purge: %d messages, %v", len(ids), err)
			}
		})
	})
}
