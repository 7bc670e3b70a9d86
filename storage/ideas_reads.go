package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// viewSQL is each view's condition and order (i: the item; $1 the member).
var viewSQL = map[feedback.View]string{
	feedback.ViewTop:     `i.status NOT IN ('merged', 'declined', 'done') ORDER BY i.votes DESC, i.id DESC`,
	feedback.ViewNew:     `i.status NOT IN ('merged', 'declined') ORDER BY i.id DESC`,
	feedback.ViewMine:    `i.member_id = $1 ORDER BY i.id DESC`,
	feedback.ViewPlanned: `i.status IN ('planned', 'in_progress') ORDER BY i.votes DESC, i.id DESC`,
	feedback.ViewDone:    `i.status = 'done' ORDER BY i.changed_at DESC, i.id DESC`,
}

// Items implements feedback.ListStore. Every view gets the member as $1
// (typed, since only ViewMine reads it).
func (s *Store) Items(ctx context.Context, q feedback.Query) ([]feedback.Item, error) {
	cond, ok := viewSQL[q.View]
	if !ok {
		return nil, fmt.Errorf("no view %q", q.View)
	}
	var rows []itemRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+itemColumns+` FROM `+itemFrom+` WHERE ($1::bigint IS NOT NULL) AND `+cond+` OFFSET $2 LIMIT $3`,
		int64(q.Member), q.Offset, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("items %s: %w", q.View, err)
	}
	return items(rows), nil
}

// writableByNoticeSQL is mayWritePrivatelySQL with the platforms where
// Hearth opens private chats itself in $4.
var writableByNoticeSQL = strings.Replace(mayWritePrivatelySQL, "$6", "$4", 1)

// PendingNotices implements feedback.NoticeStore.
func (s *Store) PendingNotices(ctx context.Context) ([]feedback.Pending, error) {
	var rows []struct {
		Member   int64      `db:"member_id"`
		First    time.Time  `db:"first"`
		LastSent *time.Time `db:"last_sent"`
	}
	err := s.db.SelectContext(ctx, &rows, `
SELECT p.member_id, p.first, (SELECT max(q.queued_at) FROM feedback_notices q WHERE q.member_id = p.member_id) AS last_sent
FROM (SELECT member_id, min(created_at) AS first FROM feedback_notices WHERE queued_at IS NULL GROUP BY member_id) p
ORDER BY p.first, p.member_id`)
	if err != nil {
		return nil, fmt.Errorf("pending notices: %w", err)
	}
	out := make([]feedback.Pending, len(rows))
	for i, r := range rows {
		out[i] = feedback.Pending{Member: community.MemberID(r.Member), First: r.First}
		if r.LastSent != nil {
			out[i].LastSent = *r.LastSent
		}
	}
	return out, nil
}

// QueueNotices implements feedback.NoticeStore.
func (s *Store) QueueNotices(ctx context.Context, members []community.MemberID, at time.Time, opens []community.Platform, event community.Event) (int, error) {
	ids := make([]int64, len(members))
	for i, m := range members {
		ids[i] = int64(m)
	}
	platforms := make([]string, len(opens))
	for i, p := range opens {
		platforms[i] = string(p)
	}
	var unreachable int
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		id, err := insertEventID(ctx, tx, event)
		if err != nil {
			return err
		}
		return tx.GetContext(ctx, &unreachable, `
WITH queued AS (
    UPDATE feedback_notices n SET event_id = $2, queued_at = $3,
        unreachable = NOT EXISTS (SELECT 1 FROM identities i WHERE i.member_id = n.member_id AND `+writableByNoticeSQL+`)
    WHERE n.member_id = ANY($1) AND n.queued_at IS NULL
    RETURNING n.member_id, n.unreachable
)
SELECT count(DISTINCT member_id) FILTER (WHERE unreachable) FROM queued`, pq.Array(ids), id, at, pq.Array(platforms))
	})
	if err != nil {
		return 0, fmt.Errorf("queue the notices of %d members: %w", len(members), err)
	}
	return unreachable, nil
}
