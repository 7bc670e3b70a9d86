package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// claimDeliveriesSQL claims the runs of at most $2 chats (targets): the
// chats whose oldest pending delivery is due and unclaimed, the one that
// became due first first, and of each the longest run of oldest pending
// deliveries that are all due and unclaimed (at most $3), so that a
// delivery never overtakes an older one to the same chat. The chats are
// found by walking each platform's due deliveries in order
// (deliveries_due_platform) and keeping each chat's oldest one, so a
// claim reads about as many rows as it takes, not every pending one,
// whatever the planner's statistics say. A row another claimer locked
// first ends its chat's run there, and the readiness is checked again on
// the locked row itself, so two dispatchers never claim the same delivery.
const claimDeliveriesSQL = `
WITH chats AS (
    SELECT h.platform, h.target_key FROM unnest(CAST($1 AS text[])) AS p(platform) CROSS JOIN LATERAL (
        SELECT d.platform, d.target_key, d.next_attempt_at, d.id FROM deliveries d
        WHERE d.status = 'pending' AND d.platform = p.platform AND d.next_attempt_at <= now()
          AND (d.locked_until IS NULL OR d.locked_until < now())
          AND ` + chatHeadSQL + `
        ORDER BY d.next_attempt_at, d.id
        LIMIT $2
    ) h
    ORDER BY h.next_attempt_at, h.id
    LIMIT $2
), runs AS (
    SELECT r.id, r.platform, r.target_key, r.n FROM chats c CROSS JOIN LATERAL (
        SELECT id, platform, target_key, row_number() OVER w AS n,
               bool_and(next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())) OVER w AS ready
        FROM deliveries
        WHERE status = 'pending' AND platform = c.platform AND target_key = c.target_key
        WINDOW w AS (ORDER BY id ROWS UNBOUNDED PRECEDING)
        ORDER BY id
        LIMIT $3
    ) r
    WHERE r.ready
), locked AS (
    SELECT id, platform, target_key FROM deliveries
    WHERE id IN (SELECT id FROM runs)
      AND status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
    FOR UPDATE SKIP LOCKED
), kept AS (
    SELECT l.id FROM locked l JOIN runs r USING (id)
    WHERE r.n = (SELECT count(*) FROM locked o WHERE o.platform = l.platform AND o.target_key = l.target_key AND o.id <= l.id)
)
UPDATE deliveries d
SET attempts = attempts + 1, locked_until = now() + $4 * interval '1 millisecond', claim = $5
FROM kept
WHERE d.id = kept.id
RETURNING d.id, d.target, d.message, d.attempts, d.sent_ids, d.created_at`

// chatHeadSQL holds for a pending delivery d that is its chat's oldest.
const chatHeadSQL = `d.id = (SELECT min(o.id) FROM deliveries o WHERE o.status = 'pending' AND o.platform = d.platform AND o.target_key = d.target_key)`

