package storage

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/support"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

var _ support.RelayStore = (*Store)(nil)

// MemberTicket implements support.RelayStore.
func (s *Store) MemberTicket(ctx context.Context, member community.MemberID, closedSince time.Time) (support.Ticket, bool, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `
SELECT id FROM tickets WHERE member_id = $1 AND (closed_at IS NULL OR closed_at >= $2)
ORDER BY closed_at IS NULL DESC, coalesce(closed_at, opened_at) DESC, id DESC LIMIT 1`, int64(member), closedSince)
	if err == sql.ErrNoRows {
		return support.Ticket{}, false, nil
	}
	if err != nil {
		return support.Ticket{}, false, fmt.Errorf("member %d's ticket: %w", member, err)
	}
	t, err := s.Ticket(ctx, id)
	return t, err == nil, err
}

// PostedTicket implements support.RelayStore: the message's delivery
// (among the chat's sent ones, deliveries_posted), and the ticket its
// event was about (its question, a member's message on it, or an SLA
// alert). PruneOutbox keeps these while their ticket is open.
func (s *Store) PostedTicket(ctx context.Context, platform community.Platform, chat, message string) (int64, bool, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `
SELECT (e.payload->>'ticket')::bigint FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
WHERE d.target_key = $1 || ':' || $2 AND cardinality(d.sent_ids) > 0 AND $3 = ANY (d.sent_ids)
  AND e.kind IN ($4, $5, $6) AND e.payload ? 'ticket'
ORDER BY d.id DESC LIMIT 1`, string(platform), chat, message, support.EventQuestionAsked, support.EventRelayToStaff, support.EventSLAAlert)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("the ticket of message %s: %w", message, err)
	}
	return id, true, nil
}

// AddMessage implements support.RelayStore.
func (s *Store) AddMessage(ctx context.Context, m support.Message, change func(support.Ticket) (support.Ticket, support.Effects, error)) (support.Message, bool, error) {
	added := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		added = false
		t, err := lockTicket(ctx, tx, m.Ticket)
		if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &m.ID, `
INSERT INTO ticket_messages (ticket_id, direction, author_id, author_name, text, at, source)
VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7) ON CONFLICT (source) DO NOTHING RETURNING id`,
			m.Ticket, string(m.Direction), int64(m.Author), m.AuthorName, m.Text, m.At, m.Source)
		if err == sql.ErrNoRows {
			return nil // relayed before
		}
		if err != nil {
			return fmt.Errorf("a message of ticket %d: %w", m.Ticket, err)
		}
		if err := addMessageFiles(ctx, tx, m); err != nil {
			return err
		}
		changed, effects, err := change(t)
		if err != nil {
			return err
		}
		if err := writeTicket(ctx, tx, changed); err != nil {
			return err
		}
		added = true
		return saveEffects(ctx, tx, effects)
	})
	return m, added, err
}

// addMessageFiles records the files of a ticket message, kept already.
func addMessageFiles(ctx context.Context, tx *sqlx.Tx, m support.Message) error {
	if len(m.Files) == 0 {
		return nil
	}
	hashes, names := make([][]byte, len(m.Files)), make([]string, len(m.Files))
	for i, f := range m.Files {
		h, err := feedback.ParseMediaHash(f.Hash)
		if err != nil {
			return fmt.Errorf("a file of ticket %d: %w", m.Ticket, err)
		}
		hashes[i], names[i] = h[:], f.Name
	}
	_, err := tx.ExecContext(ctx, `
INSERT INTO ticket_message_files (message_id, seq, sha256, name)
SELECT $1, f.i - 1, f.sha256, f.name FROM unnest(CAST($2 AS bytea[]), CAST($3 AS text[])) WITH ORDINALITY AS f(sha256, name, i)`,
		m.ID, pq.ByteaArray(hashes), pq.StringArray(names))
	if err != nil {
		return fmt.Errorf("the files of a message of ticket %d: %w", m.Ticket, err)
	}
	return nil
}

