-- The showcase's reshares: where an owner wants customers' posts
-- reshared on each platform, the message a consent's reshare is sent as
-- (its deliveries hold the platforms' message ids, so that a revocation
-- can delete them), and the withdrawals: a consent that ended (revoked,
-- expired, or its author erased), whose reshares were taken down once.

-- +goose Up
ALTER TABLE showcase_submissions
    -- Telegram's media_group_id of the album the post came as: the
    -- album's other photos join the submission ('' for a single post).
    ADD COLUMN album         text   NOT NULL DEFAULT '',
    -- The event the reshare was rendered from: its deliveries are the
    -- reshares (NULL: never reshared).
    ADD COLUMN reshare_event bigint REFERENCES outbox_events (id) ON DELETE SET NULL;
CREATE INDEX showcase_submissions_album ON showcase_submissions (member_id, platform, album) WHERE album <> '';
CREATE INDEX showcase_submissions_reshare_event ON showcase_submissions (reshare_event) WHERE reshare_event IS NOT NULL;

CREATE TABLE showcase_places (
    platform  text        PRIMARY KEY,
    chat_id   bigint      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    thread_id text        NOT NULL DEFAULT '',
    set_by    bigint      REFERENCES members (id) ON DELETE SET NULL,
    set_at    timestamptz NOT NULL
);
CREATE INDEX showcase_places_chat ON showcase_places (chat_id);
CREATE INDEX showcase_places_set_by ON showcase_places (set_by) WHERE set_by IS NOT NULL;

-- A consent that ended and the reshares taken down for it, once: the
-- row is written with the event that deletes them, in the transaction
-- that ends the consent (a revocation, an erasure) or that notices its
-- end (the expiry job).
CREATE TABLE showcase_withdrawals (
    consent_id    bigint      PRIMARY KEY REFERENCES showcase_consents (id),
    submission_id bigint      NOT NULL REFERENCES showcase_submissions (id),
    reason        text        NOT NULL CHECK (reason IN ('revoked', 'expired', 'erased')),
    at            timestamptz NOT NULL
);
CREATE INDEX showcase_withdrawals_submission ON showcase_withdrawals (submission_id);

-- +goose Down
DROP TABLE showcase_withdrawals;
DROP TABLE showcase_places;
DROP INDEX showcase_submissions_reshare_event;
DROP INDEX showcase_submissions_album;
ALTER TABLE showcase_submissions DROP COLUMN reshare_event, DROP COLUMN album;
