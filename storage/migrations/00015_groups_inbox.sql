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

-- The one home of "is this chat the community's": a direct conversation
-- is its member's own; a Discord channel is the community's when its
-- server is connected; a group when it is connected itself.
CREATE VIEW chat_scope AS
SELECT c.id,
       CASE WHEN c.kind = 'direct' THEN true
            WHEN p.id IS NOT NULL THEN p.connected_at IS NOT NULL
            ELSE c.connected_at IS NOT NULL END AS connected
FROM chats c LEFT JOIN chats p ON p.id = c.parent_id;

-- Until now every group Hearth was in counted. The staff chats were chosen
-- by owners: they, and the Discord servers they are in, stay connected.
-- Owners connect the others with /connect, or list them in the
-- configuration; /groups shows those waiting.
UPDATE chats SET connected_at = now(), connected_via = 'owner'
WHERE is_staff AND parent_id IS NULL AND kind <> 'direct';
UPDATE chats SET connected_at = now(), connected_via = 'owner'
WHERE id IN (SELECT parent_id FROM chats WHERE is_staff AND parent_id IS NOT NULL);

-- Who sent each update and where, so that an erasure finds a member's
-- updates and the private chats they wrote in (a Discord DM channel
-- names nobody). New columns without a default: no table rewrite.
ALTER TABLE inbound_updates
    ADD COLUMN member_id bigint REFERENCES members (id) ON DELETE SET NULL,
    ADD COLUMN chat_id   bigint REFERENCES chats (id) ON DELETE SET NULL;
CREATE INDEX inbound_updates_member ON inbound_updates (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX inbound_updates_chat ON inbound_updates (chat_id) WHERE chat_id IS NOT NULL;

-- The inbox: each recorded update waiting to be handled, whole (payload).
-- queue orders handling: one chat's updates (or, outside any chat, one
-- user's) one after the other, by the platform's own order (seq: the
-- Telegram update id, the Discord snowflake), then the order recorded;
-- different queues in parallel. A handler holds its update with a lease
-- (claimed, locked_until), renewed while it works; attempts counts the
-- claims and fences them (only the latest claim may finish, renew or give
-- back the update). A handled update leaves the inbox. erased: the member
-- asked to be forgotten while the update was being handled; it names
-- nobody and its handler may send only its last words.
CREATE TABLE inbox (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform     text        NOT NULL,
    update_key   text        NOT NULL,
    queue        text        NOT NULL,
    seq          bigint      NOT NULL DEFAULT 0,
    payload      jsonb,
    member_id    bigint      REFERENCES members (id) ON DELETE SET NULL,
    chat_id      bigint      REFERENCES chats (id) ON DELETE SET NULL,
    claimed      boolean     NOT NULL DEFAULT false,
    locked_until timestamptz,
    attempts     int         NOT NULL DEFAULT 0,
    last_error   text        NOT NULL DEFAULT '',
    erased       boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, update_key),
    CHECK (erased OR payload IS NOT NULL)
);
CREATE INDEX inbox_order ON inbox (queue, seq, id) WHERE NOT erased;
CREATE INDEX inbox_member ON inbox (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX inbox_chat ON inbox (chat_id) WHERE chat_id IS NOT NULL;

-- Updates Hearth gave up on: ones the database refused to record (stage
-- 'record') or whose handling failed every attempt (stage 'handle'). The
-- update is acknowledged so that the others keep flowing; owners see these
-- with /outbox. user_id is the sender's platform id and reply_user_id the
-- author of the message it answered, so that /forgetme finds them.
CREATE TABLE inbound_dead (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform      text        NOT NULL,
    update_key    text        NOT NULL,
    user_id       text        NOT NULL DEFAULT '',
    reply_user_id text        NOT NULL DEFAULT '',
    stage         text        NOT NULL CHECK (stage IN ('record', 'handle')),
    kind          text        NOT NULL DEFAULT '',
    payload       text        NOT NULL DEFAULT '', -- the update as JSON, with text PostgreSQL cannot hold dropped
    error         text        NOT NULL DEFAULT '',
    attempts      int         NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, update_key)
);
CREATE INDEX inbound_dead_user ON inbound_dead (platform, user_id) WHERE user_id <> '';
CREATE INDEX inbound_dead_reply_user ON inbound_dead (platform, reply_user_id) WHERE reply_user_id <> '';
CREATE INDEX inbound_dead_created ON inbound_dead (created_at);

-- +goose Down
DROP TABLE inbound_dead;
DROP TABLE inbox;
DROP INDEX inbound_updates_chat;
DROP INDEX inbound_updates_member;
ALTER TABLE inbound_updates DROP COLUMN chat_id, DROP COLUMN member_id;
DROP VIEW chat_scope;
DROP INDEX chats_connected_by;
ALTER TABLE chats
    DROP CONSTRAINT chats_connected_via,
    DROP COLUMN outsider_told_at, DROP COLUMN connected_via, DROP COLUMN connected_by, DROP COLUMN connected_at;
