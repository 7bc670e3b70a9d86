package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// lockItemStatus locks an item's row and returns its status: votes,
// changes and merges of one item take turns.
func lockItemStatus(ctx context.Context, tx *sqlx.Tx, id feedback.ItemID) (feedback.Status, error) {
	var status string
	err := tx.GetContext(ctx, &status, `SELECT status FROM feedback_items WHERE id = $1 FOR UPDATE`, int64(id))
	if errors.Is(err, sql.ErrNoRows) {
		return "", feedback.ItemNotFound(id)
	}
	if err != nil {
		return "", fmt.Errorf("lock item %d: %w", id, err)
	}
	return feedback.Status(status), nil
}

// ToggleVote implements feedback.BoardStore.
func (s *Store) ToggleVote(ctx context.Context, v feedback.Vote) (feedback.VoteResult, error) {
	var res feedback.VoteResult
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		status, err := lockItemStatus(ctx, tx, v.Item)
		if err != nil {
			return err
		}
		if !statusIn(status, v.Open) {
			return fmt.Errorf("vote for item %d, %s: %w", v.Item, status, community.ErrConflict)
		}
		if err := valueMember(ctx, tx, v); err != nil {
			return err
		}
		var r struct {
			Votes int  `db:"votes"`
			Voted bool `db:"voted"`
		}
		if err := tx.GetContext(ctx, &r, toggleVoteSQL, int64(v.Item), int64(v.Member), v.At, string(v.Activity), itemActivityKey(v.Item),
			v.Instead != 0); err != nil {
			return fmt.Errorf("the vote of member %d for item %d: %w", v.Member, v.Item, err)
		}
		if v.Instead != 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM feedback_drafts WHERE id = $1 AND member_id = $2`, int64(v.Instead), int64(v.Member)); err != nil {
				return fmt.Errorf("drop draft %d: %w", v.Instead, err)
			}
		}
		res = feedback.VoteResult{Voted: r.Voted, Votes: r.Votes}
		return scheduleRefresh(ctx, tx, v.Item, v.At, v.Refresh)
	})
	return res, err
}

// toggleVoteSQL withdraws member $2's vote for item $1, or records it
// at $3 when there was none, with their activity ($4, keyed $5) the first
// time they vote for the item; the item's count and its voters' summed
// worth follow. With $6 (a vote instead of a draft) a vote given already
// stays. One statement: a press is one round trip under the item's lock.
const toggleVoteSQL = `
WITH gone AS (
    DELETE FROM feedback_votes WHERE item_id = $1 AND member_id = $2 AND NOT $6 RETURNING id
), added AS (
    INSERT INTO feedback_votes (item_id, member_id, at) SELECT $1, $2, $3
    WHERE NOT EXISTS (SELECT 1 FROM feedback_votes WHERE item_id = $1 AND member_id = $2)
    RETURNING id
), counted AS (
    INSERT INTO activities (member_id, kind, at, message_id)
    SELECT $2, $4, $3, $5 WHERE EXISTS (SELECT 1 FROM added)
      AND NOT EXISTS (SELECT 1 FROM activities WHERE member_id = $2 AND kind = $4 AND message_id = $5 AND message_id LIKE 'item:%')
), d AS (
    SELECT CASE WHEN EXISTS (SELECT 1 FROM added) THEN 1 WHEN EXISTS (SELECT 1 FROM gone) THEN -1 ELSE 0 END AS sign
)
UPDATE feedback_items i SET votes = i.votes + d.sign,
    voters_value = i.voters_value + d.sign * COALESCE(w.value, 0),
    voters_vips = i.voters_vips + CASE WHEN w.vip THEN d.sign ELSE 0 END,
    voters_revenue = i.voters_revenue + d.sign * COALESCE(w.revenue, 0)
FROM d LEFT JOIN feedback_worth w ON w.member_id = $2
WHERE i.id = $1
RETURNING i.votes, d.sign = 1 OR $6 AS voted`

func statusIn(s feedback.Status, list []feedback.Status) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// scheduleRefresh queues the edit of an item's posts, unless one is due
// already: no sooner than refresh after the last edit.
func scheduleRefresh(ctx context.Context, tx *sqlx.Tx, id feedback.ItemID, at time.Time, refresh time.Duration) error {
	var due time.Time
	err := tx.GetContext(ctx, &due, `
UPDATE feedback_items SET refresh_at = greatest($2, COALESCE(refreshed_at + $3 * interval '1 millisecond', $2))
WHERE id = $1 AND refresh_at IS NULL AND post_event IS NOT NULL
RETURNING refresh_at`, int64(id), at, refresh.Milliseconds())
	if errors.Is(err, sql.ErrNoRows) {
		return nil // due already, or never posted
	}
	if err != nil {
		return fmt.Errorf("schedule the edit of item %d: %w", id, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox_events (kind, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4)`,
		feedback.EventItemRefresh, fmt.Sprintf(`{"item":%d}`, id), at, due)
	if err != nil {
		return fmt.Errorf("queue the edit of item %d: %w", id, err)
	}
	return nil
}

