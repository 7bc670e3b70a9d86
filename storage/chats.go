package storage

import (
	"context"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// SetChatPresent implements the chat layer's Store: Hearth was added to a chat (it is
// recorded, or recorded again) or removed from it.
func (s *Store) SetChatPresent(ctx context.Context, p community.Platform, chat inbox.Chat, present bool) error {
	var err error
	if present {
		_, err = s.db.ExecContext(ctx, `
INSERT INTO chats (platform, platform_chat_id, kind, title) VALUES ($1, $2, $3, $4)
ON CONFLICT (platform, platform_chat_id) DO UPDATE
SET removed_at = NULL, added_at = CASE WHEN chats.removed_at IS NULL THEN chats.added_at ELSE now() END,
    title = CASE WHEN EXCLUDED.title = '' THEN chats.title ELSE EXCLUDED.title END`,
			p, chat.ID, chat.Kind, chat.Title)
	} else {
		_, err = s.db.ExecContext(ctx, `UPDATE chats SET removed_at = now(), is_staff = false WHERE platform = $1 AND platform_chat_id = $2 AND removed_at IS NULL`, p, chat.ID)
	}
	if err != nil {
		return fmt.Errorf("record %s chat %s present=%t: %w", p, chat.ID, present, err)
	}
	return nil
}

// GroupIDs returns the platform ids of the community's groups on p: the
// connected groups Hearth is in, whose administrators are staff.
func (s *Store) GroupIDs(ctx context.Context, p community.Platform) ([]string, error) {
	var ids []string
	err := s.db.SelectContext(ctx, &ids, `SELECT platform_chat_id FROM chats WHERE platform = $1 AND kind = 'group' AND parent_id IS NULL AND connected_at IS NOT NULL AND removed_at IS NULL ORDER BY id`, p)
	if err != nil {
		return nil, fmt.Errorf("load %s groups: %w", p, err)
	}
	return ids, nil
}

func (s *Store) chats(ctx context.Context, where string, args ...any) ([]community.Chat, error) {
	var rows []struct {
		ID       int64  `db:"id"`
		Platform string `db:"platform"`
		ChatID   string `db:"platform_chat_id"`
		Kind     string `db:"kind"`
		Title    string `db:"title"`
		IsStaff  bool   `db:"is_staff"`
		Language string `db:"language"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, platform, platform_chat_id, kind, title, is_staff, language FROM chats `+where, args...); err != nil {
		return nil, fmt.Errorf("load chats: %w", err)
	}
	out := make([]community.Chat, len(rows))
	for i, r := range rows {
		out[i] = community.Chat{ID: community.ChatID(r.ID), Platform: community.Platform(r.Platform), PlatformID: r.ChatID,
			Kind: community.ChatKind(r.Kind), Title: r.Title, IsStaff: r.IsStaff, Language: r.Language}
	}
	return out, nil
}
