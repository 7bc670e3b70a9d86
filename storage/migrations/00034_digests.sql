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

-- +goose Down
DROP TABLE digests;
