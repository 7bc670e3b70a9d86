-- Erasing a member finds the outbox events and audit entries that hold
-- their id as a number anywhere in their JSON (jsonb_path_exists with
-- 'strict $.** ? (@ == $m)'). No index serves that path, so each erasure
-- read every event and every audit entry: 1,000,000 events after a
-- standings run at a million members, 4-6 s.
--
-- jsonb_integers lists the whole numbers of a document (42 and 42.0
-- alike, as == compares them; a member id is never a fraction), walked
-- by the same path, as a jsonb array. A GIN index of it finds the rows
-- whose list holds the id (@>), and the erasure keeps the exact
-- jsonb_path_exists as a recheck. jsonb_path_ops hashes each number, so
-- one too large for bigint costs four bytes like any other: nothing is
-- cast, and no document can fail an insert.
--
-- The audit entries that name a platform account instead (a command
-- refused outside the community, a group an owner connected: "platform"
-- and "user", or "by" as "platform:user id") were found by reading every
-- entry too (100,000 at a million members); two partial indexes hold
-- only those. Built concurrently, so a large community keeps working
-- while they are built; each is dropped first, so that a run cut short
-- (which leaves an invalid index behind) can simply be run again.

-- +goose NO TRANSACTION
-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION jsonb_integers(doc jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_path_query_array(doc, 'strict $.** ? (@.type() == "number" && @ == @.floor())')
$$;
-- +goose StatementEnd
DROP INDEX CONCURRENTLY IF EXISTS outbox_events_integers;
CREATE INDEX CONCURRENTLY outbox_events_integers ON outbox_events USING gin (jsonb_integers(payload) jsonb_path_ops);
DROP INDEX CONCURRENTLY IF EXISTS audit_log_integers;
CREATE INDEX CONCURRENTLY audit_log_integers ON audit_log USING gin (jsonb_integers(details) jsonb_path_ops);
DROP INDEX CONCURRENTLY IF EXISTS audit_log_user;
CREATE INDEX CONCURRENTLY audit_log_user ON audit_log ((details->>'platform'), (details->>'user')) WHERE details ? 'user';
DROP INDEX CONCURRENTLY IF EXISTS audit_log_by_account;
CREATE INDEX CONCURRENTLY audit_log_by_account ON audit_log ((details->>'by')) WHERE jsonb_typeof(details->'by') = 'string';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS audit_log_by_account;
DROP INDEX CONCURRENTLY IF EXISTS audit_log_user;
DROP INDEX CONCURRENTLY IF EXISTS audit_log_integers;
DROP INDEX CONCURRENTLY IF EXISTS outbox_events_integers;
DROP FUNCTION IF EXISTS jsonb_integers(jsonb);
