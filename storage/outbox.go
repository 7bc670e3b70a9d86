package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// insertEvent writes a domain event to the outbox in the caller's
// transaction.
func insertEvent(ctx context.Context, tx sqlx.ExtContext, e community.Event) error {
	_, err := insertEventID(ctx, tx, e)
	return err
}

// insertEventID is insertEvent, returning the event's id.
func insertEventID(ctx context.Context, tx sqlx.ExtContext, e community.Event) (int64, error) {
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return 0, fmt.Errorf("encode %s event: %w", e.Kind, err)
	}
	var id int64
	if err := sqlx.GetContext(ctx, tx, &id, `INSERT INTO outbox_events (kind, payload, created_at) VALUES ($1, $2, $3) RETURNING id`,
		e.Kind, payload, e.At); err != nil {
		return 0, fmt.Errorf("queue %s event: %w", e.Kind, err)
	}
	return id, nil
}

// insertEvents writes many events in one statement.
func insertEvents(ctx context.Context, tx sqlx.ExtContext, events []community.Event) error {
	if len(events) == 0 {
		return nil
	}
	kinds, payloads, at := make([]string, len(events)), make([]string, len(events)), make([]time.Time, len(events))
	for i, e := range events {
		payload, err := json.Marshal(e.Payload)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", e.Kind, err)
		}
		kinds[i], payloads[i], at[i] = e.Kind, string(payload), e.At
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO outbox_events (kind, payload, created_at)
SELECT k, CAST(p AS jsonb), a FROM unnest($1::text[], $2::text[], $3::timestamptz[]) WITH ORDINALITY AS t(k, p, a, n) ORDER BY n`,
		pq.Array(kinds), pq.Array(payloads), pq.Array(at))
	if err != nil {
		return fmt.Errorf("queue %d events: %w", len(events), err)
	}
	return nil
}

// copyEvents queues events as insertEvents does, but with COPY: for the
// hundreds of thousands of events of a first standings run it takes less
// than half the time, with no arrays to build, send and unnest. The rows,
// and so their ids, keep the order of events; the statement trigger still
// wakes the dispatchers.
func copyEvents(ctx context.Context, tx *sqlx.Tx, events []community.Event) error {
	if len(events) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `COPY outbox_events (kind, payload, created_at) FROM STDIN`)
	if err != nil {
		return fmt.Errorf("queue %d events: %w", len(events), err)
	}
	defer stmt.Close()
	for _, e := range events {
		payload, err := json.Marshal(e.Payload)
		if err != nil {
			return fmt.Errorf("encode %s event: %w", e.Kind, err)
		}
		// A string, not []byte: COPY would write bytes as bytea.
		if _, err := stmt.ExecContext(ctx, e.Kind, string(payload), e.At); err != nil {
			return fmt.Errorf("queue %s event: %w", e.Kind, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("queue %d events: %w", len(events), err)
	}
	return nil
}

// insertDeliveries queues messages, caused by event (0: a direct reply);
// a message with NotBefore is first due then. Messages to one target are
// sent in order, except that held messages wait in a lane of their own
// (per target and hold), so that a held announcement does not hold back
// the member's other messages.
func insertDeliveries(ctx context.Context, tx sqlx.ExtContext, event int64, out []outbox.Outgoing) error {
	if len(out) == 0 {
		return nil
	}
	var platforms, keys, targets, messages, due []string
	for _, o := range out {
		target, err := json.Marshal(o.Target)
		if err != nil {
			return err
		}
		message, err := json.Marshal(o.Message)
		if err != nil {
			return err
		}
		platforms, keys = append(platforms, string(o.Target.Platform)), append(keys, o.Target.Key())
		targets, messages = append(targets, string(target)), append(messages, string(message))
		due = append(due, "")
		if !o.NotBefore.IsZero() {
			due[len(due)-1] = o.NotBefore.UTC().Format(time.RFC3339Nano)
			keys[len(keys)-1] += "@" + due[len(due)-1]
		}
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO deliveries (event_id, platform, target_key, target, message, next_attempt_at)
SELECT NULLIF($1, 0), p, k, CAST(t AS jsonb), CAST(m AS jsonb), COALESCE(CAST(NULLIF(d, '') AS timestamptz), now())
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(p, k, t, m, d, n)
ORDER BY n`, event, pq.Array(platforms), pq.Array(keys), pq.Array(targets), pq.Array(messages), pq.Array(due))
	if err != nil {
		return fmt.Errorf("queue %d messages: %w", len(out), err)
	}
	return nil
}

// QueueMessages puts messages in the outbox outside any other change (a
// broadcast, a test).
func (s *Store) QueueMessages(ctx context.Context, out []outbox.Outgoing) error {
	return insertDeliveries(ctx, s.db, 0, out)
}

