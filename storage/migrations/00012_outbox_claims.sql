-- Outbox claims with a token. A dispatcher claims events and deliveries for
-- a short lease and renews it while it works; each claim has its own token
-- so that a dispatcher whose lease ran out (and whose items another one
-- took over) can neither renew, release nor mark them any more. Chats are
-- claimed in the order their oldest waiting delivery became due, walking
-- the due deliveries in (next_attempt_at, id) order.

-- +goose Up
ALTER TABLE outbox_events ADD COLUMN claim uuid;
ALTER TABLE deliveries ADD COLUMN claim uuid;
CREATE INDEX deliveries_due_order ON deliveries (next_attempt_at, id) WHERE status = 'pending';
DROP INDEX deliveries_due;

-- +goose Down
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
DROP INDEX deliveries_due_order;
ALTER TABLE deliveries DROP COLUMN claim;
ALTER TABLE outbox_events DROP COLUMN claim;
