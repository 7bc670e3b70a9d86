package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

type warningRow struct {
	ID      int64     `db:"id"`
	Member  int64     `db:"member_id"`
	By      int64     `db:"by_member_id"`
	Reason  string    `db:"reason"`
	At      time.Time `db:"at"`
	Expires time.Time `db:"expires_at"`
}

func selectWarnings(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]community.Warning, error) {
	var rows []warningRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("load warnings: %w", err)
	}
	out := make([]community.Warning, len(rows))
	for i, r := range rows {
		out[i] = community.Warning{ID: r.ID, Member: community.MemberID(r.Member), By: community.MemberID(r.By), Reason: r.Reason, At: r.At, Expires: r.Expires}
	}
	return out, nil
}

type sanctionRow struct {
	ID      int64          `db:"id"`
	Member  int64          `db:"member_id"`
	Kind    string         `db:"kind"`
	Groups  pq.StringArray `db:"groups"`
	By      int64          `db:"by_member_id"`
	Reason  string         `db:"reason"`
	At      time.Time      `db:"at"`
	Until   sql.NullTime   `db:"until"`
	RenewAt sql.NullTime   `db:"renew_at"`
	Lifted  sql.NullTime   `db:"lifted_at"`
}

func selectSanctions(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]community.Sanction, error) {
	var rows []sanctionRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("load sanctions: %w", err)
	}
	out := make([]community.Sanction, len(rows))
	for i, r := range rows {
		groups, err := parseGroups(r.Groups)
		if err != nil {
			return nil, fmt.Errorf("sanction %d: %w", r.ID, err)
		}
		out[i] = community.Sanction{ID: r.ID, Member: community.MemberID(r.Member), Kind: community.SanctionKind(r.Kind), Groups: groups,
			By: community.MemberID(r.By), Reason: r.Reason, At: r.At, Until: r.Until.Time, RenewAt: r.RenewAt.Time, Lifted: r.Lifted.Time}
	}
	return out, nil
}

type reportRow struct {
	ID        int64     `db:"id"`
	Reporter  int64     `db:"reporter_id"`
	Reported  int64     `db:"reported_id"`
	Chat      int64     `db:"chat_id"`
	Platform  string    `db:"platform"`
	Group     string    `db:"group_id"`
	ChatRef   string    `db:"platform_chat_id"`
	MessageID string    `db:"message_id"`
	Text      string    `db:"message_text"`
	Reason    string    `db:"reason"`
	At        time.Time `db:"at"`
	Status    string    `db:"status"`
}

func selectReports(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]community.Report, error) {
	var rows []reportRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("load reports: %w", err)
	}
	out := make([]community.Report, len(rows))
	for i, r := range rows {
		out[i] = community.Report{ID: r.ID, Reporter: community.MemberID(r.Reporter), Reported: community.MemberID(r.Reported),
			Chat: community.ChatID(r.Chat), Group: community.Group{Platform: community.Platform(r.Platform), ID: r.Group},
			ChatRef: r.ChatRef, MessageID: r.MessageID, Text: r.Text, Reason: r.Reason, At: r.At, Status: r.Status}
	}
	return out, nil
}

type reviewRow struct {
	ID       int64          `db:"id"`
	Member   int64          `db:"member_id"`
	Sanction int64          `db:"sanction_id"`
	Groups   pq.StringArray `db:"groups"`
	Reason   string         `db:"reason"`
	BanFor   int64          `db:"ban_seconds"`
	At       time.Time      `db:"at"`
	Status   string         `db:"status"`
}

func selectReviews(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]community.Review, error) {
	var rows []reviewRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("load reviews: %w", err)
	}
	out := make([]community.Review, len(rows))
	for i, r := range rows {
		groups, err := parseGroups(r.Groups)
		if err != nil {
			return nil, fmt.Errorf("review %d: %w", r.ID, err)
		}
		out[i] = community.Review{ID: r.ID, Member: community.MemberID(r.Member), Sanction: r.Sanction, Groups: groups,
			Reason: r.Reason, BanFor: time.Duration(r.BanFor) * time.Second, At: r.At, Status: r.Status}
	}
	return out, nil
}

// one returns the only element of a lookup by id, or not-found.
func one[T any](list []T, err error, what string, id int64) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(list) == 0 {
		return zero, community.ModerationNotFound(what, id)
	}
	return list[0], nil
}

// Warning implements community.ModerationStore.
func (s *Store) Warning(ctx context.Context, id int64) (community.Warning, error) {
	list, err := selectWarnings(ctx, s.db, `SELECT `+warningColumns+` FROM warnings WHERE id = $1`, id)
	return one(list, err, "warning", id)
}

// Sanction implements community.ModerationStore.
func (s *Store) Sanction(ctx context.Context, id int64) (community.Sanction, error) {
	list, err := selectSanctions(ctx, s.db, `SELECT `+sanctionColumns+` FROM sanctions WHERE id = $1`, id)
	return one(list, err, "sanction", id)
}

