-- Tickets: members' questions to staff ("Ask a question"), open until a
-- staff member marks them answered. /tickets lists the open ones, the most
-- valuable members first, and /whois shows a member's.

-- +goose Up
CREATE TABLE tickets (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    platform  text        NOT NULL,
    asked_in  text        NOT NULL DEFAULT '', -- the chat's title; '' for a private chat
    text      text        NOT NULL,
    opened_at timestamptz NOT NULL,
    closed_at timestamptz,
    closed_by bigint      REFERENCES members (id) ON DELETE SET NULL,
    CHECK (closed_by IS NULL OR closed_at IS NOT NULL)
);
CREATE INDEX tickets_open ON tickets (member_id) WHERE closed_at IS NULL;

-- +goose Down
DROP TABLE tickets;
