-- A vote records its activity only the first time a member votes for an
-- item: the check looked through every activity of the voter (a regular
-- has tens of thousands), tens of milliseconds per press. The items'
-- activities ("item:N") get an index of their own; built concurrently,
-- so a large community keeps recording activity while it is built.

-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS activities_member_item ON activities (member_id, kind, message_id)
WHERE message_id LIKE 'item:%';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS activities_member_item;
