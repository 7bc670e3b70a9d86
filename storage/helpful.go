package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// Answer implements support.Store: the message's author and the author of
// what it answers, both found by their recorded activities.
func (s *Store) Answer(ctx context.Context, chat community.ChatID, message string) (support.Answer, error) {
	var row struct {
		Author sql.NullInt64 `db:"author"`
		Asker  sql.NullInt64 `db:"asker"`
	}
	err := s.db.GetContext(ctx, &row, `
SELECT a.member_id AS author,
       (SELECT q.member_id FROM activities q
        WHERE q.chat_id = a.chat_id AND q.message_id = a.reply_to AND a.reply_to <> ''
          AND q.kind IN ('message', 'reply', 'thread_started')
        ORDER BY q.id LIMIT 1) AS asker
FROM activities a
WHERE a.chat_id = $1 AND a.message_id = $2 AND a.kind IN ('message', 'reply')
ORDER BY a.id LIMIT 1`, int64(chat), message)
	if err == sql.ErrNoRows {
		return support.Answer{}, support.AnswerNotRecorded(chat, message)
	}
	if err != nil {
		return support.Answer{}, fmt.Errorf("answer %s of chat %d: %w", message, chat, err)
	}
	return support.Answer{Chat: chat, Message: message, Author: community.MemberID(row.Author.Int64),
		Asker: community.MemberID(row.Asker.Int64)}, nil
}

// RecordHelpful implements support.Store: the credit is an activity of the
// answer's author, recorded once per message (activities_helpful_once).
func (s *Store) RecordHelpful(ctx context.Context, c support.Credit) (bool, error) {
	res, err := s.db.ExecContext(ctx, `
INSERT INTO activities (member_id, chat_id, kind, at, message_id) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (chat_id, message_id) WHERE kind = 'helpful_answer' DO NOTHING`, int64(c.Member), int64(c.Chat), string(c.Activity), c.At, c.Message)
	if err != nil {
		return false, fmt.Errorf("mark message %s of chat %d helpful: %w", c.Message, c.Chat, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
