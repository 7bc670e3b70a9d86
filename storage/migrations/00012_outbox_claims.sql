-- Outbox claims with a token. A dispatcher claims events and deliveries for
-- a short lease and renews it while it works; each claim has its own token
-- so that a dispatcher whose lease ran out (and whose items another one
-- took over) can neither renew, release nor mark them any more.

-- +goose Up
ALTER TABLE outbox_events ADD COLUMN claim uuid;
ALTER TABLE deliveries ADD COLUMN claim uuid;

-- +goose Down
ALTER TABLE deliveries DROP COLUMN claim;
ALTER TABLE outbox_events DROP COLUMN claim;
