-- The showcase: customers' posts the brand reshares with their consent.
-- Media is kept here, not on a replica's disk, so that every replica can
-- read it; each file once, by its SHA-256 (the same photo submitted twice
-- is one file), in chunks, so that a 20 MB video is written and read a
-- piece at a time instead of as one value held whole in memory.
-- The consent ledger is append-only, enforced here, not only by the code
-- that writes it: it is the proof of what an author allowed.

-- +goose Up
CREATE TABLE showcase_media (
    sha256     bytea       PRIMARY KEY CHECK (length(sha256) = 32),
    type       text        NOT NULL CHECK (type IN ('image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4')),
    size       bigint      NOT NULL CHECK (size > 0),
    created_at timestamptz NOT NULL
);

-- A file's bytes in order, 1 MiB a chunk. Its hash is known only once
-- the last chunk is read: the chunks are written under a provisional key
-- and the key is updated to the hash, in one transaction (ON UPDATE
-- CASCADE moves the chunks without rewriting their data). Photos and videos are
-- compressed already: EXTERNAL keeps them out of line without trying to
-- compress them again.
CREATE TABLE showcase_media_chunks (
    sha256 bytea   NOT NULL REFERENCES showcase_media (sha256) ON DELETE CASCADE ON UPDATE CASCADE,
    seq    integer NOT NULL CHECK (seq >= 0),
    data   bytea   NOT NULL CHECK (length(data) > 0),
    PRIMARY KEY (sha256, seq)
);
ALTER TABLE showcase_media_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- A member's post for the showcase; staff review it (pending -> approved
-- or rejected, with a reason), then its author answers the consent
-- request (approved -> consented or declined). Erasure keeps the row,
-- anonymous and without its media, because the ledger refers to it.
CREATE TABLE showcase_submissions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint      REFERENCES members (id) ON DELETE SET NULL, -- the author; NULL: a former member
    platform    text        NOT NULL,
    chat_id     bigint      REFERENCES chats (id) ON DELETE SET NULL, -- where it was posted
    caption     text        NOT NULL DEFAULT '' CHECK (char_length(caption) <= 1024),
    status      text        NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'consented', 'declined')),
    reason      text        NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
    reviewed_by bigint      REFERENCES members (id) ON DELETE SET NULL,
    reviewed_at timestamptz,
    created_at  timestamptz NOT NULL,
    CHECK ((status = 'pending') = (reviewed_at IS NULL)),
    CHECK (status <> 'rejected' OR reason <> '' OR member_id IS NULL) -- an erasure takes the reason too
);
CREATE INDEX showcase_submissions_member ON showcase_submissions (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX showcase_submissions_chat ON showcase_submissions (chat_id) WHERE chat_id IS NOT NULL;
CREATE INDEX showcase_submissions_reviewed_by ON showcase_submissions (reviewed_by) WHERE reviewed_by IS NOT NULL;
CREATE INDEX showcase_submissions_status ON showcase_submissions (status, created_at DESC);

-- The files of a submission in their order (an album has several), each
-- with the member's message it came in. member_id repeats the author's so
-- that a member submits a file once: a second submission of the same
-- file is refused by showcase_submission_media_once, which the store
-- turns into "already submitted as #N".
CREATE TABLE showcase_submission_media (
    submission_id bigint   NOT NULL REFERENCES showcase_submissions (id) ON DELETE CASCADE,
    position      smallint NOT NULL CHECK (position >= 0),
    sha256        bytea    NOT NULL REFERENCES showcase_media (sha256),
    message_id    text     NOT NULL DEFAULT '',
    member_id     bigint   REFERENCES members (id) ON DELETE SET NULL,
    PRIMARY KEY (submission_id, position)
);
CREATE UNIQUE INDEX showcase_submission_media_once ON showcase_submission_media (member_id, sha256);
CREATE INDEX showcase_submission_media_sha256 ON showcase_submission_media (sha256);

-- The consent ledger: each answer an author gave, with the exact text
-- they were shown (and its SHA-256, which stays when the text goes with
-- an erasure, as proof of what was allowed), its language, the scope,
-- the credit chosen, how long it lasts and through which message it came.
-- Rows are appended, never changed, except: revoked_at is set once, and
-- an erasure takes the member and the text out (member_id -> NULL, text
-- -> ''). showcase_consents_append_only refuses everything else.
CREATE TABLE showcase_consents (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id     bigint      REFERENCES members (id) ON DELETE SET NULL,
    submission_id bigint      NOT NULL REFERENCES showcase_submissions (id),
    scopes        text[]      NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['community', 'brand']),
    text          text        NOT NULL,
    text_hash     bytea       NOT NULL CHECK (length(text_hash) = 32),
    language      text        NOT NULL DEFAULT '',
    decision      text        NOT NULL CHECK (decision IN ('allow', 'allow_anonymous', 'decline')),
    credit        text        NOT NULL CHECK (credit IN ('named', 'anonymous', 'none')),
    granted_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    platform      text        NOT NULL,
    message_id    text        NOT NULL DEFAULT '',
    CHECK (credit = CASE decision WHEN 'allow' THEN 'named' WHEN 'allow_anonymous' THEN 'anonymous' ELSE 'none' END),
    CHECK (expires_at > granted_at),
    CHECK (revoked_at IS NULL OR revoked_at >= granted_at)
);
CREATE INDEX showcase_consents_submission ON showcase_consents (submission_id, id DESC);
CREATE INDEX showcase_consents_member ON showcase_consents (member_id) WHERE member_id IS NOT NULL;
-- The expiry job's sweep: consents still in force, by when they end.
CREATE INDEX showcase_consents_expiring ON showcase_consents (expires_at) WHERE revoked_at IS NULL AND decision <> 'decline';

