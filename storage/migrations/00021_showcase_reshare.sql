-- The showcase's way from a review to a reshare and back: where an owner
-- wants customers' posts reshared on each platform, the review card's
-- event (an album's files join the post only until the card is shown),
-- each consent request as it was shown (the ledger records that text,
-- never one built again), the reshare each consent made (its deliveries
-- hold the platforms' message ids, so that the consent's end can delete
-- them), and the withdrawals: a consent that ended (revoked, expired, or
-- its author erased), whose reshares were taken down once.

-- +goose Up
SET LOCAL lock_timeout = '10s';

ALTER TABLE showcase_submissions
    -- Telegram's media_group_id of the album the post came as: the
    -- album's other photos join the submission ('' for a single post).
    ADD COLUMN album      text   NOT NULL DEFAULT '',
    -- The event of the review card (NULL once pruned).
    ADD COLUMN card_event bigint REFERENCES outbox_events (id) ON DELETE SET NULL;
CREATE INDEX showcase_submissions_album ON showcase_submissions (member_id, platform, album) WHERE album <> '';
CREATE INDEX showcase_submissions_card_event ON showcase_submissions (card_event) WHERE card_event IS NOT NULL;

CREATE TABLE showcase_places (
    platform  text        PRIMARY KEY,
    chat_id   bigint      NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    thread_id text        NOT NULL DEFAULT '',
    set_by    bigint      REFERENCES members (id) ON DELETE SET NULL,
    set_at    timestamptz NOT NULL
);
CREATE INDEX showcase_places_chat ON showcase_places (chat_id);
CREATE INDEX showcase_places_set_by ON showcase_places (set_by) WHERE set_by IS NOT NULL;

-- A consent request as shown to the author: its buttons name the row, and
-- an answer records this text, language and duration in the ledger. An
-- erasure deletes the author's requests (they quote the caption).
CREATE TABLE showcase_requests (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    submission_id bigint      NOT NULL REFERENCES showcase_submissions (id) ON DELETE CASCADE,
    member_id     bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    text          text        NOT NULL CHECK (text <> ''),
    language      text        NOT NULL,
    months        integer     NOT NULL CHECK (months BETWEEN 1 AND 120),
    created_at    timestamptz NOT NULL
);
CREATE INDEX showcase_requests_submission ON showcase_requests (submission_id);
-- An erasure finds the notices about the member's posts by this.
CREATE INDEX outbox_events_showcase_reviewed ON outbox_events (((payload->>'submission')::bigint)) WHERE kind = 'showcase.reviewed';
CREATE INDEX showcase_requests_member ON showcase_requests (member_id);

-- The reshare a consent made: the event whose deliveries are its
-- messages on each platform.
CREATE TABLE showcase_reshares (
    consent_id bigint PRIMARY KEY REFERENCES showcase_consents (id),
    event_id   bigint REFERENCES outbox_events (id) ON DELETE SET NULL
);
CREATE INDEX showcase_reshares_event ON showcase_reshares (event_id) WHERE event_id IS NOT NULL;

-- A consent that ended and the reshares taken down for it, once: the
-- row is written with the event that deletes them, in the transaction
-- that ends the consent (a revocation, an erasure, a renewal of an
-- expired one) or that notices its end (the expiry job).
CREATE TABLE showcase_withdrawals (
    consent_id    bigint      PRIMARY KEY REFERENCES showcase_consents (id),
    submission_id bigint      NOT NULL REFERENCES showcase_submissions (id),
    reason        text        NOT NULL CHECK (reason IN ('revoked', 'expired', 'erased')),
    at            timestamptz NOT NULL
);
CREATE INDEX showcase_withdrawals_submission ON showcase_withdrawals (submission_id);

-- +goose Down
DROP INDEX outbox_events_showcase_reviewed;
DROP TABLE showcase_withdrawals;
DROP TABLE showcase_reshares;
DROP TABLE showcase_requests;
DROP TABLE showcase_places;
DROP INDEX showcase_submissions_card_event;
DROP INDEX showcase_submissions_album;
ALTER TABLE showcase_submissions DROP COLUMN card_event, DROP COLUMN album;
