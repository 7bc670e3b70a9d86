package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

var _ inbox.Store = (*Store)(nil)

// claimInboundSQL leases the oldest waiting update of each queue whose
// head is not leased, oldest first. The heads are found one queue at a
// time (a loose index scan over inbox_order), so a claim costs one index
// probe per waiting queue however long the queues are. SKIP LOCKED lets
// replicas claim side by side; a head another replica is leasing right
// now is skipped, and its queue's next update is no head until that one
// has left the inbox. $3 are the ids this process is handling already.
const claimInboundSQL = `
WITH RECURSIVE heads AS (
    (SELECT queue, seq, id FROM inbox WHERE NOT erased ORDER BY queue, seq, id LIMIT 1)
    UNION ALL
    SELECT n.queue, n.seq, n.id FROM heads h, LATERAL (
        SELECT queue, seq, id FROM inbox WHERE NOT erased AND queue > h.queue ORDER BY queue, seq, id LIMIT 1) n
), due AS (
    SELECT i.id FROM inbox i JOIN heads h ON h.id = i.id
    WHERE (i.locked_until IS NULL OR i.locked_until < now()) AND i.id <> ALL($3)
    ORDER BY i.created_at, i.id
    LIMIT $1
    FOR UPDATE OF i SKIP LOCKED
), claimed AS (
    UPDATE inbox i SET claimed = true, locked_until = now() + make_interval(secs => $2), attempts = i.attempts + 1
    FROM due WHERE i.id = due.id AND NOT i.erased
    RETURNING i.id, i.platform, i.update_key, i.payload, i.attempts, i.member_id, i.chat_id
)
SELECT cl.id, cl.platform, cl.update_key, cl.payload, cl.attempts,
       COALESCE(cl.member_id, 0) AS member_id, COALESCE(m.language, '') AS member_language,
       COALESCE(cl.chat_id, 0) AS chat_id, COALESCE(` + chatIsStaffSQL + `, false) AS is_staff, COALESCE(c.language, '') AS chat_language,
       c.id IS NOT NULL AND NOT s.connected AS outside
FROM claimed cl
LEFT JOIN members m ON m.id = cl.member_id
LEFT JOIN chats c ON c.id = cl.chat_id
LEFT JOIN chat_scope s ON s.id = cl.chat_id
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

// ClaimInbound implements inbox.Store. A group connected or
// disconnected since the update was recorded counts as it is now.
func (s *Store) ClaimInbound(ctx context.Context, limit int, lease time.Duration, busy []int64) ([]inbox.Claimed, error) {
	if busy == nil {
		busy = []int64{}
	}
	var rows []claimedRow
	if err := s.db.SelectContext(ctx, &rows, claimInboundSQL, limit, lease.Seconds(), pq.Array(busy)); err != nil {
		return nil, fmt.Errorf("claim recorded updates: %w", err)
	}
	out := make([]inbox.Claimed, len(rows))
	for i, r := range rows {
		out[i] = inbox.Claimed{Claim: inbox.Claim{ID: r.ID, Attempt: r.Attempts}, Platform: community.Platform(r.Platform), Key: r.Key,
			Payload: r.Payload, Recorded: inbox.Recorded{Seen: inbox.SeenUnfinished, Member: community.MemberID(r.Member),
				MemberLanguage: r.MemberLanguage, Chat: community.ChatID(r.Chat), ChatIsStaff: r.IsStaff, ChatLanguage: r.ChatLanguage,
				Outside: r.Outside, Queued: true}}
	}
	return out, nil
}

// RenewInbound implements inbox.Store.
func (s *Store) RenewInbound(ctx context.Context, claims []inbox.Claim, lease time.Duration) error {
	ids, attempts := make([]int64, len(claims)), make([]int64, len(claims))
	for i, c := range claims {
		ids[i], attempts[i] = c.ID, int64(c.Attempt)
	}
	_, err := s.db.ExecContext(ctx, `
UPDATE inbox i SET locked_until = now() + make_interval(secs => $3)
FROM unnest($1::bigint[], $2::int[]) AS c(id, attempt)
WHERE i.id = c.id AND i.attempts = c.attempt`, pq.Array(ids), pq.Array(attempts), lease.Seconds())
	if err != nil {
		return fmt.Errorf("renew %d leases: %w", len(claims), err)
	}
	return nil
}

// ReleaseInbound implements inbox.Store.
func (s *Store) ReleaseInbound(ctx context.Context, c inbox.Claim, after time.Duration, problem string, refund bool) error {
	_, err := s.db.ExecContext(ctx, `
UPDATE inbox SET claimed = false, locked_until = now() + make_interval(secs => $3), last_error = left($4, 2000),
       attempts = attempts - CASE WHEN $5 THEN 1 ELSE 0 END
