package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

var _ bots.InboxStore = (*Store)(nil)

// claimInboundSQL leases the oldest waiting update of each queue that has
// none leased, oldest first. SKIP LOCKED lets replicas claim side by side;
// a head another replica is leasing right now is skipped, and its queue's
// next update is no head until it is handled.
const claimInboundSQL = `
WITH heads AS (
    SELECT DISTINCT ON (queue) id FROM inbound_updates
    WHERE handled_at IS NULL AND payload IS NOT NULL
    ORDER BY queue, id
), due AS (
    SELECT u.id FROM inbound_updates u JOIN heads h ON h.id = u.id
    WHERE u.locked_until IS NULL OR u.locked_until < now()
    ORDER BY u.id
    LIMIT $1
    FOR UPDATE OF u SKIP LOCKED
), claimed AS (
    UPDATE inbound_updates u
    SET locked_until = now() + make_interval(secs => $2), attempts = u.attempts + 1
    FROM due WHERE u.id = due.id AND u.handled_at IS NULL
    RETURNING u.id, u.platform, u.update_key, u.payload, u.attempts, u.member_id, u.chat_id
)
SELECT cl.id, cl.platform, cl.update_key, COALESCE(cl.payload, '{}') AS payload, cl.attempts,
       COALESCE(cl.member_id, 0) AS member_id, COALESCE(m.language, '') AS member_language,
       COALESCE(cl.chat_id, 0) AS chat_id, COALESCE(c.is_staff, false) AS is_staff, COALESCE(c.language, '') AS chat_language,
       c.id IS NOT NULL AND NOT (CASE WHEN c.kind = 'direct' THEN true
                                      WHEN p.id IS NOT NULL THEN p.connected_at IS NOT NULL
                                      ELSE c.connected_at IS NOT NULL END) AS outside
FROM claimed cl
LEFT JOIN members m ON m.id = cl.member_id
LEFT JOIN chats c ON c.id = cl.chat_id
LEFT JOIN chats p ON p.id = c.parent_id
ORDER BY cl.id`

type claimedRow struct {
	ID             int64  `db:"id"`
	Platform       string `db:"platform"`
	Key            string `db:"update_key"`
	Payload        []byte `db:"payload"`
	Attempts       int    `db:"attempts"`
	Member         int64  `db:"member_id"`
	MemberLanguage string `db:"member_language"`
	Chat           int64  `db:"chat_id"`
	IsStaff        bool   `db:"is_staff"`
	ChatLanguage   string `db:"chat_language"`
	Outside        bool   `db:"outside"`
}

// ClaimInbound implements bots.InboxStore. A group connected or
// disconnected since the update was recorded counts as it is now.
func (s *Store) ClaimInbound(ctx context.Context, limit int, lease time.Duration) ([]bots.Claimed, error) {
	var rows []claimedRow
	if err := s.db.SelectContext(ctx, &rows, claimInboundSQL, limit, lease.Seconds()); err != nil {
		return nil, fmt.Errorf("claim recorded updates: %w", err)
	}
	out := make([]bots.Claimed, len(rows))
	for i, r := range rows {
		out[i] = bots.Claimed{ID: r.ID, Platform: community.Platform(r.Platform), Key: r.Key, Payload: r.Payload, Attempts: r.Attempts,
			Recorded: bots.Recorded{Seen: bots.SeenUnfinished, Member: community.MemberID(r.Member), MemberLanguage: r.MemberLanguage,
				Chat: community.ChatID(r.Chat), ChatIsStaff: r.IsStaff, ChatLanguage: r.ChatLanguage, Outside: r.Outside, Queued: true}}
	}
	return out, nil
}

// RenewInbound implements bots.InboxStore.
func (s *Store) RenewInbound(ctx context.Context, ids []int64, lease time.Duration) error {
	_, err := s.db.ExecContext(ctx, `
UPDATE inbound_updates SET locked_until = now() + make_interval(secs => $2)
WHERE id = ANY($1) AND handled_at IS NULL`, pq.Array(ids), lease.Seconds())
	if err != nil {
		return fmt.Errorf("renew %d leases: %w", len(ids), err)
	}
	return nil
}

