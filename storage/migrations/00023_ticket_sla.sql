-- Tickets with an SLA: the urgency decided from the member's standing
-- when the ticket opened (and their tier then), the first-response and
-- resolution due times the policy set, when staff first answered, who
-- claimed it, what they wrote when closing it, when it was last reopened,
-- and the member's satisfaction (CSAT, 1-5, and a comment). Tickets
-- opened before are low, due when they opened, and raise no SLA alert. And the SLA alerts
-- raised: a reminder or a breach of a ticket's clock, once per due time.
-- And each ticket's conversation: the member's messages, staff's replies
-- relayed to them and staff's internal notes, each keyed by the chat
-- update it came from, so that it is relayed once; and each ticket's
-- thread in a staff chat (a forum topic).

-- +goose Up
SET LOCAL lock_timeout = '10s';

ALTER TABLE tickets
    ADD COLUMN urgency            text        NOT NULL DEFAULT 'low' CHECK (urgency IN ('urgent', 'high', 'normal', 'low')),
    ADD COLUMN first_response_due timestamptz,
    ADD COLUMN resolution_due     timestamptz,
    ADD COLUMN first_response_at  timestamptz,
    ADD COLUMN assignee_id        bigint      REFERENCES members (id) ON DELETE SET NULL,
    ADD COLUMN resolution         text        NOT NULL DEFAULT '',
    ADD COLUMN reopened_at        timestamptz,
    ADD COLUMN tier               text        NOT NULL DEFAULT '', -- the member's when it opened; '' when not ranked
    ADD COLUMN csat               smallint    CHECK (csat BETWEEN 1 AND 5),
    ADD COLUMN csat_comment       text        NOT NULL DEFAULT '',
    ADD COLUMN csat_at            timestamptz;
UPDATE tickets SET first_response_due = opened_at, resolution_due = opened_at;
ALTER TABLE tickets
    ALTER COLUMN first_response_due SET NOT NULL,
    ALTER COLUMN resolution_due SET NOT NULL;
CREATE INDEX tickets_assignee ON tickets (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX tickets_opened_at ON tickets (opened_at);

CREATE TABLE ticket_sla_alerts (
    ticket_id bigint      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    clock     text        NOT NULL CHECK (clock IN ('first_response', 'resolution')),
    kind      text        NOT NULL CHECK (kind IN ('reminder', 'breach')),
    due       timestamptz NOT NULL,
    raised_at timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, clock, kind, due)
);
-- Tickets opened before had no targets: they raise no alert.
INSERT INTO ticket_sla_alerts (ticket_id, clock, kind, due, raised_at)
SELECT t.id, c.clock, k.kind, t.opened_at, now()
FROM tickets t CROSS JOIN (VALUES ('first_response'), ('resolution')) AS c (clock)
CROSS JOIN (VALUES ('reminder'), ('breach')) AS k (kind);

CREATE TABLE ticket_messages (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   bigint      NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    direction   text        NOT NULL CHECK (direction IN ('in', 'out', 'note')),
    author_id   bigint      REFERENCES members (id) ON DELETE SET NULL,
    author_name text        NOT NULL, -- '' once the author is forgotten
    text        text        NOT NULL,
    at          timestamptz NOT NULL,
    source      text        NOT NULL UNIQUE -- the chat update: platform:id
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);
CREATE INDEX ticket_messages_author ON ticket_messages (author_id) WHERE author_id IS NOT NULL;

-- The thread of each ticket in a staff chat: a Telegram forum topic.
CREATE TABLE ticket_threads (
    ticket_id bigint NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    platform  text   NOT NULL,
    chat_id   text   NOT NULL,
    thread_id text   NOT NULL,
    PRIMARY KEY (ticket_id, platform, chat_id),
    UNIQUE (platform, chat_id, thread_id)
);
CREATE INDEX ticket_threads_thread ON ticket_threads (platform, thread_id); -- a thread that is a chat of its own

-- +goose Down
DROP TABLE ticket_threads;
DROP TABLE ticket_messages;
DROP TABLE ticket_sla_alerts;
ALTER TABLE tickets
    DROP COLUMN csat_at,
    DROP COLUMN csat_comment,
    DROP COLUMN csat,
    DROP COLUMN tier,
    DROP COLUMN reopened_at,
    DROP COLUMN resolution,
    DROP COLUMN assignee_id,
    DROP COLUMN first_response_at,
    DROP COLUMN resolution_due,
    DROP COLUMN first_response_due,
    DROP COLUMN urgency;
