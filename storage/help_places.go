package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
	"github.com/jmoiron/sqlx"
)

// SaveHelpPlace implements support.HelpPlaceStore.
func (s *Store) SaveHelpPlace(ctx context.Context, p support.HelpPlace, audit community.AuditEntry) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
INSERT INTO help_places (platform, chat_id, thread_id, title, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (platform, chat_id, thread_id) DO UPDATE SET title = excluded.title`,
			string(p.Platform), p.Chat, p.Thread, p.Title, nullID(int64(p.SetBy)), p.SetAt); err != nil {
			return fmt.Errorf("mark %s chat %s as a help place: %w", p.Platform, p.Chat, err)
		}
		return writeAudit(ctx, tx, audit)
	})
}

// DeleteHelpPlace implements support.HelpPlaceStore.
func (s *Store) DeleteHelpPlace(ctx context.Context, p support.HelpPlace, audit community.AuditEntry) (bool, error) {
	deleted := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM help_places WHERE platform = $1 AND chat_id = $2 AND thread_id = $3`,
			string(p.Platform), p.Chat, p.Thread)
		if err != nil {
			return fmt.Errorf("unmark help place %s chat %s: %w", p.Platform, p.Chat, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		deleted = true
		return writeAudit(ctx, tx, audit)
	})
	return deleted, err
}

type helpPlaceRow struct {
	Platform string        `db:"platform"`
	Chat     string        `db:"chat_id"`
	Thread   string        `db:"thread_id"`
	Title    string        `db:"title"`
	SetBy    sql.NullInt64 `db:"set_by"`
	SetAt    time.Time     `db:"set_at"`
}

// HelpPlaces implements support.HelpPlaceStore.
func (s *Store) HelpPlaces(ctx context.Context) ([]support.HelpPlace, error) {
	var rows []helpPlaceRow
	if err := sqlx.SelectContext(ctx, s.db, &rows, `SELECT * FROM help_places ORDER BY platform, chat_id, thread_id`); err != nil {
		return nil, fmt.Errorf("help places: %w", err)
	}
	out := make([]support.HelpPlace, len(rows))
	for i, r := range rows {
		out[i] = support.HelpPlace{Platform: community.Platform(r.Platform), Chat: r.Chat, Thread: r.Thread, Title: r.Title,
			SetBy: community.MemberID(r.SetBy.Int64), SetAt: r.SetAt}
	}
	return out, nil
}

// IsHelpPlace implements support.HelpPlaceStore: the thread marked, or
// the whole chat.
func (s *Store) IsHelpPlace(ctx context.Context, platform community.Platform, chat, thread string) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `
SELECT EXISTS (SELECT 1 FROM help_places WHERE platform = $1 AND chat_id = $2 AND thread_id IN ('', $3))`, string(platform), chat, thread)
	if err != nil {
		return false, fmt.Errorf("is %s chat %s a help place: %w", platform, chat, err)
	}
	return ok, nil
}

// SaveMemberThread keeps the private thread Hearth opened in a channel
// for a member's question: their messages there are theirs to Hearth.
func (s *Store) SaveMemberThread(ctx context.Context, platform community.Platform, chat, thread string, member community.MemberID, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `
INSERT INTO member_threads (platform, thread_id, chat_id, member_id, opened_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (platform, thread_id) DO NOTHING`, string(platform), thread, chat, int64(member), at); err != nil {
		return fmt.Errorf("save member %d's thread %s: %w", member, thread, err)
	}
	return nil
}

// MemberThread returns the member whose private thread this is; false
// when it is no member's.
func (s *Store) MemberThread(ctx context.Context, platform community.Platform, thread string) (community.MemberID, bool, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT member_id FROM member_threads WHERE platform = $1 AND thread_id = $2`, string(platform), thread)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("the member of thread %s: %w", thread, err)
	}
	return community.MemberID(id), true, nil
}

// MemberThreads lists every member's private thread.
func (s *Store) MemberThreads(ctx context.Context) ([]support.Thread, error) {
	var rows []struct {
		Platform string `db:"platform"`
		Thread   string `db:"thread_id"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT platform, thread_id FROM member_threads`); err != nil {
		return nil, fmt.Errorf("members' threads: %w", err)
	}
	out := make([]support.Thread, len(rows))
	for i, r := range rows {
		out[i] = support.Thread{Platform: community.Platform(r.Platform), ID: r.Thread}
	}
	return out, nil
}
