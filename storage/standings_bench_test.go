package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// standingsBenchSetup makes BenchmarkRecomputeStandings' community in
// SQL: 100,000 members, 10,000,000 activities over 90 days, and 20,000
// linked customers with CLV snapshots. $1, where used, is the time now.
var standingsBenchSetup = []string{
	`INSERT INTO members (display_name, created_at) SELECT 'Member ' || i, $1::timestamptz - interval '120 days' * random() FROM generate_series(1, 100000) i`,
	`INSERT INTO activities (member_id, kind, at)
	 SELECT 1 + floor(random() * random() * 100000)::int,
	        (ARRAY['message','message','message','reply','reaction','reaction_received','thread_started','vote','idea','helpful_answer'])[1 + floor(random() * 10)::int],
	        $1::timestamptz - interval '90 days' * random()
	 FROM generate_series(1, 10000000)`,
	`INSERT INTO customers (id, member_id, linked_at, linked_via) SELECT 'c' || i, i * 5, $1, 'token' FROM generate_series(1, 20000) i`,
	`INSERT INTO clv_models (computed_at, observation_end, period, customers, bgnbd, gammagamma) VALUES ($1, $1, 'week', 20000, '{}', '{}')`,
	`INSERT INTO clv_snapshots (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
	        predicted_clv, p_alive, expected_purchases, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, computed_at)
	 SELECT 'c' || i, (SELECT max(id) FROM clv_models), 1 + (i % 7), $1, $1, 50 * random() * (1 + i % 7), 20 * random() * (1 + i % 7),
	        100 * random(), random(), random() * 3, 3, 3, 3, 'Potential Loyalists', $1
	 FROM generate_series(1, 20000) i`,
	// Settle the data as a live community's is: vacuumed (hint bits
	// and visibility map set) and written out. Otherwise the first run
	// pays for the bulk load, rewriting every page it reads while the
	// checkpointer flushes gigabytes.
	`VACUUM ANALYZE`,
	`CHECKPOINT`,
}

// BenchmarkRecomputeStandings recomputes engagement, tiers, points and
// milestones for 100,000 members with 10,000,000 activities over 90 days,
// 20,000 of them linked to scored customers: the scheduled job's whole
// work, read, decided and saved, as it recurs every 10 minutes with
// 10,000 new activities each time (recorded before the timer; the first
// run, which gives everyone a first tier, is reported as first-run-s).
// The data is made by SQL before the timer.
func BenchmarkRecomputeStandings(b *testing.B) {
	db := storagetest.New(b)
	s := storage.New(db)
	ctx := context.Background()
	const members, activities, customers = 100_000, 10_000_000, 20_000
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, q := range standingsBenchSetup {
		args := []any{now}
		if !strings.Contains(q, "$1") {
			args = nil
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	standings := community.NewStandings(s, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(), func() time.Time { return now })
	// The first run gives every member a first tier (an event each, for
	// the perks) and their first milestones: reported apart.
	start := time.Now()
	changed, err := standings.Recompute(ctx)
	if err != nil || changed != members {
		b.Fatalf("first run: %d changes, %v; want one per member", changed, err)
	}
	firstRun := time.Since(start)
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM outbox_events WHERE kind = 'tier.changed' AND payload->>'first' = 'true'`); err != nil || n != members {
		b.Fatalf("%d first tier events, %v; want one per member", n, err)
	}
	var reached, congratulated int
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM member_milestones), (SELECT count(*) FROM outbox_events WHERE kind = 'milestone.reached')`).Scan(&reached, &congratulated)
	if err != nil || reached == 0 || congratulated != reached {
		b.Fatalf("%d milestones, %d milestone events, %v; want the first ones, an event each", reached, congratulated, err)
	}
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM activities`); err != nil || n != activities {
		b.Fatalf("%d activities, %v", n, err)
	}
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM member_standings WHERE tier <> 'newcomer' AND tier <> 'regular'`); err != nil || n < customers/10 {
		b.Fatalf("%d members above regular, %v", n, err)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		now = now.Add(10 * time.Minute)
		if _, err := db.ExecContext(ctx, newActivitiesSQL, now, 10_000); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := standings.Recompute(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(firstRun.Seconds(), "first-run-s") // after the loop: ResetTimer drops reported metrics
}

// newActivitiesSQL records $2 activities of the ten minutes before $1,
// by members drawn as the community's activity is (the busy more often).
const newActivitiesSQL = `
INSERT INTO activities (member_id, chat_id, kind, at)
SELECT a.member_id, a.chat_id, a.kind, $1::timestamptz - random() * interval '10 minutes'
FROM (SELECT member_id, chat_id, kind FROM activities TABLESAMPLE SYSTEM (2) WHERE member_id IS NOT NULL LIMIT $2) a`
