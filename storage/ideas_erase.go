package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// forgetAuthorship is an erasure's part on the ideas board: the member's
// items stay, a former member's. Their posts are edited to say so (a
// refresh, due at once, rendered after the erasure), and the copies of
// those posts Hearth keeps (kept for their message ids) lose their text,
// which named the author; an edit not yet sent goes, the refresh replaces
// it. A post not sent yet when the member is erased still names them.
func forgetAuthorship(ctx context.Context, tx *sqlx.Tx, member community.MemberID, at time.Time) error {
	var items []int64
	if err := tx.SelectContext(ctx, &items, `SELECT id FROM feedback_items WHERE member_id = $1 ORDER BY id FOR UPDATE`, int64(member)); err != nil {
		return fmt.Errorf("items of member %d: %w", member, err)
	}
	if len(items) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries d USING outbox_events e
WHERE d.event_id = e.id AND e.kind = $2 AND (e.payload->>'item')::bigint = ANY($1) AND d.status = 'pending'`,
		pq.Array(items), feedback.EventItemRefresh); err != nil {
		return fmt.Errorf("drop the pending edits of member %d's items: %w", member, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries d SET message = jsonb_set(d.message, '{text}', '""') FROM outbox_events e
WHERE d.event_id = e.id AND e.kind IN ($2, $3) AND (e.payload->>'item')::bigint = ANY($1) AND d.status <> 'pending'`,
		pq.Array(items), feedback.EventItemPosted, feedback.EventItemRefresh); err != nil {
		return fmt.Errorf("forget the author of member %d's posts: %w", member, err)
	}
	// An edit already due (not rendered yet) renders after the erasure;
	// otherwise one is scheduled.
	for _, id := range items {
		if err := scheduleRefresh(ctx, tx, feedback.ItemID(id), at, 0); err != nil {
			return err
		}
	}
	return nil
}