const claimEventsSQL = `
UPDATE outbox_events e
SET attempts = attempts + 1, locked_until = now() + $2 * interval '1 millisecond', claim = $3
WHERE id IN (
    SELECT id FROM outbox_events
    WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
    ORDER BY id
    LIMIT $1
    FOR UPDATE SKIP LOCKED)
RETURNING id, kind, payload, attempts`

// ClaimEvents implements outbox.Store.
func (s *Store) ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]outbox.Event, error) {
	claim := newClaim()
	rows, err := s.db.QueryContext(ctx, claimEventsSQL, limit, lease.Milliseconds(), claim)
	if err != nil {
		return nil, fmt.Errorf("claim events: %w", err)
	}
	defer rows.Close()
	var out []outbox.Event
	for rows.Next() {
		e := outbox.Event{Claim: claim}
		var payload []byte
		if err := rows.Scan(&e.ID, &e.Kind, &payload, &e.Attempts); err != nil {
			return nil, err
		}
		e.Payload = payload
		out = append(out, e)
	}
	return out, rows.Err()
}

// RenderedEvent implements outbox.Store. The event is marked rendered
// only while its claim holds, so that an event whose lease ran out and
// which another dispatcher rendered meanwhile is not rendered twice.
func (s *Store) RenderedEvent(ctx context.Context, e outbox.Event, out []outbox.Outgoing) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
UPDATE outbox_events SET status = 'rendered', rendered_at = now(), locked_until = NULL, claim = NULL
WHERE id = $1 AND claim = $2 AND status = 'pending'`, e.ID, e.Claim)
		if err != nil {
			return fmt.Errorf("mark event %d rendered: %w", e.ID, err)
		}
		if err := stillClaimed(res); err != nil {
			return fmt.Errorf("mark event %d rendered: %w", e.ID, err)
		}
		return insertDeliveries(ctx, tx, e.ID, out)
	})
}

// FailedEvent implements outbox.Store.
func (s *Store) FailedEvent(ctx context.Context, e outbox.Event, f outbox.Failure) error {
	res, err := s.db.ExecContext(ctx, `
UPDATE outbox_events SET status = CASE WHEN $3 THEN 'dead' ELSE 'pending' END,
    next_attempt_at = COALESCE($4, next_attempt_at), last_error = $5, locked_until = NULL, claim = NULL
WHERE id = $1 AND claim = $2 AND status = 'pending'`, e.ID, e.Claim, f.Dead, nullTime(f.Retry), f.Error)
	if err == nil {
		err = stillClaimed(res)
	}
	if err != nil {
		return fmt.Errorf("record failure of event %d: %w", e.ID, err)
	}
	return nil
}

// stillClaimed turns an update that found no row held under its claim into
// outbox.ErrClaimLost.
func stillClaimed(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return outbox.ErrClaimLost
	}
	return nil
}

// newClaim returns a fresh claim token, a random UUID.
func newClaim() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// nextDueSQL finds when the next pending event or delivery on the
// platforms $1 is due. Only the oldest pending delivery of each chat (its
// head) counts: the rest wait behind it however due they are. A head is
// due when it may be tried and its claim, if any, has run out. For each
// platform it reads the deliveries in due order up to the first head no
// live claim holds, and the claimed heads before it: after it, none can
// be due sooner. Never every pending delivery.
const nextDueSQL = `
SELECT min(t) FROM (
    SELECT min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) AS t FROM outbox_events WHERE status = 'pending'
    UNION ALL
    SELECT least(free.at, (
        SELECT min(d.locked_until) FROM deliveries d
        WHERE d.status = 'pending' AND d.platform = p.platform
          AND (d.next_attempt_at, d.id) < (coalesce(free.at, 'infinity'), coalesce(free.id, 0))
          AND d.locked_until > d.next_attempt_at AND ` + chatHeadSQL + `))
    FROM unnest(CAST($1 AS text[])) AS p(platform) LEFT JOIN LATERAL (
        SELECT d.next_attempt_at AS at, d.id FROM deliveries d
        WHERE d.status = 'pending' AND d.platform = p.platform
          AND (d.locked_until IS NULL OR d.locked_until <= d.next_attempt_at) AND ` + chatHeadSQL + `
        ORDER BY d.next_attempt_at, d.id
        LIMIT 1
    ) free ON true
) due`

// NextDue implements outbox.Store.
func (s *Store) NextDue(ctx context.Context, platforms []community.Platform) (time.Time, bool, error) {
	var at *time.Time
	err := s.db.GetContext(ctx, &at, nextDueSQL, pq.Array(platformNames(platforms)))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next due: %w", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return *at, true, nil
}

func platformNames(platforms []community.Platform) []string {
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = string(p)
	}
	return names
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
