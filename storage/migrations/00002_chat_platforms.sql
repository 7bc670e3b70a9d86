-- The chat platforms: staff named by owners, inbound updates seen once,
-- members' activity, and the outbox of events and message deliveries.

-- +goose Up

-- Members an owner made staff with /staff add. Owners (from the
-- configuration) and platform administrators are staff without a row here.
CREATE TABLE staff (
    member_id bigint      PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    added_by  bigint      REFERENCES members (id) ON DELETE SET NULL,
    added_at  timestamptz NOT NULL DEFAULT now()
);

-- Every inbound platform update (Telegram update, Discord message or
-- interaction) Hearth has seen, so that a redelivered one has one effect.
-- handled_at is set in the same transaction that queues the update's reply;
-- an update seen but never handled (a crash in between) is handled again.
CREATE TABLE inbound_updates (
    platform    text        NOT NULL,
    update_key  text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    handled_at  timestamptz,
    PRIMARY KEY (platform, update_key)
);
CREATE INDEX inbound_updates_received ON inbound_updates (received_at);

-- What members do in the community: the raw material of engagement.
CREATE TABLE activities (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    chat_id   bigint      REFERENCES chats (id) ON DELETE SET NULL,
    kind      text        NOT NULL CHECK (kind <> ''),
    at        timestamptz NOT NULL
);
CREATE INDEX activities_member_at ON activities (member_id, at);

-- Domain events written in the same transaction as the state change that
-- caused them. The dispatcher renders each into deliveries, one per target.
CREATE TABLE outbox_events (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text        NOT NULL CHECK (kind <> ''),
    payload         jsonb       NOT NULL DEFAULT '{}',
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'rendered', 'dead')),
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    rendered_at     timestamptz
);
CREATE INDEX outbox_events_due ON outbox_events (next_attempt_at) WHERE status = 'pending';

-- One message to one chat (or one member's direct messages), delivered at
-- least once. A reply to a member's command is a delivery with no event.
CREATE TABLE deliveries (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        bigint      REFERENCES outbox_events (id) ON DELETE CASCADE,
    platform        text        NOT NULL CHECK (platform IN ('telegram', 'discord', 'console')),
    target_key      text        NOT NULL, -- one chat's deliveries go out in order
    target          jsonb       NOT NULL, -- chat, direct-message user, reply and interaction handles
    message         jsonb       NOT NULL, -- the platform-neutral message
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    locked_until    timestamptz,
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    sent_ids        text[]      NOT NULL DEFAULT '{}' -- the platform's message ids
);
CREATE INDEX deliveries_pending ON deliveries (platform, target_key, id) WHERE status = 'pending';
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_dead ON deliveries (id) WHERE status = 'dead';

-- Wake every replica's dispatcher when there is something new to send.
-- +goose StatementBegin
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hearth_outbox', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
CREATE TRIGGER deliveries_notify AFTER INSERT ON deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- +goose Down
DROP TABLE deliveries;
DROP TABLE outbox_events;
DROP FUNCTION outbox_notify();
DROP TABLE activities;
DROP TABLE inbound_updates;
DROP TABLE staff;
