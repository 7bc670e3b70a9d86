-- +goose Up
-- The weekly digests (issue 19): one row per ISO week ("2026-W49"), kept
-- so that staff can read a past digest again. The primary key makes a
-- digest, and the event that posts it, happen once a week whatever the
-- replicas and restarts.
CREATE TABLE digests (
    week    text        PRIMARY KEY CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    made_at timestamptz NOT NULL,
    digest  jsonb       NOT NULL
);

-- Each VIP's P(alive) when a week's digest was made, so that the next
-- week's can see it fall. Staff-only, like CLV; erased with the member.
CREATE TABLE digest_p_alive (
    week      text             NOT NULL REFERENCES digests (week) ON DELETE CASCADE,
    member_id bigint           NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    p_alive   double precision NOT NULL CHECK (p_alive >= 0 AND p_alive <= 1),
    PRIMARY KEY (week, member_id)
);
CREATE INDEX digest_p_alive_member ON digest_p_alive (member_id);

-- An erasure finds the digests' posts by this (storage/digest_store.go).
CREATE INDEX outbox_events_digest_ready ON outbox_events (id) WHERE kind = 'digest.ready';

-- +goose Down
DROP INDEX outbox_events_digest_ready;
DROP TABLE digest_p_alive;
DROP TABLE digests;
