-- Help places: the group chats, Telegram forum topics and Discord
-- channels an owner marked with /sethelp, where a member's plain message
-- is a question to the knowledge base, answered in place. And the
-- private threads Hearth opens for a member who asked with /ask in a
-- Discord channel, where their later messages are handled as private
-- messages to Hearth.

-- +goose Up
SET LOCAL lock_timeout = '10s';

CREATE TABLE help_places (
    platform  text        NOT NULL,
    chat_id   text        NOT NULL,
    thread_id text        NOT NULL DEFAULT '', -- a forum topic; '' for the whole chat
    title     text        NOT NULL,            -- the chat (and topic) as named when it was marked
    set_by    bigint      REFERENCES members (id) ON DELETE SET NULL,
    set_at    timestamptz NOT NULL,
    PRIMARY KEY (platform, chat_id, thread_id)
);

CREATE TABLE member_threads (
    platform  text        NOT NULL,
    thread_id text        NOT NULL,
    chat_id   text        NOT NULL, -- the channel the thread is in
    member_id bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    opened_at timestamptz NOT NULL,
    PRIMARY KEY (platform, thread_id)
);
CREATE INDEX member_threads_member ON member_threads (member_id);

-- +goose Down
DROP TABLE member_threads;
DROP TABLE help_places;
