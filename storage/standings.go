package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// engagementTotalsSQL sums every member's activities in one pass: the
// decayed score (an activity counts weight·e^(λ·age), age ≤ 0 in seconds),
// this week's ($9 on) and the four weeks before's ($10 to $9) weighted
// counts, loyalty points. Ages are floats, not intervals: over millions of
// rows, interval and numeric arithmetic cost several times more. Only the
// score uses the age: PostgreSQL computes it once per use, and date_part
// is the dearest part of the query.
const engagementTotalsSQL = `
WITH w AS (
    SELECT * FROM unnest($2::text[], $3::float8[], $4::float8[], $5::int[], $6::int[]) AS w(kind, weight, points, message, helpful)
), r AS (
    SELECT a.member_id, a.at, w.weight, w.points, w.message, w.helpful, date_part('epoch', a.at) - $7 AS age
    FROM activities a JOIN w ON w.kind = a.kind
    WHERE a.at <= $1 AND a.uncounted_xid IS NULL
), a AS (
    SELECT member_id,
           sum(weight * exp($8 * age)) AS score,
           max(at) FILTER (WHERE weight > 0) AS last_at,
           sum(weight) FILTER (WHERE at > $9) AS this_week,
           sum(weight) FILTER (WHERE at > $10 AND at <= $9) AS prev4,
           sum(points) AS points,
           sum(message) AS messages,
           sum(helpful) AS helpful
    FROM r GROUP BY member_id
)
SELECT m.id, m.created_at, COALESCE(a.score, 0) AS score, a.last_at,
       COALESCE(a.this_week, 0) AS this_week, COALESCE(a.prev4, 0) AS prev4, COALESCE(a.points, 0) AS points,
       COALESCE(a.messages, 0) AS messages, COALESCE(a.helpful, 0) AS helpful,
       s.tier, COALESCE(s.flags, 0) AS flags, COALESCE(mm.milestones, '{}') AS milestones
FROM members m
LEFT JOIN a ON a.member_id = m.id
LEFT JOIN member_standings s ON s.member_id = m.id
LEFT JOIN (SELECT member_id, array_agg(milestone ORDER BY reached_at, milestone) AS milestones
           FROM member_milestones GROUP BY member_id) mm ON mm.member_id = m.id
ORDER BY m.id`

// EngagementTotals implements community.StandingStore. It reads in one
// repeatable-read snapshot, which it returns: SaveStandings takes out
// what was uncounted after it.
func (s *Store) EngagementTotals(ctx context.Context, q community.EngagementQuery) ([]community.EngagementTotal, community.Snapshot, error) {
	var kinds []string
	var weights, points []float64
	var messages, helpful []int
	for _, k := range community.ActivityKinds {
		kinds, weights, points = append(kinds, string(k)), append(weights, q.Weight[k]), append(points, q.Points[k])
		messages = append(messages, oneIf(k == community.ActivityMessage || k == community.ActivityReply))
		helpful = append(helpful, oneIf(k == community.ActivityHelpfulAnswer))
	}
	epoch := float64(q.Now.UnixNano()) / 1e9
	const week = 7 * 24 * time.Hour
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, "", fmt.Errorf("engagement totals: %w", err)
	}
	defer tx.Rollback()
	// A bigger work_mem keeps the aggregation of a large community in memory.
	if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
		return nil, "", fmt.Errorf("engagement totals: %w", err)
	}
	var seen string
	if err := tx.GetContext(ctx, &seen, `SELECT CAST(pg_current_snapshot() AS text)`); err != nil {
		return nil, "", fmt.Errorf("engagement totals: %w", err)
	}
	rows, err := tx.QueryContext(ctx, engagementTotalsSQL, q.Now, pq.Array(kinds), pq.Array(weights), pq.Array(points),
		pq.Array(messages), pq.Array(helpful), epoch, q.Decay, q.Now.Add(-week), q.Now.Add(-5*week))
	if err != nil {
		return nil, "", fmt.Errorf("engagement totals: %w", err)
	}
	defer rows.Close()
	var out []community.EngagementTotal
	for rows.Next() {
		var t community.EngagementTotal
		var last sql.NullTime
		var tier sql.NullString
		var milestones pq.StringArray
		if err := rows.Scan(&t.Member, &t.Since, &t.Score, &last, &t.ThisWeek, &t.PrevFourWeeks, &t.ActivityPoints,
			&t.Messages, &t.Helpful, &tier, &t.PrevFlags, &milestones); err != nil {
			return nil, "", fmt.Errorf("engagement totals: %w", err)
		}
		t.LastActive, t.Milestones = last.Time, milestones
		if tier.Valid {
			t.Scored = true
			t.Previous, _ = community.ParseTier(tier.String)
		}
		out = append(out, t)
	}
	return out, community.Snapshot(seen), rows.Err()
}

