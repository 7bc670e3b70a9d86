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

// scoreAsOfSQL is a standing's score (member_standings s) as of the last
// recomputation (standings_state st, when there was one): score_log keeps
// it at the start of time.
const scoreAsOfSQL = `CASE WHEN s.score_log IS NULL THEN 0
     WHEN s.score_log - COALESCE(st.decay * date_part('epoch', st.computed_at), 0) < -700 THEN 0
     ELSE exp(s.score_log - COALESCE(st.decay * date_part('epoch', st.computed_at), 0)) END`

// LinkedCustomers counts the customers linked to a member who have a CLV.
func (s *Store) LinkedCustomers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `
SELECT count(*) FROM customers c JOIN clv_snapshots v ON v.customer_id = c.id WHERE c.member_id IS NOT NULL`); err != nil {
		return 0, fmt.Errorf("count linked customers: %w", err)
	}
	return n, nil
}

// SaveStandings stores standings as given, with their milestones and
// events, in one transaction: what a member's standing is until the
// next recomputation decides it again. Members erased meanwhile are
// skipped.
func (s *Store) SaveStandings(ctx context.Context, u community.StandingsUpdate) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := createNewStandings(ctx, tx); err != nil {
			return err
		}
		if err := copyDecided(ctx, tx, u.Standings); err != nil {
			return err
		}
		var members []int64
		var scores []float64
		for _, m := range u.Standings {
			members, scores = append(members, int64(m.Member)), append(scores, m.Engagement.Score)
		}
		if _, err := tx.ExecContext(ctx, `
INSERT INTO member_standings (`+strings.Join(decidedColumns, ", ")+`, score_log)
SELECT n.*, CASE WHEN t.score > 0 THEN ln(t.score) + COALESCE((SELECT st.decay * date_part('epoch', st.computed_at) FROM standings_state st), 0) END
FROM new_standings n JOIN members m ON m.id = n.member_id
JOIN unnest($1::bigint[], $2::float8[]) AS t(member_id, score) ON t.member_id = n.member_id
ON CONFLICT (member_id) DO UPDATE SET `+strings.Join(assignments(standingValues), ", ")+`, computed_at = EXCLUDED.computed_at`,
			pq.Array(members), pq.Array(scores)); err != nil {
			return fmt.Errorf("save standings: %w", err)
		}
		if err := saveMilestones(ctx, tx, u.Milestones, u.At); err != nil {
			return err
		}
		return copyEvents(ctx, tx, u.Events)
	})
}

// saveMilestones records the milestones reached, skipping members erased
// meanwhile or being erased (their row locked: waiting for them could
// deadlock with the erasure, which waits for the standings saved).
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
SELECT t.m, t.n, $3 FROM unnest($1::bigint[], $2::text[]) AS t(m, n)
WHERE t.m IN (SELECT id FROM members WHERE id = ANY($1) ORDER BY id FOR KEY SHARE SKIP LOCKED)
ON CONFLICT DO NOTHING`, pq.Array(members), pq.Array(names), at)
	if err != nil {
		return fmt.Errorf("save milestones: %w", err)
	}
	return nil
}

const memberStandingSQL = `
SELECT s.tier, s.flags, s.priority, s.value_percentile, ` + scoreAsOfSQL + ` AS score, s.engagement_percentile, s.level,
       s.last_active_at, s.this_week, s.prev_weekly, s.points, COALESCE(st.computed_at, s.computed_at),
       COALESCE((SELECT array_agg(milestone ORDER BY reached_at, milestone) FROM member_milestones WHERE member_id = $1), '{}')
FROM member_standings s LEFT JOIN standings_state st ON true WHERE s.member_id = $1`

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
SELECT m.id, m.display_name, `+scoreAsOfSQL+` AS score, s.level, s.points, COALESCE(st.computed_at, s.computed_at)
FROM member_standings s JOIN members m ON m.id = s.member_id LEFT JOIN standings_state st ON true
WHERE NOT m.hide_from_top AND s.score_log IS NOT NULL
ORDER BY s.score_log DESC, m.id
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