WHERE id = $1 AND attempts = $2`, c.ID, c.Attempt, after.Seconds(), inbox.CleanText(problem), refund)
	if err != nil {
		return fmt.Errorf("give back update %d: %w", c.ID, err)
	}
	return nil
}

// insertInboxSQL puts the updates that wait to be handled in the inbox.
// One there already (recorded, never handled, delivered again) stays.
const insertInboxSQL = `
INSERT INTO inbox (platform, update_key, queue, seq, payload, member_id, chat_id)
SELECT platform, key, queue, seq, CAST(payload AS jsonb), NULLIF(member, 0), NULLIF(chat, 0)
FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[])
    AS t(platform, key, queue, seq, payload, member, chat)
ORDER BY seq
ON CONFLICT (platform, update_key) DO NOTHING`

// findUnfinished marks the updates seen before and not handled yet. It
// locks their rows until the batch commits: a copy being finished right
// now (FinishUpdate, DeadInbound lock the row first) is waited for and
// found handled, and a finish that comes later waits until this copy is
// queued, where the inbox keeps one of the two. The rows are locked in
// key order, so two batches never wait for each other in a circle.
func findUnfinished(ctx context.Context, tx *sqlx.Tx, batch []inbox.Inbound, out []inbox.Recorded, index map[string]int) error {
	var oldP, oldK []string
	for i, in := range batch {
		if out[i].Seen != inbox.SeenNew {
			oldP, oldK = append(oldP, string(in.Platform)), append(oldK, in.Key)
		}
	}
	if len(oldP) == 0 {
		return nil
	}
	return scanRows(ctx, tx, func(platform, key string) {
		out[index[platform+"\x00"+key]].Seen = inbox.SeenUnfinished
	}, `
