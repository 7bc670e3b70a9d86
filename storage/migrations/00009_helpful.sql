-- Helpful answers: /helpful marks a reply as helpful, by staff or by the
-- member who asked.

-- +goose Up
-- The message an activity answers: the message it replies to or, when it
-- replies to none, the thread or forum topic it was posted in; '' when
-- neither. It is how /helpful finds who asked.
ALTER TABLE activities ADD COLUMN reply_to text NOT NULL DEFAULT '';
-- An answer is marked helpful once.
CREATE UNIQUE INDEX activities_helpful_once ON activities (chat_id, message_id) WHERE kind = 'helpful_answer';

-- +goose Down
DROP INDEX activities_helpful_once;
ALTER TABLE activities DROP COLUMN reply_to;
