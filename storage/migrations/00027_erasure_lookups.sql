-- What erasing a member looks up, found by index rather than by reading
-- whole tables. The update keys that carry one of their user ids:
-- Discord's "reaction:<message>:<user>:<emoji>", "join:<guild>:<user>:
-- <time>" and "leave:<guild>:<user>:<time>", the user always the third
-- part (bots/discord). Finding them read every key
-- of the last week (700,000 at a million members, 0.2 s); this index
-- holds only those kinds of key, by user. And the shop customers with
-- their Telegram username, which erasure takes off (lower case, as
-- compared): it read every customer. Built concurrently, so a large
-- community keeps working while they are built.

-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS inbound_updates_user ON inbound_updates (platform, split_part(update_key, ':', 3))
WHERE update_key ~ '^(reaction|join|leave):';
CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_telegram_username ON customers (lower(telegram_username)) WHERE telegram_username <> '';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS customers_telegram_username;
DROP INDEX CONCURRENTLY IF EXISTS inbound_updates_user;