SELECT u.platform, u.update_key FROM inbound_updates u
JOIN unnest($1::text[], $2::text[]) AS t(platform, key) ON u.platform = t.platform AND u.update_key = t.key
WHERE u.handled_at IS NULL
ORDER BY u.platform, u.update_key
FOR UPDATE OF u`, pq.Array(oldP), pq.Array(oldK))
}

// queueInInbox puts the new and the unfinished updates that need handling
// in the inbox.
func queueInInbox(ctx context.Context, tx *sqlx.Tx, batch []inbox.Inbound, out []inbox.Recorded, done []bool) error {
	var p, key, queue, payload []string
	var seq, member, chat []int64
	for i, in := range batch {
		if done[i] || out[i].Seen == inbox.SeenHandled || len(in.Payload) == 0 {
			continue
		}
		out[i].Queued = true
		p, key, queue, payload = append(p, string(in.Platform)), append(key, in.Key), append(queue, in.Queue), append(payload, string(in.Payload))
		seq, member, chat = append(seq, in.Seq), append(member, int64(out[i].Member)), append(chat, int64(out[i].Chat))
	}
	if len(p) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, insertInboxSQL, pq.Array(p), pq.Array(key), pq.Array(queue), pq.Array(seq), pq.Array(payload),
		pq.Array(member), pq.Array(chat)); err != nil {
		return fmt.Errorf("queue in the inbox: %w", err)
	}
	return nil
}

// markHandledSQL marks an update handled. A finish and a dead letter run
// it before they take the update out of the inbox: the update's row is
// locked before its inbox row, in the order RecordInbound locks them, so
// that a copy delivered again meanwhile waits and finds it handled, and
// no two of them wait for each other.
const markHandledSQL = `
UPDATE inbound_updates SET handled_at = now() WHERE platform = $1 AND update_key = $2 AND handled_at IS NULL`

// errClaimLost undoes a finish whose claim is no longer the inbox's.
var errClaimLost = errors.New("the claim was lost")

// FinishUpdate implements the chat layer's Store: the update is marked
// handled, leaves the inbox (only for the claim that holds it) and its
// messages are queued, in one transaction. An update whose member was
// erased while it was handled sends only its last words (Reply.Forget).
func (s *Store) FinishUpdate(ctx context.Context, c inbox.Claim, p community.Platform, key string, out []outbox.Outgoing) (bool, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, markHandledSQL, p, key); err != nil {
			return err
		}
		var erased bool
		err := tx.GetContext(ctx, &erased, `DELETE FROM inbox WHERE id = $1 AND attempts = $2 RETURNING erased`, c.ID, c.Attempt)
		if errors.Is(err, sql.ErrNoRows) {
			return errClaimLost // handled already, or the claim was lost to another handler
		}
		if err != nil {
			return err
		}
		if erased {
			out = slices.DeleteFunc(slices.Clone(out), func(o outbox.Outgoing) bool { return !o.Message.Forget })
		}
		return insertDeliveries(ctx, tx, 0, out)
	})
	if errors.Is(err, errClaimLost) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("finish update %s/%s: %w", p, key, err)
	}
	return true, nil
}

// DeadInbound implements inbox.Store: the dead letter, the update's mark
// as handled and its leaving the inbox, in one transaction, in the lock
// order of markHandledSQL.
func (s *Store) DeadInbound(ctx context.Context, d inbox.DeadUpdate) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO inbound_dead (platform, update_key, user_id, reply_user_id, stage, kind, payload, error, attempts, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, left($8, 2000), $9, $10)
ON CONFLICT (platform, update_key) DO UPDATE
SET stage = EXCLUDED.stage, error = EXCLUDED.error, attempts = EXCLUDED.attempts, created_at = EXCLUDED.created_at`,
			d.Platform, inbox.CleanText(d.Key), inbox.CleanText(d.UserID), inbox.CleanText(d.ReplyUserID), d.Stage, string(d.Kind),
			inbox.CleanText(d.Payload), inbox.CleanText(d.Error), d.Attempts, d.At)
		if err != nil {
			return fmt.Errorf("dead letter for %s update %s: %w", d.Platform, d.Key, err)
		}
		if _, err := tx.ExecContext(ctx, markHandledSQL, d.Platform, inbox.CleanText(d.Key)); err != nil {
			return fmt.Errorf("give up %s update %s: %w", d.Platform, d.Key, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM inbox WHERE platform = $1 AND update_key = $2`, d.Platform, inbox.CleanText(d.Key)); err != nil {
			return fmt.Errorf("give up %s update %s: %w", d.Platform, d.Key, err)
		}
		return nil
	})
}

// Waiting implements inbox.Store.
func (s *Store) Waiting(ctx context.Context, p community.Platform, key string) (bool, error) {
	var waiting bool
	err := s.db.GetContext(ctx, &waiting, `SELECT EXISTS (SELECT 1 FROM inbox WHERE platform = $1 AND update_key = $2 AND NOT erased)`, p, key)
	if err != nil {
		return false, fmt.Errorf("is %s update %s waiting: %w", p, key, err)
	}
	return waiting, nil
}

// DeadUpdates implements inbox.Store.
func (s *Store) DeadUpdates(ctx context.Context, limit int) ([]inbox.DeadUpdate, int, error) {
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
	out := make([]inbox.DeadUpdate, len(rows))
	total := 0
	for i, r := range rows {
		out[i] = inbox.DeadUpdate{Platform: community.Platform(r.Platform), Key: r.Key, UserID: r.UserID, Stage: r.Stage,
			Kind: r.Kind, Error: r.Error, Attempts: r.Attempts, At: r.At}
		total = r.Total
	}
	return out, total, nil
}

// EnsureMember implements inbox.Store: the member behind a platform
// user, created on first sight, for an update recorded while its group
// was not yet the community's and handled once it was.
func (s *Store) EnsureMember(ctx context.Context, p community.Platform, u inbox.User) (community.MemberID, string, error) {
	in := []inbox.Inbound{{Platform: p, From: u}}
	out := make([]inbox.Recorded, 1)
	var m memberRow
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		found, err := resolveMembers(ctx, tx, in, out)
		m = found[userKey(p, u.ID)]
		return err
	})
	if err != nil {
		return 0, "", fmt.Errorf("member behind %s user %s: %w", p, u.ID, err)
	}
	return m.id, m.language, nil
}

// PruneInbox deletes the keys of updates handled before handledBefore
// (they only serve to recognise a platform delivering an update again, a
// matter of hours), the dead letters older than deadBefore, and what is
// left of updates erased while a handler that died held them. It works in
// batches of batch rows and returns how many rows it deleted.
func (s *Store) PruneInbox(ctx context.Context, handledBefore, deadBefore time.Time, batch int) (int, error) {
	total := 0
	for _, q := range []struct {
		what, sql string
		before    time.Time
	}{
		{"handled updates", `DELETE FROM inbound_updates WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM inbound_updates WHERE received_at < $1 AND handled_at IS NOT NULL LIMIT $2))`, handledBefore},
		{"dead updates", `DELETE FROM inbound_dead WHERE id IN (SELECT id FROM inbound_dead WHERE created_at < $1 LIMIT $2)`, deadBefore},
		{"erased updates", `DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE erased AND locked_until < $1 LIMIT $2)`, handledBefore},
	} {
		for {
			res, err := s.db.ExecContext(ctx, q.sql, q.before, batch)
			if err != nil {
				return total, fmt.Errorf("prune %s: %w", q.what, err)
			}
			n, _ := res.RowsAffected()
			total += int(n)
			if n < int64(batch) {
				break
			}
		}
	}
	return total, nil
}

// unrecordable marks an error of the database refusing the data itself
// (SQLSTATE classes 22 data exception, 23 integrity, 54 limit exceeded):
// trying the same update again cannot help. Anything else (the database
// away, a failover, a deadlock) is worth waiting for.
func unrecordable(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code.Class() {
		case "22", "23", "54":
			return fmt.Errorf("%w: %w", inbox.ErrUnrecordable, err)
		}
	}
	return err
}
