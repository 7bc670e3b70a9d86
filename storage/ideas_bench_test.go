package storage_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

// ideasBenchSetup makes the ideas benchmarks' community in SQL: 100,000
// members on Telegram (half with a private chat open), 30,000 of them
// linked to customers with CLV snapshots (a tenth without a prediction),
// two orders each (one older than a year, some refunded), standings in
// every tier; 10,000 items, and 1,000,000 votes: item 1 has the first
// 10,000 members' votes, the others from 1 to 198 each. $1 is the time
// now.
var ideasBenchSetup = []string{
	`INSERT INTO members (display_name, created_at) SELECT 'Member ' || i, $1 FROM generate_series(1, 100000) i`,
	`INSERT INTO identities (platform, platform_user_id, member_id, username) SELECT 'telegram', (10000000 + i)::text, i, 'm' || i FROM generate_series(1, 100000) i`,
	`INSERT INTO chats (platform, platform_chat_id, kind) SELECT 'telegram', (10000000 + i)::text, 'direct' FROM generate_series(1, 100000, 2) i`,
	`INSERT INTO customers (id, member_id, linked_at, linked_via) SELECT 'c' || i, i * 3, $1, 'token' FROM generate_series(1, 30000) i`,
	`INSERT INTO clv_models (computed_at, observation_end, period, customers, bgnbd, gammagamma) VALUES (now() - interval '1 day', $1, 'week', 30000, '{}', '{}')`,
	`INSERT INTO clv_snapshots (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
	        predicted_clv, p_alive, expected_purchases, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, computed_at)
	 SELECT 'c' || i, (SELECT max(id) FROM clv_models), 2, $1, $1, 100, 50 + i % 97,
	        CASE WHEN i % 10 = 0 THEN NULL ELSE 10 + (i * 7919) % 1000 END, 0.8, 1, 3, 3, 3, 'Loyal', $1
	 FROM generate_series(1, 30000) i`,
	`INSERT INTO orders (id, customer_id, ordered_at, amount, refunded, status, source)
	 SELECT 'o' || i || '-' || k, 'c' || i, $1::timestamptz - (CASE WHEN k = 1 THEN interval '30 days' ELSE interval '500 days' END),
	        20 + i % 50, CASE WHEN i % 9 = 0 THEN 5 ELSE 0 END, CASE WHEN i % 13 = 0 THEN 'refunded' ELSE 'paid' END, 'csv'
	 FROM generate_series(1, 30000) i, generate_series(1, 2) k`,
	`INSERT INTO member_standings (member_id, tier, priority, value_percentile, score_log, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
	 SELECT i, (ARRAY['newcomer','regular','regular','loyal','vip'])[1 + i % 5], 0, 0, 0, 0, 2, 0, 0, 0, $1 FROM generate_series(1, 100000) i`,
	`INSERT INTO outbox_events (kind, payload, status, created_at, rendered_at)
	 SELECT 'feedback.posted', jsonb_build_object('item', i), 'rendered', $1, $1 FROM generate_series(1, 10000) i`,
	`INSERT INTO feedback_items (member_id, kind, title, body, language, platform, status, created_at, changed_at, post_event, refreshed_at)
	 SELECT 1 + (i * 7919) % 100000, 'idea', 'Idea ' || i || ': ' || (ARRAY['a dark mode for the app', 'faster shipping', 'gift cards', 'tea samplers', 'a loyalty card'])[1 + i % 5],
	        '', 'en', 'telegram',
	        CASE WHEN i = 1 THEN 'open' ELSE (ARRAY['open','open','open','open','open','under_review','planned','in_progress','done','declined'])[1 + i % 10] END,
	        $1::timestamptz - i * interval '1 minute', $1::timestamptz - i * interval '1 minute', i, $1::timestamptz - interval '1 hour'
	 FROM generate_series(1, 10000) i`,
	`INSERT INTO feedback_votes (item_id, member_id, at) SELECT 1, m, $1 FROM generate_series(1, 10000) m`,
	`INSERT INTO feedback_votes (item_id, member_id, at)
	 SELECT i, 1 + (i * 104729 + k * 7919) % 100000, $1
	 FROM generate_series(2, 10000) i, generate_series(1, 198) k WHERE k <= 1 + (i * 7) % 198`,
	`UPDATE feedback_items i SET votes = v.n FROM (SELECT item_id, count(*) AS n FROM feedback_votes GROUP BY item_id) v WHERE v.item_id = i.id`,
	`VACUUM ANALYZE`,
	`CHECKPOINT`,
}