const linkedValuesSQL = `
SELECT c.member_id, c.linked_via, v.orders, v.revenue, v.historical_clv, v.predicted_clv IS NOT NULL AS has_model,
       COALESCE(v.predicted_clv, 0) AS predicted, COALESCE(v.p_alive, 0) AS p_alive
FROM customers c JOIN clv_snapshots v ON v.customer_id = c.id
WHERE c.member_id IS NOT NULL`

// LinkedValues implements community.StandingStore.
func (s *Store) LinkedValues(ctx context.Context) ([]community.LinkedValue, error) {
	rows, err := s.db.QueryContext(ctx, linkedValuesSQL)
	if err != nil {
		return nil, fmt.Errorf("linked values: %w", err)
	}
	defer rows.Close()
	var out []community.LinkedValue
	for rows.Next() {
		var v community.LinkedValue
		if err := rows.Scan(&v.Member, &v.Via, &v.Orders, &v.Revenue, &v.Historical, &v.HasModel, &v.Predicted, &v.PAlive); err != nil {
			return nil, fmt.Errorf("linked values: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

var standingColumns = []string{"member_id", "tier", "flags", "priority", "value_percentile", "score",
	"engagement_percentile", "level", "last_active_at", "this_week", "prev_weekly", "points", "computed_at"}

// SaveStandings implements community.StandingStore: the standings are
// copied into a staging table and upserted, then corrected for
// activities uncounted after u.Seen; milestones and events go in the same
// transaction. Members erased meanwhile are skipped.
func (s *Store) SaveStandings(ctx context.Context, u community.StandingsUpdate) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE new_standings (LIKE member_standings) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("staging table: %w", err)
		}
		if err := copyStandings(ctx, tx, u.Standings); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
INSERT INTO member_standings SELECT n.* FROM new_standings n JOIN members m ON m.id = n.member_id
ON CONFLICT (member_id) DO UPDATE SET
    tier = EXCLUDED.tier, flags = EXCLUDED.flags, priority = EXCLUDED.priority, value_percentile = EXCLUDED.value_percentile,
    score = EXCLUDED.score, engagement_percentile = EXCLUDED.engagement_percentile, level = EXCLUDED.level,
    last_active_at = EXCLUDED.last_active_at, this_week = EXCLUDED.this_week, prev_weekly = EXCLUDED.prev_weekly,
    points = EXCLUDED.points, computed_at = EXCLUDED.computed_at`); err != nil {
			return fmt.Errorf("save standings: %w", err)
		}
		if err := takeOutUncountedSince(ctx, tx, u.Query, u.Seen); err != nil {
			return err
		}
		if err := saveMilestones(ctx, tx, u.Milestones, u.At); err != nil {
			return err
		}
		return copyEvents(ctx, tx, u.Events)
	})
}

func copyStandings(ctx context.Context, tx *sqlx.Tx, standings []community.MemberStanding) error {
	stmt, err := tx.PrepareContext(ctx, "COPY new_standings ("+strings.Join(standingColumns, ", ")+") FROM STDIN")
	if err != nil {
		return fmt.Errorf("copy standings: %w", err)
	}
	defer stmt.Close()
	for _, m := range standings {
		e := m.Engagement
		if _, err := stmt.ExecContext(ctx, int64(m.Member), m.Tier.String(), int16(m.Flags), m.Priority, m.Value, e.Score,
			e.Percentile, e.Level, nullTime(e.LastActive), e.ThisWeek, e.PrevWeekly, m.Points, m.ComputedAt); err != nil {
			return fmt.Errorf("copy standing of member %d: %w", m.Member, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy standings: %w", err)
	}
	return nil
}

func saveMilestones(ctx context.Context, tx *sqlx.Tx, reached []community.MilestoneReached, at time.Time) error {
	if len(reached) == 0 {
		return nil
	}
	var members []int64
	var names []string
	for _, r := range reached {
		members, names = append(members, int64(r.Member)), append(names, r.Milestone)
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO member_milestones (member_id, milestone, reached_at)
SELECT t.m, t.n, $3 FROM unnest($1::bigint[], $2::text[]) AS t(m, n) JOIN members ON members.id = t.m
ON CONFLICT DO NOTHING`, pq.Array(members), pq.Array(names), at)
	if err != nil {
		return fmt.Errorf("save milestones: %w", err)
	}
	return nil
}

const memberStandingSQL = `
SELECT tier, flags, priority, value_percentile, score, engagement_percentile, level, last_active_at,
       this_week, prev_weekly, points, computed_at,
       COALESCE((SELECT array_agg(milestone ORDER BY reached_at, milestone) FROM member_milestones WHERE member_id = $1), '{}')
FROM member_standings WHERE member_id = $1`

// MemberStanding implements community.StandingStore.
func (s *Store) MemberStanding(ctx context.Context, member community.MemberID) (community.MemberStanding, error) {
	out, scored, err := readMemberStanding(ctx, s.db, member)
	if err == nil && !scored {
		return out, community.NotScored(member)
	}
	return out, err
}

// readMemberStanding reads the member's standing as last computed, in q's
// transaction or outside one; scored is false before the first
// computation.
func readMemberStanding(ctx context.Context, q sqlx.QueryerContext, member community.MemberID) (out community.MemberStanding, scored bool, err error) {
	out = community.MemberStanding{Standing: community.Standing{Member: member}}
	var tier string
	var last sql.NullTime
	var milestones pq.StringArray
	e := &out.Engagement
	err = q.QueryRowxContext(ctx, memberStandingSQL, member).Scan(&tier, &out.Flags, &out.Priority, &out.Value, &e.Score,
		&e.Percentile, &e.Level, &last, &e.ThisWeek, &e.PrevWeekly, &out.Points, &out.ComputedAt, &milestones)
	if err == sql.ErrNoRows {
		return out, false, nil
	}
	if err != nil {
		return out, false, fmt.Errorf("standing of member %d: %w", member, err)
	}
	out.Tier, _ = community.ParseTier(tier)
	e.LastActive, out.Milestones = last.Time, milestones
	return out, true, nil
}

func oneIf(b bool) int {
	if b {
		return 1
	}
	return 0
}

const memberPurchasesSQL = `
SELECT c.linked_via, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid') AS paid_orders
FROM customers c WHERE c.member_id = $1`

// MemberPurchases returns how member is linked to a shop customer and the
// customer's paid orders to date; a member linked to none has none.
func (s *Store) MemberPurchases(ctx context.Context, member community.MemberID) (community.Purchases, error) {
	var p community.Purchases
	err := s.db.QueryRowContext(ctx, memberPurchasesSQL, int64(member)).Scan(&p.Via, &p.PaidOrders)
	if errors.Is(err, sql.ErrNoRows) {
		return community.Purchases{}, nil
	}
	if err != nil {
		return p, fmt.Errorf("purchases of member %d: %w", member, err)
	}
	return p, nil
}

// VerifiedBuyer implements community.OnboardingStore and the chat layer's
// CommunityStore by community.Purchases.VerifiedBuyer.
func (s *Store) VerifiedBuyer(ctx context.Context, member community.MemberID) (bool, error) {
	p, err := s.MemberPurchases(ctx, member)
	if err != nil {
		return false, fmt.Errorf("is member %d a verified buyer: %w", member, err)
	}
	return p.VerifiedBuyer(), nil
}

// Leaderboard implements the chat layer's CommunityStore: the most engaged members,
// by engagement score.
func (s *Store) Leaderboard(ctx context.Context, limit int) ([]community.LeaderboardEntry, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT m.id, m.display_name, s.score, s.level, s.points, s.computed_at
FROM member_standings s JOIN members m ON m.id = s.member_id
WHERE NOT m.hide_from_top AND s.score > 0
ORDER BY s.score DESC, m.id
LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	defer rows.Close()
	var out []community.LeaderboardEntry
	for rows.Next() {
		var e community.LeaderboardEntry
		if err := rows.Scan(&e.Member, &e.DisplayName, &e.Score, &e.Level, &e.Points, &e.ComputedAt); err != nil {
			return nil, fmt.Errorf("leaderboard: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// HideFromLeaderboard implements the chat layer's CommunityStore.
func (s *Store) HideFromLeaderboard(ctx context.Context, member community.MemberID, hide bool) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE members SET hide_from_top = $2, updated_at = now() WHERE id = $1`, member, hide); err != nil {
		return fmt.Errorf("hide member %d from /top: %w", member, err)
	}
	return nil
}

// PrivateChatOpen implements community.PrivateChats: the account has a
// private chat with Hearth that Hearth was not removed from. It holds
// where members open private chats, whose id is then the member's.
func (s *Store) PrivateChatOpen(ctx context.Context, acct community.Account) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `
SELECT EXISTS (SELECT 1 FROM chats WHERE platform = $1 AND kind = 'direct' AND platform_chat_id = $2 AND removed_at IS NULL)`,
		acct.Platform, acct.UserID)
	if err != nil {
		return false, fmt.Errorf("private chat of %s: %w", acct, err)
	}
	return ok, nil
}