// ClaimRefresh takes the due edit of an item's posts: the next vote
// schedules another.
func (s *Store) ClaimRefresh(ctx context.Context, id feedback.ItemID, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE feedback_items SET refresh_at = NULL, refreshed_at = $2 WHERE id = $1`, int64(id), at); err != nil {
		return fmt.Errorf("take the edit of item %d: %w", id, err)
	}
	return nil
}

// noticesSQL records a notice of change $1 for the item's ($3) author and
// each of its voters, once each.
const noticesSQL = `
INSERT INTO feedback_notices (change_id, member_id, created_at)
SELECT $1, member_id, $2 FROM (
    SELECT member_id FROM feedback_items WHERE id = $3 AND member_id IS NOT NULL
    UNION
    SELECT member_id FROM feedback_votes WHERE item_id = $3 AND member_id IS NOT NULL
) who
ON CONFLICT DO NOTHING`

// recordChange writes a change, its notices and its effects, and
// schedules the edit of the item's posts.
func recordChange(ctx context.Context, tx *sqlx.Tx, c *feedback.Change, effects community.Effects) error {
	into := sql.NullInt64{Int64: int64(c.Into), Valid: c.Into != 0}
	if err := tx.GetContext(ctx, &c.ID, `
INSERT INTO feedback_changes (item_id, from_status, to_status, merged_into, comment, by_member, at)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		int64(c.Item), string(c.From), string(c.To), into, c.Comment, nullMember(c.By), c.At); err != nil {
		return fmt.Errorf("record the change of item %d: %w", c.Item, err)
	}
	res, err := tx.ExecContext(ctx, noticesSQL, c.ID, c.At, int64(c.Item))
	if err != nil {
		return fmt.Errorf("notices of the change of item %d: %w", c.Item, err)
	}
	told, _ := res.RowsAffected()
	c.Told = int(told)
	if err := saveEffects(ctx, tx, effects); err != nil {
		return err
	}
	return scheduleRefresh(ctx, tx, c.Item, c.At, c.Refresh)
}

func nullMember(m community.MemberID) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(m), Valid: m != 0}
}

// ChangeStatus implements feedback.BoardStore.
func (s *Store) ChangeStatus(ctx context.Context, c feedback.Change, effects community.Effects) (feedback.Change, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE feedback_items SET status = $3, changed_at = $4 WHERE id = $1 AND status = $2`,
			int64(c.Item), string(c.From), string(c.To), c.At)
		if err != nil {
			return fmt.Errorf("move item %d to %s: %w", c.Item, c.To, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("move item %d from %s: %w", c.Item, c.From, community.ErrConflict)
		}
		return recordChange(ctx, tx, &c, effects)
	})
	return c, err
}

// Merge implements feedback.BoardStore: both items are locked in id
// order, so that two merges cannot wait for each other.
func (s *Store) Merge(ctx context.Context, c feedback.Change, effects community.Effects) (feedback.Change, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var statuses []string
		if err := tx.SelectContext(ctx, &statuses, `
SELECT status FROM feedback_items WHERE id = ANY($1) ORDER BY id FOR UPDATE`, pq.Array([]int64{int64(c.Item), int64(c.Into)})); err != nil {
			return fmt.Errorf("lock items %d and %d: %w", c.Item, c.Into, err)
		}
		var into string
		if err := tx.GetContext(ctx, &into, `SELECT status FROM feedback_items WHERE id = $1`, int64(c.Into)); err != nil {
			return fmt.Errorf("item %d: %w", c.Into, err)
		}
		if feedback.Status(into).Closed() {
			return fmt.Errorf("merge into item %d, %s: %w", c.Into, into, community.ErrConflict)
		}
		res, err := tx.ExecContext(ctx, `
UPDATE feedback_items SET status = 'merged', merged_into = $3, changed_at = $4 WHERE id = $1 AND status = $2`,
			int64(c.Item), string(c.From), int64(c.Into), c.At)
		if err != nil {
			return fmt.Errorf("merge item %d: %w", c.Item, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("merge item %d from %s: %w", c.Item, c.From, community.ErrConflict)
		}
		if err := recordChange(ctx, tx, &c, effects); err != nil {
			return err
		}
		return moveVotes(ctx, tx, c)
	})
	return c, err
}

// moveVotes gives the merged item's votes to the item it was merged into
// (a member who voted for both keeps one), recounts both (votes and
// voters' worth) and schedules
// the edit of the second's posts.
func moveVotes(ctx context.Context, tx *sqlx.Tx, c feedback.Change) error {
	from, into := int64(c.Item), int64(c.Into)
	if _, err := tx.ExecContext(ctx, `
INSERT INTO feedback_votes (item_id, member_id, at)
SELECT $2, member_id, at FROM feedback_votes WHERE item_id = $1
ORDER BY id
ON CONFLICT DO NOTHING`, from, into); err != nil {
		return fmt.Errorf("move the votes of item %d to %d: %w", from, into, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM feedback_votes WHERE item_id = $1`, from); err != nil {
		return fmt.Errorf("move the votes of item %d: %w", from, err)
	}
	if _, err := tx.ExecContext(ctx, `
UPDATE feedback_items i SET votes = a.votes, voters_value = a.value, voters_vips = a.vips, voters_revenue = a.revenue
FROM (`+itemWorthSQL+` WHERE x.id IN ($1, $2) GROUP BY x.id) a
WHERE a.id = i.id`, from, into); err != nil {
		return fmt.Errorf("recount items %d and %d: %w", from, into, err)
	}
	return scheduleRefresh(ctx, tx, c.Into, c.At, c.Refresh)
}