// ideasBench makes the community once for all of BenchmarkIdeas' parts.
func ideasBench(b *testing.B, now time.Time) *sqlx.DB {
	b.Helper()
	db := storagetest.New(b)
	ctx := context.Background()
	start := time.Now()
	for _, q := range ideasBenchSetup {
		var args []any
		if strings.Contains(q, "$1") {
			args = []any{now}
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	var votes int
	if err := db.GetContext(ctx, &votes, `SELECT count(*) FROM feedback_votes`); err != nil {
		b.Fatal(err)
	}
	b.Logf("10,000 items, %d votes, 100,000 members made in %s", votes, time.Since(start).Round(time.Millisecond))
	// Commit as production does, waiting for the disk (storagetest's
	// databases do not): the connections made from now on.
	if _, err := db.ExecContext(ctx, `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit TO on', current_database()); END $$`); err != nil {
		b.Fatal(err)
	}
	db.SetMaxIdleConns(0)
	db.SetMaxIdleConns(storage.DefaultPoolOptions.MaxIdleConns)
	var sync string
	if err := db.GetContext(ctx, &sync, `SHOW synchronous_commit`); err != nil || sync != "on" {
		b.Fatalf("synchronous_commit %q, %v", sync, err)
	}
	return db
}

// BenchmarkIdeas measures the board on 10,000 items with about 1,000,000
// votes: the first page of /ideas value and of /ideas top (targets 100
// ms), a vote press (p99 under 10 ms), a status change of the item with
// 10,000 voters (under 1 s) and queueing its 10,000 members' notices.
func BenchmarkIdeas(b *testing.B) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	db := ideasBench(b, now)
	s := storage.New(db)
	ctx := context.Background()
	lister := feedback.NewLister(s, func() time.Time { return now })
	// The voters are valued (and each item's worth summed) when the value
	// view first finds the valuation stale: once a day and after each
	// CLV run.
	b.Run("revalue", func(b *testing.B) {
		for b.Loop() {
			if err := s.RevalueItems(ctx, now.Add(-feedback.Year)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("value", func(b *testing.B) {
		timed(b, 50, func() {
			if p, err := lister.Valued(ctx, 0); err != nil || len(p.Items) != feedback.PageSize {
				b.Fatalf("value: %d items, %v", len(p.Items), err)
			}
		})
	})
	b.Run("top", func(b *testing.B) {
		timed(b, 50, func() {
			if p, err := lister.List(ctx, feedback.ViewTop, 1, 0); err != nil || len(p.Items) != feedback.PageSize {
				b.Fatalf("top: %d items, %v", len(p.Items), err)
			}
		})
	})
	b.Run("vote", func(b *testing.B) { benchVotes(b, s, now) })
	b.Run("status", func(b *testing.B) { benchStatusChange(b, s, now) })
}

// benchVotes presses Vote 2,000 times per iteration, on random items
// taking votes, as random members (the board's read of the item, then
// the store's press), and reports the latency's p50 and p99.
func benchVotes(b *testing.B, s *storage.Store, now time.Time) {
	ctx := context.Background()
	var open []int64
	if err := s.DB().SelectContext(ctx, &open, `SELECT id FROM feedback_items WHERE status NOT IN ('merged', 'declined')`); err != nil {
		b.Fatal(err)
	}
	board := feedback.NewBoard(s, func() time.Time { return now }).Unpaced().Unpaced()
	rng := rand.New(rand.NewPCG(1, 2))
	timed(b, 2000, func() {
		item := feedback.ItemID(open[rng.IntN(len(open))])
		member := community.MemberID(1 + rng.IntN(100000))
		if _, err := board.Vote(ctx, item, member); err != nil {
			b.Fatal(err)
		}
	})
}

// timed runs f n times per iteration and reports its latency's p50, p99
// and max.
func timed(b *testing.B, n int, f func()) {
	var took []time.Duration
	for b.Loop() {
		for range n {
			start := time.Now()
			f()
			took = append(took, time.Since(start))
		}
	}
	slices.Sort(took)
	at := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1), "max-ms")
}

// benchStatusChange moves item 1 (10,000 voters) forward, then queues
// the notices of its 10,000 members; each iteration starts from open.
func benchStatusChange(b *testing.B, s *storage.Store, now time.Time) {
	ctx := context.Background()
	board := feedback.NewBoard(s, func() time.Time { return now })
	later := now.Add(time.Hour)
	notifier := feedback.NewNotifier(s, feedback.DefaultNoticeRules(), ideasMessaging, func() time.Time { return later })
	var change, queue time.Duration
	for b.Loop() {
		b.StopTimer()
		if _, err := s.DB().ExecContext(ctx, `UPDATE feedback_items SET status = 'open' WHERE id = 1; DELETE FROM feedback_changes`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		c, err := board.Move(ctx, 1, feedback.StatusPlanned, "In the spring release", 0)
		if err != nil || c.Told < 9900 { // the vote part withdrew a few of its votes
			b.Fatalf("told %d, %v", c.Told, err)
		}
		change += time.Since(start)
		start = time.Now()
		n, err := notifier.QueueDue(ctx)
		if err != nil || n != c.Told {
			b.Fatalf("queued %d, %v; want %d", n, err, c.Told)
		}
		queue += time.Since(start)
	}
	b.ReportMetric(float64(change.Milliseconds())/float64(b.N), "change-ms")
	b.ReportMetric(float64(queue.Milliseconds())/float64(b.N), "queue-ms")
}