// ReleaseInbound implements bots.InboxStore.
func (s *Store) ReleaseInbound(ctx context.Context, id int64, after time.Duration, problem string) error {
	_, err := s.db.ExecContext(ctx, `
UPDATE inbound_updates SET locked_until = now() + make_interval(secs => $2), last_error = left($3, 2000)
WHERE id = $1 AND handled_at IS NULL`, id, after.Seconds(), cleanText(problem))
	if err != nil {
		return fmt.Errorf("give back update %d: %w", id, err)
	}
	return nil
}

// DeadInbound implements bots.InboxStore: the dead letter and, for an
// update that was recorded, its mark as handled (its payload cleared) in
// one transaction.
func (s *Store) DeadInbound(ctx context.Context, d bots.DeadUpdate) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO inbound_dead (platform, update_key, user_id, stage, kind, payload, error, attempts, created_at)
VALUES ($1, $2, $3, $4, $5, $6, left($7, 2000), $8, $9)
ON CONFLICT (platform, update_key) DO UPDATE
SET stage = EXCLUDED.stage, error = EXCLUDED.error, attempts = EXCLUDED.attempts, created_at = EXCLUDED.created_at`,
			d.Platform, cleanText(d.Key), cleanText(d.UserID), d.Stage, string(d.Kind), cleanText(d.Payload), cleanText(d.Error), d.Attempts, d.At)
		if err != nil {
			return fmt.Errorf("dead letter for %s update %s: %w", d.Platform, d.Key, err)
		}
		_, err = tx.ExecContext(ctx, `
UPDATE inbound_updates SET handled_at = now(), payload = NULL, locked_until = NULL, last_error = left($3, 2000)
WHERE platform = $1 AND update_key = $2 AND handled_at IS NULL`, d.Platform, cleanText(d.Key), cleanText(d.Error))
		if err != nil {
			return fmt.Errorf("give up %s update %s: %w", d.Platform, d.Key, err)
		}
		return nil
	})
}

// Waiting implements bots.InboxStore.
func (s *Store) Waiting(ctx context.Context, p community.Platform, key string) (bool, error) {
	var waiting bool
	err := s.db.GetContext(ctx, &waiting, `SELECT handled_at IS NULL FROM inbound_updates WHERE platform = $1 AND update_key = $2`, p, key)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("is %s update %s waiting: %w", p, key, err)
	}
	return waiting, nil
}

// Ping implements bots.InboxStore.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// cleanText makes text storable: PostgreSQL's text holds neither NUL
// bytes nor invalid UTF-8.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// DeadUpdates implements bots.InboxStore.
func (s *Store) DeadUpdates(ctx context.Context, limit int) ([]bots.DeadUpdate, int, error) {
	var rows []struct {
		Platform string    `db:"platform"`
		Key      string    `db:"update_key"`
		UserID   string    `db:"user_id"`
		Stage    string    `db:"stage"`
		Kind     string    `db:"kind"`
		Error    string    `db:"error"`
		Attempts int       `db:"attempts"`
		At       time.Time `db:"created_at"`
		Total    int       `db:"total"`
	}
	err := s.db.SelectContext(ctx, &rows, `
SELECT platform, update_key, user_id, stage, kind, error, attempts, created_at, count(*) OVER () AS total
FROM inbound_dead ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("dead updates: %w", err)
	}
	out := make([]bots.DeadUpdate, len(rows))
	total := 0
	for i, r := range rows {
		out[i] = bots.DeadUpdate{Platform: community.Platform(r.Platform), Key: r.Key, UserID: r.UserID, Stage: r.Stage,
			Kind: bots.UpdateKind(r.Kind), Error: r.Error, Attempts: r.Attempts, At: r.At}
		total = r.Total
	}
	return out, total, nil
}
