package storage

import (
	"context"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Messages automod removes stop counting: their activities are marked
// uncounted (kept, so that /purge and reports still find the messages),
// engagementTotalsSQL leaves them out, and a standing saved already is
// corrected at once by taking their share back out (takeOutSQL). Two
// moments need it: the automod action itself, for the standing saved
// before it; and the save of a recomputation that read the activities
// before the action committed (its snapshot does not see the action's
// transaction), which would otherwise save them counted.

// uncountSQL marks the member's activities of the messages as uncounted
// by this transaction.
const uncountSQL = `
UPDATE activities SET uncounted_at = now(), uncounted_xid = pg_current_xact_id()
WHERE member_id = $1 AND chat_id = $2 AND message_id = ANY($3) AND message_id <> '' AND uncounted_xid IS NULL`

// takeOutSQL subtracts from saved standings what the uncounted activities
// it selects (%s, a condition on a) added to them, as engagementTotalsSQL
// counted them at the standing's computed_at: the decayed score, this
// week's and the four weeks before's weighted counts, and the points
// (rounded: exact for whole points per activity).
const takeOutSQL = `
WITH w AS (
    SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[]) AS w(kind, weight, points)
), gone AS (
    SELECT s.member_id,
           sum(w.weight * exp($4 * (date_part('epoch', a.at) - date_part('epoch', s.computed_at)))) AS score,
           COALESCE(sum(w.weight) FILTER (WHERE a.at > s.computed_at - interval '7 days'), 0) AS this_week,
           COALESCE(sum(w.weight) FILTER (WHERE a.at > s.computed_at - interval '35 days'
                                           AND a.at <= s.computed_at - interval '7 days'), 0) AS prev4,
           sum(w.points) AS points
    FROM member_standings s
    JOIN activities a ON a.member_id = s.member_id AND a.at <= s.computed_at
    JOIN w ON w.kind = a.kind
    WHERE a.uncounted_xid IS NOT NULL AND %s
    GROUP BY s.member_id
)
UPDATE member_standings s
SET score = CASE WHEN s.score - g.score < 1e-9 THEN 0 ELSE s.score - g.score END, -- no rounding dust on /top
    this_week = greatest(0, s.this_week - g.this_week),
    prev_weekly = greatest(0, s.prev_weekly - g.prev4 / 4),
    points = greatest(0, s.points - CAST(round(g.points) AS bigint))
FROM gone g WHERE s.member_id = g.member_id`

// uncount makes a moderation change's messages earn nothing, and takes
// them out of the member's saved standing. The standing is locked first,
// so that a recomputation saving meanwhile either commits before (and is
// corrected here) or sees this transaction committed (and corrects
// itself).
func uncount(ctx context.Context, tx *sqlx.Tx, member community.MemberID, u *community.Uncounted) error {
	if u == nil || len(u.Messages) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM member_standings WHERE member_id = $1 FOR UPDATE`, int64(member)); err != nil {
		return fmt.Errorf("lock the standing of member %d: %w", member, err)
	}
	if _, err := tx.ExecContext(ctx, uncountSQL, int64(member), int64(u.Chat), pq.Array(u.Messages)); err != nil {
		return fmt.Errorf("uncount %d messages of member %d: %w", len(u.Messages), member, err)
	}
	return takeOut(ctx, tx, u.Scoring, `a.member_id = $5 AND a.uncounted_xid = pg_current_xact_id()`, int64(member))
}

// takeOut runs takeOutSQL on the uncounted activities where holds.
func takeOut(ctx context.Context, tx *sqlx.Tx, q community.EngagementQuery, where string, arg any) error {
	var kinds []string
	var weights, points []float64
	for _, k := range community.ActivityKinds {
		kinds, weights, points = append(kinds, string(k)), append(weights, q.Weight[k]), append(points, q.Points[k])
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(takeOutSQL, where), pq.Array(kinds), pq.Array(weights), pq.Array(points), q.Decay, arg); err != nil {
		return fmt.Errorf("take uncounted activities out of the standings: %w", err)
	}
	return nil
}

// takeOutUncountedSince corrects standings just saved from totals read at
// seen: activities uncounted by transactions that snapshot did not see
// were counted in them.
func takeOutUncountedSince(ctx context.Context, tx *sqlx.Tx, q community.EngagementQuery, seen community.Snapshot) error {
	if seen == "" {
		return nil
	}
	return takeOut(ctx, tx, q, `NOT pg_visible_in_snapshot(a.uncounted_xid, CAST($5 AS pg_snapshot))`, string(seen))
}
