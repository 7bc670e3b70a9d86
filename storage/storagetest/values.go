package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// SetValues links each member to a shop customer of its own ("cust-<id>")
// and stores a CLV run in which that customer has the given historical
// and predicted CLV, two orders and P(alive) 0.9: what tiers are decided
// from, without importing orders. A second call replaces the run.
func SetValues(t testing.TB, db *sqlx.DB, values map[int64]float64) {
	t.Helper()
	now := time.Now().UTC()
	tx := db.MustBegin()
	defer tx.Rollback()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := tx.Exec(q, args...); err != nil {
			t.Fatalf("set values: %s: %v", q, err)
		}
	}
	var model int64
	if err := tx.Get(&model, `INSERT INTO clv_models (computed_at, observation_end, period, customers, bgnbd, gammagamma)
		VALUES ($1, $1, 'week', $2, '{}', '{}') RETURNING id`, now, len(values)); err != nil {
		t.Fatalf("set values: %v", err)
	}
	exec(`DELETE FROM clv_snapshots`)
	for member, v := range values {
		id := fmt.Sprintf("cust-%d", member)
		exec(`INSERT INTO customers (id, member_id, linked_at, linked_via) VALUES ($1, $2, $3, 'token')
			ON CONFLICT (id) DO UPDATE SET member_id = EXCLUDED.member_id`, id, member, now)
		exec(`INSERT INTO orders (id, customer_id, ordered_at, amount, status, source) VALUES ($1 || '-1', $1, $2, $3, 'paid', 'csv'), ($1 || '-2', $1, $2, 0, 'paid', 'csv')
			ON CONFLICT (source, id) DO UPDATE SET amount = EXCLUDED.amount`, id, now.AddDate(0, -1, 0), v)
		exec(`INSERT INTO clv_snapshots (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
				predicted_clv, p_alive, expected_purchases, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, computed_at)
			VALUES ($1, $2, 2, $3, $3, $4, $4, $4, 0.9, 1, 3, 3, 3, 'Loyal', $5)`, id, model, now.AddDate(0, -1, 0), v, now)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("set values: %v", err)
	}
}
