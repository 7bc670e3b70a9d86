package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/support"
)

// pruneBatch is how many rows one statement of PruneOutbox deletes, so
// that no statement holds many locks for long.
const pruneBatch = 1000

// pruneDeliveriesSQL deletes a batch of messages sent before $1, except
// those whose platform message ids are still needed: the welcome a newer
// one will replace (it is deleted then), a captcha not yet settled, an
// item's posts (their count and status are edited in place), the staff
// chats' messages about an open ticket (staff answer it by replying to
// one: PostedTicket), and the reshares of customers' posts until their consent ended (they are
// deleted then) as long ago as the messages pruned.
const pruneDeliveriesSQL = `
DELETE FROM deliveries WHERE id IN (
    SELECT d.id FROM deliveries d
    WHERE d.status = 'sent' AND d.sent_at < $1
      AND NOT EXISTS (SELECT 1 FROM onboarding_joins j WHERE j.welcome_event = d.event_id AND j.welcome_cleared_at IS NULL)
      AND NOT EXISTS (SELECT 1 FROM onboarding_joins j WHERE j.captcha_event = d.event_id AND j.captcha = 'pending')
      AND NOT EXISTS (SELECT 1 FROM feedback_items i WHERE i.post_event = d.event_id)
      AND NOT EXISTS (SELECT 1 FROM showcase_reshares r LEFT JOIN showcase_withdrawals w USING (consent_id)
                      WHERE r.event_id = d.event_id AND (w.at IS NULL OR w.at >= $1))
      AND NOT EXISTS (SELECT 1 FROM outbox_events e JOIN tickets t ON t.id = (e.payload->>'ticket')::bigint
                      WHERE e.id = d.event_id AND t.closed_at IS NULL
                        AND e.kind IN ('` + support.EventQuestionAsked + `', '` + support.EventRelayToStaff + `', '` + support.EventSLAAlert + `'))
    ORDER BY d.sent_at
    LIMIT $2)`

// pruneEventsSQL deletes a batch of events rendered before $1 that have
// no message left and that no join refers to.
const pruneEventsSQL = `
DELETE FROM outbox_events WHERE id IN (
    SELECT e.id FROM outbox_events e
    WHERE e.status = 'rendered' AND e.rendered_at < $1
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)
      AND NOT EXISTS (SELECT 1 FROM onboarding_joins j WHERE j.welcome_event = e.id)
      AND NOT EXISTS (SELECT 1 FROM onboarding_joins j WHERE j.captcha_event = e.id)
    ORDER BY e.rendered_at
    LIMIT $2)`

// PruneOutbox deletes the messages sent before, then the events they were
// rendered from once none of their messages is left: Hearth keeps what
// it sent (texts that name members) only for outbox.keep_sent. Pending
// and dead messages stay, and so do the message ids onboarding still
// needs. It returns how many messages and events it deleted.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (deliveries, events int64, err error) {
	if deliveries, err = s.pruneInBatches(ctx, pruneDeliveriesSQL, before); err != nil {
		return deliveries, 0, fmt.Errorf("prune sent messages: %w", err)
	}
	if events, err = s.pruneInBatches(ctx, pruneEventsSQL, before); err != nil {
		return deliveries, events, fmt.Errorf("prune rendered events: %w", err)
	}
	return deliveries, events, nil
}

// PruneAudit deletes the audit entries made before, oldest first, in
// batches, and returns how many went: the audit log is kept for
// audit.keep.
func (s *Store) PruneAudit(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.pruneInBatches(ctx, `DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 ORDER BY at LIMIT $2)`, before)
	if err != nil {
		return n, fmt.Errorf("prune the audit log: %w", err)
	}
	return n, nil
}

// PruneActivities deletes the activities recorded before, in batches,
// and returns how many went: each is kept for engagement.keep_activities
// (/purge, the authors of reacted and helpful messages). The daily
// rollups they were counted in stay: deleting an activity takes nothing
// out of them.
func (s *Store) PruneActivities(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.pruneInBatches(ctx, `DELETE FROM activities WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM activities WHERE at < $1 LIMIT $2))`, before)
	if err != nil {
		return n, fmt.Errorf("prune activities: %w", err)
	}
	return n, nil
}

func (s *Store) pruneInBatches(ctx context.Context, query string, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, query, before, pruneBatch)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}
