-- The community is a list of groups an owner connected, and the inbox:
-- every update that needs handling is kept whole until it is handled, so
-- that adapters acknowledge an update once it is recorded and handling runs
-- from here, in order per chat; updates that cannot be recorded or handled
-- go to the dead letters instead of stopping the others.

-- +goose Up

-- A group (a Telegram group, a Discord server) belongs to the community
-- once connected: by an owner adding Hearth (Telegram), by an owner's
-- /connect in it, or by the configuration. A Discord channel belongs to
-- the community through its server. Elsewhere Hearth does nothing.
ALTER TABLE chats
    ADD COLUMN connected_at  timestamptz,
    ADD COLUMN connected_by  bigint REFERENCES members (id) ON DELETE SET NULL,
    ADD COLUMN connected_via text NOT NULL DEFAULT '' CHECK (connected_via IN ('', 'owner', 'config')),
    -- when the people of an unconnected group were told (once) that an
    -- owner must connect it
    ADD COLUMN outsider_told_at timestamptz,
    ADD CONSTRAINT chats_connected_via CHECK ((connected_at IS NULL) = (connected_via = ''));
CREATE INDEX chats_connected_by ON chats (connected_by) WHERE connected_by IS NOT NULL;

-- Until now every group Hearth was in counted. The staff chats were chosen
-- by owners: they, and the Discord servers they are in, stay connected.
-- Owners connect the others with /connect, or list them in the
-- configuration; /groups shows those waiting.
UPDATE chats SET connected_at = now(), connected_via = 'owner'
WHERE is_staff AND parent_id IS NULL AND kind <> 'direct';
UPDATE chats SET connected_at = now(), connected_via = 'owner'
WHERE id IN (SELECT parent_id FROM chats WHERE is_staff AND parent_id IS NOT NULL);
-- The console's simulated community is always the owner's own.
UPDATE chats SET connected_at = now(), connected_via = 'config'
WHERE platform = 'console' AND kind <> 'direct' AND connected_at IS NULL;

-- The inbox. queue orders updates: one chat's (or, outside any chat, one
-- user's) are handled one after the other; different queues in parallel.
-- payload is the whole update, kept until it is handled and then cleared.
-- locked_until is the lease of the process handling it.
ALTER TABLE inbound_updates
    ADD COLUMN id           bigint GENERATED ALWAYS AS IDENTITY,
    ADD COLUMN queue        text NOT NULL DEFAULT '',
    ADD COLUMN payload      jsonb,
    ADD COLUMN member_id    bigint REFERENCES members (id) ON DELETE SET NULL,
    ADD COLUMN chat_id      bigint REFERENCES chats (id) ON DELETE SET NULL,
    ADD COLUMN locked_until timestamptz,
    ADD COLUMN attempts     int NOT NULL DEFAULT 0,
    ADD COLUMN last_error   text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX inbound_updates_id ON inbound_updates (id);
CREATE INDEX inbound_updates_waiting ON inbound_updates (queue, id) WHERE handled_at IS NULL;
CREATE INDEX inbound_updates_member ON inbound_updates (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX inbound_updates_chat ON inbound_updates (chat_id) WHERE chat_id IS NOT NULL;

-- Updates Hearth gave up on: ones the database refused to record (stage
-- 'record') or whose handling failed every attempt (stage 'handle'). The
-- update is acknowledged so that the others keep flowing; owners see these
-- with /outbox. user_id is the sender's platform id, so that /forgetme
-- finds them.
CREATE TABLE inbound_dead (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform   text        NOT NULL,
    update_key text        NOT NULL,
    user_id    text        NOT NULL DEFAULT '',
    stage      text        NOT NULL CHECK (stage IN ('record', 'handle')),
    kind       text        NOT NULL DEFAULT '',
    payload    text        NOT NULL DEFAULT '', -- the update as JSON, with text PostgreSQL cannot hold escaped
    error      text        NOT NULL DEFAULT '',
    attempts   int         NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, update_key)
);
CREATE INDEX inbound_dead_user ON inbound_dead (platform, user_id) WHERE user_id <> '';

-- +goose Down
DROP TABLE inbound_dead;
DROP INDEX inbound_updates_chat;
DROP INDEX inbound_updates_member;
DROP INDEX inbound_updates_waiting;
DROP INDEX inbound_updates_id;
ALTER TABLE inbound_updates
    DROP COLUMN last_error, DROP COLUMN attempts, DROP COLUMN locked_until, DROP COLUMN chat_id,
    DROP COLUMN member_id, DROP COLUMN payload, DROP COLUMN queue, DROP COLUMN id;
DROP INDEX chats_connected_by;
ALTER TABLE chats
    DROP CONSTRAINT chats_connected_via,
    DROP COLUMN outsider_told_at, DROP COLUMN connected_via, DROP COLUMN connected_by, DROP COLUMN connected_at;
