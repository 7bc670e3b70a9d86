package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/digest"
	"github.com/jmoiron/sqlx"
)

// liftFactsSQL reads every customer with a purchase up to $1, counted as
// the CLV engine counts them (ordersForCLVSQL, clv.IsPurchase): a paid
// order not refunded in full (or free), net of refunds, the larger of
// the order's own and those its source reported apart. With it, the
// member's level, the predicted CLV, and for a member when they joined
// and their spend in the $2 seconds before joining and from joining.
//
// A member joined when first seen: the earlier of the member's creation
// and the first sighting of any of their accounts (the same moment for a
// member made on first sight; imported or seeded data may set them
// apart).
//
// spend reads every order once, by hash; the windows look up only the
// members' orders, by orders_customer. The rows come in customer id
// order, so that the same data give the same bootstrap.
const liftFactsSQL = `
WITH spend AS (
    SELECT o.customer_id, sum(o.amount - GREATEST(o.refunded, COALESCE(r.total, 0))) AS revenue,
           min(o.ordered_at) AS first_order
    FROM orders o
    LEFT JOIN (SELECT source, order_id, sum(amount) AS total FROM refunds GROUP BY source, order_id) r
           ON r.source = o.source AND r.order_id = o.id
    WHERE o.status = 'paid' AND o.ordered_at <= $1
      AND (o.amount = 0 OR o.amount > GREATEST(o.refunded, COALESCE(r.total, 0)))
    GROUP BY o.customer_id
), joined AS MATERIALIZED (
    SELECT c.id AS customer_id, c.member_id, LEAST(m.created_at, min(i.first_seen_at)) AS joined_at
    FROM customers c
    JOIN members m ON m.id = c.member_id
    LEFT JOIN identities i ON i.member_id = m.id
    GROUP BY c.id, m.created_at
), windows AS (
    SELECT j.customer_id, j.member_id, j.joined_at, w.before, w.after
    FROM joined j, LATERAL (
        SELECT sum(p.net) FILTER (WHERE p.ordered_at < j.joined_at) AS before,
               sum(p.net) FILTER (WHERE p.ordered_at >= j.joined_at) AS after
        FROM (SELECT o.ordered_at, o.amount, o.amount - GREATEST(o.refunded, r.total) AS net
              FROM orders o,
                   LATERAL (SELECT COALESCE(sum(amount), 0) AS total FROM refunds WHERE source = o.source AND order_id = o.id) r
              WHERE o.customer_id = j.customer_id AND o.status = 'paid' AND o.ordered_at <= $1
                AND o.ordered_at >= j.joined_at - make_interval(secs => $2)
                AND o.ordered_at < j.joined_at + make_interval(secs => $2)) p
        WHERE p.amount = 0 OR p.net > 0) w
)
SELECT w.customer_id IS NOT NULL AS in_community, COALESCE(ms.level, 0) AS level,
       CAST(s.revenue AS double precision), s.first_order, cs.predicted_clv, w.joined_at,
       CAST(COALESCE(w.before, 0) AS double precision), CAST(COALESCE(w.after, 0) AS double precision)
FROM spend s
LEFT JOIN windows w ON w.customer_id = s.customer_id
LEFT JOIN member_standings ms ON ms.member_id = w.member_id
LEFT JOIN clv_snapshots cs ON cs.customer_id = s.customer_id
ORDER BY s.customer_id COLLATE "C"`

// LiftFacts reads what the lift report is built from, as of asOf.
func (s *Store) LiftFacts(ctx context.Context, asOf time.Time) (digest.LiftFacts, error) {
	f := digest.LiftFacts{AsOf: asOf}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		// Every order is aggregated by customer: in memory, and not
		// worth compiling (JIT costs more than it saves here).
		if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '128MB'; SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("lift facts work memory: %w", err)
		}
		rows, err := tx.QueryContext(ctx, liftFactsSQL, asOf, digest.JoinWindow.Seconds())
		if err != nil {
			return fmt.Errorf("lift facts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c digest.LiftCustomer
			var predicted sql.NullFloat64
			var joined sql.NullTime
			if err := rows.Scan(&c.InCommunity, &c.Level, &c.Revenue, &c.FirstOrder, &predicted, &joined, &c.Before, &c.After); err != nil {
				return fmt.Errorf("lift facts: %w", err)
			}
			c.Predicted, c.HasPrediction = predicted.Float64, predicted.Valid
			c.Joined = joined.Time
			f.Customers = append(f.Customers, c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("lift facts: %w", err)
		}
		return nil
	})
	if err != nil {
		return digest.LiftFacts{}, err
	}
	return f, nil
}
