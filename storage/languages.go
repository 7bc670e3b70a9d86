package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

// SetMemberLanguage implements the chat layer's LanguageStore.
func (s *Store) SetMemberLanguage(ctx context.Context, member community.MemberID, lang string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE members SET language = $2, updated_at = $3 WHERE id = $1`, int64(member), lang, at)
	if err != nil {
		return fmt.Errorf("set member %d's language: %w", member, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return community.MemberNotFound(member)
	}
	return nil
}

// SetChatLanguage implements the chat layer's LanguageStore. In a Discord channel the
// whole server changes: the server and its channels, but the staff chat.
func (s *Store) SetChatLanguage(ctx context.Context, chat community.ChatID, lang string, by community.MemberID, at time.Time) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		var changed []int64
		if err := tx.SelectContext(ctx, &changed, `
WITH target AS (
    SELECT id, is_staff, COALESCE(parent_id, id) AS grp FROM chats WHERE id = $1
)
UPDATE chats c SET language = $2
FROM target t
WHERE c.id = t.id OR (NOT t.is_staff AND NOT c.is_staff AND (c.id = t.grp OR c.parent_id = t.grp))
RETURNING c.id`, int64(chat), lang); err != nil {
			return fmt.Errorf("set chat %d's language: %w", chat, err)
		}
		if len(changed) == 0 {
			return community.ChatNotKnown(chat)
		}
		return writeAudit(ctx, tx, community.ChatLanguageAudit(chat, lang, len(changed), by, at))
	})
}
