package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
)

// worthSQL values members for the value view: predicted CLV, historical
// where there is none; whether they are VIPs; what they spent since SINCE
// (paid orders net of refunds: the larger of what the order says and the
// refunds its source reported on their own, as for CLV). WHERE chooses
// the members.
const worthSQL = `
SELECT m.id AS member_id, round(COALESCE(s.predicted_clv, s.historical_clv, 0)::numeric, 2) AS value,
       COALESCE(st.tier = 'vip', false) AS vip,
       COALESCE((SELECT sum(o.amount - GREATEST(o.refunded, COALESCE((SELECT sum(r.amount) FROM refunds r
                                                                      WHERE r.source = o.source AND r.order_id = o.id), 0)))
                 FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid' AND o.ordered_at >= SINCE), 0) AS revenue
FROM members m
LEFT JOIN customers c ON c.member_id = m.id
LEFT JOIN clv_snapshots s ON s.customer_id = c.id
LEFT JOIN member_standings st ON st.member_id = m.id
WHERE `

func worthOf(since, where string) string {
	return strings.Replace(worthSQL, "SINCE", since, 1) + where
}

// valueMemberSQL values member $2 the first time they vote, revenue
// counted since the valuation's ($1 when there has been none).
var valueMemberSQL = `INSERT INTO feedback_worth (member_id, value, vip, revenue)` +
	worthOf(`COALESCE((SELECT since FROM feedback_valuation), CAST($1 AS timestamptz))`,
		`m.id = $2 AND NOT EXISTS (SELECT 1 FROM feedback_worth w WHERE w.member_id = m.id)`) + `
ON CONFLICT (member_id) DO NOTHING`

// valueMember values a voter who has no worth yet.
func valueMember(ctx context.Context, tx *sqlx.Tx, v feedback.Vote) error {
	if _, err := tx.ExecContext(ctx, valueMemberSQL, v.At.Add(-feedback.Year), int64(v.Member)); err != nil {
		return fmt.Errorf("value member %d: %w", v.Member, err)
	}
	return nil
}

// valuationStaleSQL: the voters were never valued, valued for another
// year ($1, a day's difference), or before the latest CLV run.
const valuationStaleSQL = `
SELECT NOT EXISTS (
    SELECT 1 FROM feedback_valuation v
    WHERE abs(extract(epoch FROM v.since - CAST($1 AS timestamptz))) < 86400
      AND v.valued_at >= COALESCE((SELECT max(computed_at) FROM clv_models), '-infinity'))`

// revalueSQL values every voter again (revenue since $1), then sums each
// item's voters' worth again. The items are locked first (in id order,
// as a merge locks its two), as a vote locks its item before it values a
// new voter: so no vote is counted in the sum and again on top of it, nor
// left out, and a vote and the valuation never wait for each other in a
// circle (a deadlock).
var revalueSQL = []string{
	`SELECT count(*) FROM (SELECT id FROM feedback_items ORDER BY id FOR UPDATE) locked`,
	`INSERT INTO feedback_worth (member_id, value, vip, revenue)` +
		worthOf(`CAST($1 AS timestamptz)`, `m.id IN (SELECT member_id FROM feedback_votes WHERE member_id IS NOT NULL)`) + `
ON CONFLICT (member_id) DO UPDATE SET value = EXCLUDED.value, vip = EXCLUDED.vip, revenue = EXCLUDED.revenue
WHERE (feedback_worth.value, feedback_worth.vip, feedback_worth.revenue) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.vip, EXCLUDED.revenue)`,
	`UPDATE feedback_items i SET voters_value = a.value, voters_vips = a.vips, voters_revenue = a.revenue
FROM (` + itemWorthSQL + ` GROUP BY x.id) a
WHERE a.id = i.id AND (i.voters_value, i.voters_vips, i.voters_revenue) IS DISTINCT FROM (a.value, a.vips, a.revenue)`,
	`INSERT INTO feedback_valuation (since, valued_at) VALUES ($1, now())
ON CONFLICT (one) DO UPDATE SET since = EXCLUDED.since, valued_at = EXCLUDED.valued_at`,
}

// itemWorthSQL sums items' (x) votes and their voters' worth, to be
// grouped by x.id.
const itemWorthSQL = `
SELECT x.id, count(v.id) AS votes, COALESCE(sum(w.value), 0) AS value, count(*) FILTER (WHERE w.vip) AS vips,
       COALESCE(sum(w.revenue), 0) AS revenue
FROM feedback_items x LEFT JOIN feedback_votes v ON v.item_id = x.id LEFT JOIN feedback_worth w ON w.member_id = v.member_id`

// RevalueItems values every voter again, with their revenue since, and
// sums each item's voters' worth again: the value view does it when it
// finds the valuation stale (see ValuedItems), and every CLV run does it
// when it is done, so that staff rarely wait for it.
func (s *Store) RevalueItems(ctx context.Context, since time.Time) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, q := range revalueSQL {
			args := []any{since}
			if !strings.Contains(q, "$1") {
				args = nil
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("value the voters again: %w", err)
	}
	return nil
}

// valuedItemsSQL ranks the items taking votes by their voters' summed
// worth, kept on each item with its votes.
const valuedItemsSQL = `
SELECT ` + itemColumns + `, i.voters_value AS value, i.voters_revenue AS revenue, i.voters_vips AS vips
FROM ` + itemFrom + `
WHERE i.status NOT IN ('merged', 'declined', 'done')
ORDER BY i.voters_value DESC, i.votes DESC, i.id DESC
OFFSET $1 LIMIT $2`

// ValuedItems implements feedback.ListStore. The voters' worth summed on
// each item is what they were worth when last valued: when they first
// voted, and for every voter once a day and after each CLV run (the first
// look after either values them all again, which takes seconds on a
// large board).
func (s *Store) ValuedItems(ctx context.Context, since time.Time, offset, limit int) ([]feedback.ValuedItem, error) {
	var stale bool
	if err := s.db.GetContext(ctx, &stale, valuationStaleSQL, since); err != nil {
		return nil, fmt.Errorf("the voters' valuation: %w", err)
	}
	if stale {
		if err := s.RevalueItems(ctx, since); err != nil {
			return nil, err
		}
	}
	var rows []struct {
		itemRow
		Value   float64 `db:"value"`
		Revenue float64 `db:"revenue"`
		VIPs    int     `db:"vips"`
	}
	if err := s.db.SelectContext(ctx, &rows, valuedItemsSQL, offset, limit); err != nil {
		return nil, fmt.Errorf("items by their voters' value: %w", err)
	}
	out := make([]feedback.ValuedItem, len(rows))
	for i, r := range rows {
		out[i] = feedback.ValuedItem{Item: r.item(), Value: r.Value, VIPs: r.VIPs, Revenue: r.Revenue}
	}
	return out, nil
}
