-- The ground floor: members and their platform identities, the chats the bot
-- is in, and the audit log of who did what.

-- +goose Up

-- A member is one person, however many platform accounts they use.
CREATE TABLE members (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name text        NOT NULL DEFAULT '',
    language     text        NOT NULL DEFAULT '', -- '' = the community default
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Each (platform, platform user id) points to exactly one member.
CREATE TABLE identities (
    platform         text        NOT NULL CHECK (platform IN ('telegram', 'discord', 'console')),
    platform_user_id text        NOT NULL CHECK (platform_user_id <> ''),
    member_id        bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    username         text        NOT NULL DEFAULT '',
    display_name     text        NOT NULL DEFAULT '',
    language         text        NOT NULL DEFAULT '', -- as the platform reports it
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, platform_user_id)
);
CREATE INDEX identities_member ON identities (member_id);
-- Staff commands target members by @username.
CREATE INDEX identities_username ON identities (platform, lower(username)) WHERE username <> '';

-- A chat the bot is in: a group (Telegram group, Discord guild), a channel
-- inside one (parent_id), or a direct conversation with a member.
CREATE TABLE chats (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform         text        NOT NULL CHECK (platform IN ('telegram', 'discord', 'console')),
    platform_chat_id text        NOT NULL CHECK (platform_chat_id <> ''),
    kind             text        NOT NULL CHECK (kind IN ('group', 'channel', 'direct')),
    parent_id        bigint      REFERENCES chats (id) ON DELETE CASCADE,
    title            text        NOT NULL DEFAULT '',
    is_staff         boolean     NOT NULL DEFAULT false,
    language         text        NOT NULL DEFAULT '', -- '' = the community default
    added_at         timestamptz NOT NULL DEFAULT now(),
    removed_at       timestamptz, -- set when the bot leaves or is removed
    UNIQUE (platform, platform_chat_id)
);
-- Each platform has at most one staff chat.
CREATE UNIQUE INDEX chats_one_staff_chat ON chats (platform) WHERE is_staff;

-- Who did what to whom, where and why. Rows outlive the members they name:
-- erasing a member leaves the action with an empty actor or target.
CREATE TABLE audit_log (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at               timestamptz NOT NULL DEFAULT now(),
    actor_member_id  bigint      REFERENCES members (id) ON DELETE SET NULL,
    action           text        NOT NULL CHECK (action <> ''),
    target_member_id bigint      REFERENCES members (id) ON DELETE SET NULL,
    chat_id          bigint      REFERENCES chats (id) ON DELETE SET NULL,
    reason           text        NOT NULL DEFAULT '',
    details          jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_target ON audit_log (target_member_id, at DESC) WHERE target_member_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log (actor_member_id, at DESC) WHERE actor_member_id IS NOT NULL;

-- +goose Down
DROP TABLE audit_log;
DROP TABLE chats;
DROP TABLE identities;
DROP TABLE members;
