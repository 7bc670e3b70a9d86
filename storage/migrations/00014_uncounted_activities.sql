-- Messages automod removes earn nothing: their activities stay (so that
-- /purge and reports still find them) but stop counting toward
-- engagement and loyalty points. uncounted_xid is the transaction that
-- uncounted them, so that a standings recomputation that read the
-- activities before it can take them back out when it saves.

-- +goose Up
ALTER TABLE activities
    ADD COLUMN uncounted_at  timestamptz, -- when automod removed the message
    ADD COLUMN uncounted_xid xid8;        -- the transaction that did
CREATE INDEX activities_uncounted ON activities (member_id) WHERE uncounted_xid IS NOT NULL;

-- +goose Down
DROP INDEX activities_uncounted;
ALTER TABLE activities DROP COLUMN uncounted_xid, DROP COLUMN uncounted_at;