// ClaimDeliveries implements outbox.Store.
func (s *Store) ClaimDeliveries(ctx context.Context, platforms []community.Platform, chats, perChat int, lease time.Duration) ([]outbox.Delivery, error) {
	claim := newClaim()
	rows, err := s.db.QueryContext(ctx, claimDeliveriesSQL, pq.Array(platformNames(platforms)), chats, perChat, lease.Milliseconds(), claim)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	defer rows.Close()
	var out []outbox.Delivery
	for rows.Next() {
		d := outbox.Delivery{Claim: claim}
		var target, message []byte
		var sent pq.StringArray
		if err := rows.Scan(&d.ID, &target, &message, &d.Attempts, &sent, &d.CreatedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(target, &d.Target); err != nil {
			return nil, fmt.Errorf("delivery %d target: %w", d.ID, err)
		}
		if err := json.Unmarshal(message, &d.Message); err != nil {
			return nil, fmt.Errorf("delivery %d message: %w", d.ID, err)
		}
		d.SentIDs = sent
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b outbox.Delivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// RenewClaims implements outbox.Store. It runs on the outbox's own
// connection: a renewal that waited for a free one could let the lease
// run out while the work goes on.
func (s *Store) RenewClaims(ctx context.Context, events, deliveries []outbox.ClaimRef, lease time.Duration) error {
	eventIDs, eventClaims := claimArrays(events)
	deliveryIDs, deliveryClaims := claimArrays(deliveries)
	err := s.onOutboxConn(ctx, func(c execer) error {
		_, err := c.ExecContext(ctx, `
WITH events AS (
    UPDATE outbox_events e SET locked_until = now() + $5 * interval '1 millisecond'
    FROM unnest(CAST($1 AS bigint[]), CAST($2 AS uuid[])) AS h(id, claim)
    WHERE e.id = h.id AND e.claim = h.claim AND e.status = 'pending'
    RETURNING 1
), deliveries AS (
    UPDATE deliveries d SET locked_until = now() + $5 * interval '1 millisecond'
    FROM unnest(CAST($3 AS bigint[]), CAST($4 AS uuid[])) AS h(id, claim)
    WHERE d.id = h.id AND d.claim = h.claim AND d.status = 'pending'
    RETURNING 1
)
SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM deliveries)`,
			pq.Array(eventIDs), pq.Array(eventClaims), pq.Array(deliveryIDs), pq.Array(deliveryClaims), lease.Milliseconds())
		return err
	})
	if err != nil {
		return fmt.Errorf("renew %d outbox claims: %w", len(events)+len(deliveries), err)
	}
	return nil
}

func claimArrays(refs []outbox.ClaimRef) ([]int64, []string) {
	ids, claims := make([]int64, len(refs)), make([]string, len(refs))
	for i, r := range refs {
		ids[i], claims[i] = r.ID, r.Claim
	}
	return ids, claims
}

// ReleaseDeliveries implements outbox.Store: only deliveries still held
// under their claims are released.
func (s *Store) ReleaseDeliveries(ctx context.Context, dels []outbox.Delivery) error {
	if len(dels) == 0 {
		return nil
	}
	refs := make([]outbox.ClaimRef, len(dels))
	for i, d := range dels {
		refs[i] = outbox.ClaimRef{ID: d.ID, Claim: d.Claim}
	}
	ids, claims := claimArrays(refs)
	_, err := s.db.ExecContext(ctx, `
UPDATE deliveries d SET locked_until = NULL, claim = NULL, attempts = attempts - 1
FROM unnest(CAST($1 AS bigint[]), CAST($2 AS uuid[])) AS h(id, claim)
WHERE d.id = h.id AND d.claim = h.claim AND d.status = 'pending'`, pq.Array(ids), pq.Array(claims))
	if err != nil {
		return fmt.Errorf("release deliveries: %w", err)
	}
	return nil
}

// PartsSent implements outbox.Store, on the outbox's own connection so
// that the mark waits for no other work.
func (s *Store) PartsSent(ctx context.Context, d outbox.Delivery, sentIDs []string) error {
	err := s.onOutboxConn(ctx, func(c execer) error {
		res, err := c.ExecContext(ctx, `UPDATE deliveries SET sent_ids = $3 WHERE id = $1 AND claim = $2 AND status = 'pending'`,
			d.ID, d.Claim, pq.Array(nonNil(sentIDs)))
		if err != nil {
			return err
		}
		return stillClaimed(res)
	})
	if err != nil {
		return fmt.Errorf("mark parts of delivery %d sent: %w", d.ID, err)
	}
	return nil
}

// Delivered implements outbox.Store, on the outbox's own connection. A
// delivery whose message is marked Forget is deleted instead of kept as
// sent. It holds whatever the claim: the message was sent.
func (s *Store) Delivered(ctx context.Context, id int64, sentIDs []string) error {
	err := s.onOutboxConn(ctx, func(c execer) error {
		_, err := c.ExecContext(ctx, `
WITH gone AS (DELETE FROM deliveries WHERE id = $1 AND message->>'forget' = 'true' RETURNING id)
UPDATE deliveries SET status = 'sent', sent_at = now(), sent_ids = $2, locked_until = NULL, claim = NULL, last_error = ''
WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM gone)`,
			id, pq.Array(nonNil(sentIDs)))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark delivery %d sent: %w", id, err)
	}
	return nil
}

// FailedDelivery implements outbox.Store.
// A message given up on queues its Undelivered notice in the same
// transaction: it is told once, however the failure is recorded.
func (s *Store) FailedDelivery(ctx context.Context, d outbox.Delivery, sentIDs []string, f outbox.Failure) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
UPDATE deliveries SET status = CASE WHEN $3 THEN 'dead' ELSE 'pending' END,
    next_attempt_at = COALESCE($4, next_attempt_at), last_error = $5, sent_ids = $6, locked_until = NULL, claim = NULL
WHERE id = $1 AND claim = $2 AND status = 'pending'`, d.ID, d.Claim, f.Dead, nullTime(f.Retry), f.Error, pq.Array(nonNil(sentIDs)))
		if err == nil {
			err = stillClaimed(res)
		}
		if err != nil || !f.Dead || d.Message.Undelivered == nil {
			return err
		}
		n := d.Message.Undelivered
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox_events (kind, payload) VALUES ($1, $2)`, n.Kind, []byte(n.Payload))
		return err
	})
	if err != nil {
		return fmt.Errorf("record failure of delivery %d: %w", d.ID, err)
	}
	return nil
}

// outboxConn is a connection the outbox keeps for itself, apart from the
// pool's other work: the marks that a platform accepted a message and the
// renewals of claims run on it. A mark that waited for a free connection
// would widen the window in which a crash sends a message twice, and a
// renewal that waited could let a lease run out while its work goes on.
type outboxConn struct {
	mu   sync.Mutex
	conn *sql.Conn
}

// minPoolForOutboxConn is the smallest pool the outbox takes a connection
// of its own from; a smaller one shares its connections with the outbox.
const minPoolForOutboxConn = 4

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// onOutboxConn runs fn on the outbox's connection, one call at a time,
// taking a fresh connection when the last one failed.
func (s *Store) onOutboxConn(ctx context.Context, fn func(execer) error) error {
	if limit := s.db.Stats().MaxOpenConnections; limit > 0 && limit < minPoolForOutboxConn {
		return fn(s.db)
	}
	o := &s.outbox
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.conn == nil {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		o.conn = c
	}
	err := fn(o.conn)
	if err != nil && !statementError(err) {
		_ = o.conn.Close() // the pool drops it if it is broken
		o.conn = nil
	}
	return err
}

// statementError tells an error of the statement itself, after which the
// connection is still good, from a lost or cancelled connection.
func statementError(err error) bool {
	if errors.Is(err, outbox.ErrClaimLost) {
		return true
	}
	pqErr, ok := errors.AsType[*pq.Error](err)
	if !ok {
		return false
	}
	class := pqErr.Code.Class()
	return class != "08" && class != "57" // connection exception, operator intervention (cancel, shutdown)
}
