package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Messages automod removes stop counting: their activities are marked
// uncounted (kept, so that /purge and reports still find them), and the
// trigger of migration 00029 takes them out of the daily rollups and
// marks the member to be rescored. The standing saved already is
// corrected at once: its score, trend and points are summed again from
// the rollups. A recomputation that read the rollups before the uncount
// and saves after it is corrected by the next one (the mark it read was
// renewed, so it stays).

// uncountSQL marks the member's activities of the messages as uncounted
// by this transaction.
const uncountSQL = `
UPDATE activities SET uncounted_at = now(), uncounted_xid = pg_current_xact_id()
WHERE member_id = $1 AND chat_id = $2 AND message_id = ANY($3) AND message_id <> '' AND uncounted_xid IS NULL`

// resumSQL sums the rollups of the members of the relation members
// (member_id, version) again as of day $7 (freshInputsSQL) and corrects
// their saved standings: score, trend and counts; the points lose what the
// activities taken out had earned (rounded: exact for whole points per
// activity).
func resumSQL(members string) string {
	return `
WITH f AS (` + fmt.Sprintf(freshInputsSQL, members) + `)
UPDATE member_standings s
SET score_log = f.score_log, this_week = f.this_week, prev_weekly = f.prev4 / 4, last_active_at = f.last_at,
    points = greatest(0, s.points - CAST(round(s.activity_points - f.activity_points) AS bigint)),
    activity_points = f.activity_points, messages = f.messages, helpful = f.helpful
FROM f WHERE s.member_id = f.member_id`
}

// uncount makes a moderation change's messages earn nothing, and takes
// them out of the member's saved standing. The standing is locked first,
// so that the correction and a recomputation saving meanwhile do not
// interleave; when a recomputation holds it already (it saved the member
// and has not committed), moderation does not wait for it (seconds at a
// million members): the uncount renews the member's mark, and that run,
// or the next, sums the member again.
func uncount(ctx context.Context, tx *sqlx.Tx, member community.MemberID, u *community.Uncounted) error {
	if u == nil || len(u.Messages) == 0 {
		return nil
	}
	var standing []int
	if err := tx.SelectContext(ctx, &standing, `SELECT 1 FROM member_standings WHERE member_id = $1 FOR UPDATE SKIP LOCKED`, int64(member)); err != nil {
		return fmt.Errorf("lock the standing of member %d: %w", member, err)
	}
	res, err := tx.ExecContext(ctx, uncountSQL, int64(member), int64(u.Chat), pq.Array(u.Messages))
	if err != nil {
		return fmt.Errorf("uncount %d messages of member %d: %w", len(u.Messages), member, err)
	}
	if n, _ := res.RowsAffected(); n == 0 || len(standing) == 0 {
		return nil
	}
	// As of the last run's day, with its history unless the rules changed since.
	st := standingsState{Day: utcDay(u.Scoring.Now), Rules: u.Scoring.Rules, Decay: u.Scoring.Decay}
	if err := tx.GetContext(ctx, &st, `SELECT computed_at, day, decay, rules FROM standings_state`); err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("last standings run: %w", err)
	}
	day, full := st.Day, st.Rules != u.Scoring.Rules || st.Decay != u.Scoring.Decay
	args := append(inputArgs(u.Scoring, day, full), int64(member))
	if _, err := tx.ExecContext(ctx, resumSQL("(SELECT CAST($10 AS bigint) AS member_id, CAST(0 AS bigint) AS version)"), args...); err != nil {
		return fmt.Errorf("take uncounted activities out of the standing of member %d: %w", member, err)
	}
	return nil
}
