package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
)

// ModerationGroups implements community.ModerationStore.
func (s *Store) ModerationGroups(ctx context.Context, p community.Platform) ([]community.Chat, error) {
	return s.chats(ctx, `WHERE platform = $1 AND kind = 'group' AND NOT is_staff AND connected_at IS NOT NULL AND removed_at IS NULL ORDER BY id`, p)
}

// MemberMessagesSince implements community.AutomodStore.
func (s *Store) MemberMessagesSince(ctx context.Context, member community.MemberID, chat community.ChatID, since time.Time) ([]string, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `
SELECT message_id FROM activities WHERE member_id = $1 AND chat_id = $2 AND at >= $3 AND message_id <> '' AND kind IN ('message', 'reply') ORDER BY at DESC, id DESC`,
		int64(member), int64(chat), since); err != nil {
		return nil, fmt.Errorf("messages of member %d in chat %d: %w", member, chat, err)
	}
	return ids, nil
}

// LastJoined implements community.AutomodStore.
func (s *Store) LastJoined(ctx context.Context, member community.MemberID) (time.Time, error) {
	var at sql.NullTime
	if err := s.db.GetContext(ctx, &at, `SELECT max(at) FROM activities WHERE member_id = $1 AND kind = 'join'`, int64(member)); err != nil {
		return time.Time{}, fmt.Errorf("when member %d joined: %w", member, err)
	}
	return at.Time, nil
}

// MessageAuthor implements the chat layer's ModerationStore.
func (s *Store) MessageAuthor(ctx context.Context, chat community.ChatID, messageID string) (community.MemberID, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT member_id FROM activities WHERE chat_id = $1 AND message_id = $2 LIMIT 1`, int64(chat), messageID); err != nil {
		return 0, fmt.Errorf("author of message %s: %w", messageID, err)
	}
	if len(ids) == 0 {
		return 0, community.ReportedMessageNotRecorded(chat, messageID)
	}
	return community.MemberID(ids[0]), nil
}

// LoggedAction implements community.ModerationStore.
func (s *Store) LoggedAction(ctx context.Context, id int64) (community.Action, error) {
	list, err := s.loggedActions(ctx, `WHERE id = $1 AND action LIKE 'moderation.%' AND details ? 'kind'`, id)
	return one(list, err, "staff log entry", id)
}

// LoggedActions implements the chat layer's ModerationStore.
func (s *Store) LoggedActions(ctx context.Context, member community.MemberID, limit int) ([]community.Action, error) {
	return s.loggedActions(ctx, `WHERE action LIKE 'moderation.%' AND details ? 'kind' AND ($1 = 0 OR target_member_id = $1)
ORDER BY id DESC LIMIT $2`, int64(member), limit)
}

func (s *Store) loggedActions(ctx context.Context, where string, args ...any) ([]community.Action, error) {
	var rows []struct {
		ID      int64  `db:"id"`
		Details []byte `db:"details"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, details FROM audit_log `+where, args...); err != nil {
		return nil, fmt.Errorf("staff log: %w", err)
	}
	out := make([]community.Action, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal(r.Details, &out[i]); err != nil {
			return nil, fmt.Errorf("staff log entry %d: %w", r.ID, err)
		}
		out[i].Log = r.ID
	}
	return out, nil
}
