-- A sent announcement records its recipients a batch at a time, each in
-- a transaction of its own, instead of all of them when it is sent:
-- 300,000 members took one transaction of 10 s. expanded_through is how
-- far the batches have gone (recipients are taken in member id order), so
-- a batch run again after a crash, or by a second replica, records no
-- one twice.

-- +goose Up
ALTER TABLE announcements ADD COLUMN expanded_through bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE announcements DROP COLUMN expanded_through;
