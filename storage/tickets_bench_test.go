package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/hearthbot/hearth/support"
)

// ticketsBenchSetup makes 10,000 members (a tenth of them ranked VIP, the
// rest Regulars) and 100,000 tickets over a year, 1,000 of them open.
var ticketsBenchSetup = []string{
	`INSERT INTO members (display_name, created_at) SELECT 'member ' || i, $1::timestamptz - interval '400 days' FROM generate_series(1, 10000) i`,
	`INSERT INTO member_standings (member_id, tier, priority, value_percentile, score_log, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
	 SELECT id, CASE WHEN id % 10 = 0 THEN 'vip' ELSE 'regular' END, id % 100, id % 100, 1, 50, 2, 0, 0, 0, $1 FROM members`,
	`INSERT INTO tickets (member_id, platform, text, opened_at, closed_at, urgency, first_response_due, resolution_due, tier)
	 SELECT 1 + i % 10000, 'telegram', 'question ' || i, $1::timestamptz - make_interval(mins => i * 5),
	        CASE WHEN i <= 1000 THEN NULL ELSE $1::timestamptz - make_interval(mins => i * 5 - 60) END,
	        CASE WHEN (1 + i % 10000) % 10 = 0 THEN 'high' ELSE 'low' END,
	        $1::timestamptz - make_interval(mins => i * 5 - 60), $1::timestamptz - make_interval(mins => i * 5 - 480),
	        CASE WHEN (1 + i % 10000) % 10 = 0 THEN 'vip' ELSE 'regular' END
	 FROM generate_series(1, 100000) i`,
	`VACUUM ANALYZE tickets`,
	`VACUUM ANALYZE members`,
	`VACUUM ANALYZE member_standings`,
}

// BenchmarkTicketQueue100k measures /tickets' queue (the first 10 of the
// open tickets in queue order) with 100,000 tickets of which 1,000 are
// open, reporting the 50th and 99th percentiles.
func BenchmarkTicketQueue100k(b *testing.B) {
	db := storagetest.New(b)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for _, q := range ticketsBenchSetup {
		var args []any
		if q[0] != 'V' {
			args = []any{now}
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	desk := support.NewDesk(storage.New(db), func() time.Time { return now })
	var took []time.Duration
	for b.Loop() {
		t0 := time.Now()
		list, err := desk.Queue(ctx, 0, 10)
		if err != nil || len(list) != 10 || list[0].Urgency != support.UrgencyHigh {
			b.Fatalf("queue: %d tickets, %v", len(list), err)
		}
		took = append(took, time.Since(t0))
	}
	slices.Sort(took)
	at := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))]) / 1e6 }
	b.ReportMetric(at(0.5), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