// Report implements community.ModerationStore.
func (s *Store) Report(ctx context.Context, id int64) (community.Report, error) {
	list, err := selectReports(ctx, s.db, `SELECT `+reportColumns+` FROM reports WHERE id = $1`, id)
	return one(list, err, "report", id)
}

// Review implements community.ModerationStore.
func (s *Store) Review(ctx context.Context, id int64) (community.Review, error) {
	list, err := selectReviews(ctx, s.db, `SELECT `+reviewColumns+` FROM moderation_reviews WHERE id = $1`, id)
	return one(list, err, "review", id)
}

// FileReport implements community.ModerationStore. What admit decides
// holds across replicas: the reporter's reports are serialized by an
// advisory lock, and the last one is read under it.
func (s *Store) FileReport(ctx context.Context, r *community.Report, admit func(last time.Time) error) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('hearth.report.' || $1, 0))`, int64(r.Reporter)); err != nil {
			return fmt.Errorf("lock the reports of member %d: %w", r.Reporter, err)
		}
		var last sql.NullTime
		if err := tx.GetContext(ctx, &last, `SELECT max(at) FROM reports WHERE reporter_id = $1`, int64(r.Reporter)); err != nil {
			return fmt.Errorf("last report of member %d: %w", r.Reporter, err)
		}
		if err := admit(last.Time); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &r.ID, `
INSERT INTO reports (reporter_id, reported_id, chat_id, platform, group_id, platform_chat_id, message_id, message_text, reason, at)
VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			int64(r.Reporter), int64(r.Reported), int64(r.Chat), string(r.Group.Platform), r.Group.ID, r.ChatRef, r.MessageID, r.Text, r.Reason, r.At); err != nil {
			return fmt.Errorf("file a report of member %d: %w", r.Reported, err)
		}
		return saveEffects(ctx, tx, r.Effects())
	})
}

// AddNote implements community.ModerationStore.
func (s *Store) AddNote(ctx context.Context, n *community.Note) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &n.ID, `INSERT INTO moderation_notes (member_id, by_member_id, text, at) VALUES ($1, NULLIF($2, 0), $3, $4) RETURNING id`,
			int64(n.Member), int64(n.By), n.Text, n.At); err != nil {
			return fmt.Errorf("add a note on member %d: %w", n.Member, err)
		}
		return saveEffects(ctx, tx, n.Effects())
	})
}

// DueSanctions implements community.ModerationStore.
func (s *Store) DueSanctions(ctx context.Context, now time.Time, limit int) ([]community.Sanction, error) {
	return selectSanctions(ctx, s.db, `SELECT `+sanctionColumns+` FROM sanctions
WHERE lifted_at IS NULL AND until IS NOT NULL AND until <= $1 ORDER BY until, id LIMIT $2`, now, limit)
}

// DueRenewals implements community.ModerationStore.
func (s *Store) DueRenewals(ctx context.Context, now time.Time, limit int) ([]community.Sanction, error) {
	return selectSanctions(ctx, s.db, `SELECT `+sanctionColumns+` FROM sanctions
WHERE lifted_at IS NULL AND renew_at IS NOT NULL AND renew_at <= $1 AND (until IS NULL OR until > $1) ORDER BY renew_at, id LIMIT $2`, now, limit)
}

// RecentMessages implements community.ModerationStore.
func (s *Store) RecentMessages(ctx context.Context, chat community.ChatID, limit int) ([]string, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `
SELECT message_id FROM activities WHERE chat_id = $1 AND message_id <> '' AND kind IN ('message', 'reply') ORDER BY at DESC, id DESC LIMIT $2`, int64(chat), limit); err != nil {
		return nil, fmt.Errorf("recent messages of chat %d: %w", chat, err)
	}
	return ids, nil
}

// MessagesFrom implements community.ModerationStore. Every platform
// numbers a chat's messages in increasing order (Telegram's message ids,
// Discord's snowflakes, the console's counter), so "from a message on" is
// a numeric comparison; the message itself must be recorded. The
// messages are looked for from a minute before it was written on,
// newest first, through the chat's index by time rather than through
// its whole history; the plan is kept serial, as its work is a few rows
// (starting parallel workers cost more than the query).
func (s *Store) MessagesFrom(ctx context.Context, chat community.ChatID, messageID string, limit int) ([]string, error) {
	var ids []string
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &ids, `
SELECT message_id FROM (
    SELECT a.message_id, a.at FROM activities a
    WHERE a.chat_id = $1 AND a.message_id <> ''
      AND a.at >= (SELECT min(at) - interval '1 minute' FROM activities
                   WHERE chat_id = $1 AND message_id = CAST($2 AS text) AND message_id <> '')
      AND a.message_id ~ '^[0-9]+$' AND CAST(a.message_id AS numeric) >= CAST(CAST($2 AS text) AS numeric)
    ORDER BY a.at DESC LIMIT $3) t
ORDER BY CAST(message_id AS numeric) DESC`, int64(chat), messageID, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("messages of chat %d from %s: %w", chat, messageID, err)
	}
	return ids, nil
}
