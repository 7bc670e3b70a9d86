-- Staff answer a ticket by replying to Hearth's message about it in the
-- staff chat: finding which ticket that message was about read every
-- delivery kept. This index holds the sent messages by chat.

-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS deliveries_posted ON deliveries (target_key, id) WHERE cardinality(sent_ids) > 0;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS deliveries_posted;