-- +goose StatementBegin
CREATE FUNCTION showcase_consents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'showcase_consents is append-only: % refused', TG_OP;
    END IF;
    IF (NEW.id, NEW.submission_id, NEW.scopes, NEW.text_hash, NEW.language, NEW.decision, NEW.credit,
        NEW.granted_at, NEW.expires_at, NEW.platform, NEW.message_id)
       IS DISTINCT FROM
       (OLD.id, OLD.submission_id, OLD.scopes, OLD.text_hash, OLD.language, OLD.decision, OLD.credit,
        OLD.granted_at, OLD.expires_at, OLD.platform, OLD.message_id) THEN
        RAISE EXCEPTION 'showcase_consents is append-only: consent % may only be revoked or anonymised', OLD.id;
    END IF;
    IF NEW.revoked_at IS DISTINCT FROM OLD.revoked_at AND (OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL) THEN
        RAISE EXCEPTION 'showcase_consents is append-only: consent % is revoked once', OLD.id;
    END IF;
    -- An erasure takes the member and the text together, from a consent
    -- revoked (by the erasure, first): an anonymous consent is never in
    -- force, and nobody could revoke it.
    IF (NEW.member_id IS DISTINCT FROM OLD.member_id OR NEW.text IS DISTINCT FROM OLD.text)
       AND NOT (NEW.member_id IS NULL AND NEW.text = '' AND NEW.revoked_at IS NOT NULL) THEN
        RAISE EXCEPTION 'showcase_consents is append-only: consent % may lose its member and text only together, once revoked', OLD.id;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER showcase_consents_append_only BEFORE UPDATE OR DELETE ON showcase_consents
    FOR EACH ROW EXECUTE FUNCTION showcase_consents_append_only();
CREATE TRIGGER showcase_consents_no_truncate BEFORE TRUNCATE ON showcase_consents
    FOR EACH STATEMENT EXECUTE FUNCTION showcase_consents_append_only();

-- +goose Down
DROP TABLE showcase_consents;
DROP FUNCTION showcase_consents_append_only();
DROP TABLE showcase_submission_media;
DROP TABLE showcase_submissions;
DROP TABLE showcase_media_chunks;
DROP TABLE showcase_media;
