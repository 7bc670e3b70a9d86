package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// OutboxStatus implements the chat layer's CoreStore.
func (s *Store) OutboxStatus(ctx context.Context) (outbox.Status, error) {
	var st outbox.Status
	var oldest *time.Time
	err := s.db.QueryRowContext(ctx, `
SELECT
    (SELECT count(*) FROM outbox_events WHERE status = 'pending'),
    (SELECT count(*) FROM outbox_events WHERE status = 'dead'),
    (SELECT count(*) FROM deliveries WHERE status = 'pending'),
    (SELECT count(*) FROM deliveries WHERE status = 'dead'),
    (SELECT min(created_at) FROM deliveries WHERE status = 'pending')`).
		Scan(&st.PendingEvents, &st.DeadEvents, &st.PendingDeliveries, &st.DeadDeliveries, &oldest)
	if err != nil {
		return st, fmt.Errorf("outbox status: %w", err)
	}
	if oldest != nil {
		st.OldestPending = *oldest
	}
	return st, nil
}

// DeadLetters implements the chat layer's CoreStore: the newest failures first.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]outbox.DeadLetter, error) {
	rows, err := s.db.QueryContext(ctx, `
(SELECT id, false, '', target, attempts, last_error, created_at FROM deliveries WHERE status = 'dead')
UNION ALL
(SELECT id, true, kind, '{}'::jsonb, attempts, last_error, created_at FROM outbox_events WHERE status = 'dead')
ORDER BY created_at DESC, id DESC
LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	defer rows.Close()
	var out []outbox.DeadLetter
	for rows.Next() {
		var d outbox.DeadLetter
		var target []byte
		if err := rows.Scan(&d.ID, &d.Event, &d.Kind, &target, &d.Attempts, &d.LastError, &d.CreatedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(target, &d.Target); err != nil {
			return nil, fmt.Errorf("dead letter %s: %w", d.DeadRef, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RetryDead implements the chat layer's CoreStore: the dead letters go back to pending
// with their attempts reset, and every dispatcher is woken.
func (s *Store) RetryDead(ctx context.Context, ref outbox.DeadRef) (int, error) {
	const reset = `SET status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL, claim = NULL WHERE status = 'dead'`
	var n int64
	for _, q := range []struct {
		sql  string
		skip bool
	}{
		{`UPDATE deliveries ` + reset + ` AND ($1 = 0 OR id = $1)`, ref.ID != 0 && ref.Event},
		{`UPDATE outbox_events ` + reset + ` AND ($1 = 0 OR id = $1)`, ref.ID != 0 && !ref.Event},
	} {
		if q.skip {
			continue
		}
		res, err := s.db.ExecContext(ctx, q.sql, ref.ID)
		if err != nil {
			return 0, fmt.Errorf("retry dead letters: %w", err)
		}
		affected, _ := res.RowsAffected()
		n += affected
	}
	if n > 0 {
		if _, err := s.db.ExecContext(ctx, `SELECT pg_notify('hearth_outbox', 'retry')`); err != nil {
			return int(n), fmt.Errorf("wake dispatchers: %w", err)
		}
	}
	if ref.ID != 0 && n == 0 {
		return 0, community.DeadLetterNotFound(ref)
	}
	return int(n), nil
}