// Messages implements support.RelayStore.
func (s *Store) Messages(ctx context.Context, ticket int64) ([]support.Message, error) {
	var rows []struct {
		ID         int64         `db:"id"`
		Direction  string        `db:"direction"`
		Author     sql.NullInt64 `db:"author_id"`
		AuthorName string        `db:"author_name"`
		Text       string        `db:"text"`
		At         time.Time     `db:"at"`
		Source     string        `db:"source"`
	}
	if err := s.db.SelectContext(ctx, &rows, `
SELECT id, direction, author_id, author_name, text, at, source FROM ticket_messages WHERE ticket_id = $1 ORDER BY id`, ticket); err != nil {
		return nil, fmt.Errorf("messages of ticket %d: %w", ticket, err)
	}
	files, err := s.ticketFiles(ctx, ticket)
	if err != nil {
		return nil, err
	}
	out := make([]support.Message, len(rows))
	for i, r := range rows {
		out[i] = support.Message{ID: r.ID, Ticket: ticket, Direction: support.Direction(r.Direction), Author: community.MemberID(r.Author.Int64),
			AuthorName: r.AuthorName, Text: r.Text, Files: files[r.ID], At: r.At, Source: r.Source}
	}
	return out, nil
}

// ticketFiles returns the files of a ticket's messages, by message.
func (s *Store) ticketFiles(ctx context.Context, ticket int64) (map[int64][]support.Attachment, error) {
	var rows []struct {
		Message int64  `db:"message_id"`
		Hash    []byte `db:"sha256"`
		Type    string `db:"type"`
		Name    string `db:"name"`
		Size    int64  `db:"size"`
	}
	if err := s.db.SelectContext(ctx, &rows, `
SELECT f.message_id, f.sha256, md.type, f.name, md.size
FROM ticket_messages m JOIN ticket_message_files f ON f.message_id = m.id JOIN showcase_media md ON md.sha256 = f.sha256
WHERE m.ticket_id = $1 ORDER BY f.message_id, f.seq`, ticket); err != nil {
		return nil, fmt.Errorf("files of ticket %d: %w", ticket, err)
	}
	out := map[int64][]support.Attachment{}
	for _, r := range rows {
		out[r.Message] = append(out[r.Message], support.Attachment{Hash: hex.EncodeToString(r.Hash), Type: r.Type, Name: r.Name, Size: r.Size})
	}
	return out, nil
}

// TicketThread returns the thread of a ticket in a staff chat; false when
// it has none there.
func (s *Store) TicketThread(ctx context.Context, ticket int64, platform community.Platform, chat string) (string, bool, error) {
	var thread string
	err := s.db.GetContext(ctx, &thread, `SELECT thread_id FROM ticket_threads WHERE ticket_id = $1 AND platform = $2 AND chat_id = $3`,
		ticket, string(platform), chat)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("the thread of ticket %d: %w", ticket, err)
	}
	return thread, true, nil
}

// SaveTicketThread records the thread opened for a ticket in a staff
// chat; when another was recorded first (two renders at once), it
// returns that one.
func (s *Store) SaveTicketThread(ctx context.Context, ticket int64, platform community.Platform, chat, thread string) (string, error) {
	var saved string
	err := s.db.GetContext(ctx, &saved, `
WITH ins AS (INSERT INTO ticket_threads (ticket_id, platform, chat_id, thread_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (ticket_id, platform, chat_id) DO NOTHING RETURNING thread_id)
SELECT thread_id FROM ins UNION ALL
SELECT thread_id FROM ticket_threads WHERE ticket_id = $1 AND platform = $2 AND chat_id = $3 LIMIT 1`, ticket, string(platform), chat, thread)
	if err != nil {
		return "", fmt.Errorf("save the thread of ticket %d: %w", ticket, err)
	}
	return saved, nil
}

// ThreadTicket returns the ticket whose thread in a staff chat this is;
// false when it is no ticket's. The chat is the staff chat, or the thread
// itself where a thread is a channel (Discord).
func (s *Store) ThreadTicket(ctx context.Context, platform community.Platform, chat, thread string) (int64, bool, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT ticket_id FROM ticket_threads WHERE platform = $1 AND thread_id = $3 AND (chat_id = $2 OR thread_id = $2)`,
		string(platform), chat, thread)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("the ticket of thread %s: %w", thread, err)
	}
	return id, true, nil
}
