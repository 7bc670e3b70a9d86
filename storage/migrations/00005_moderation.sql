-- Moderation: warnings and the sanctions they lead to, staff notes,
-- members' reports and the staff reviews the CLV guardrail opens.

-- +goose Up

-- A warning counts toward the warning ladder until it expires or staff
-- remove it.
CREATE TABLE warnings (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id    bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    by_member_id bigint      REFERENCES members (id) ON DELETE SET NULL, -- NULL: automod
    reason       text        NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    removed_at   timestamptz,
    removed_by   bigint      REFERENCES members (id) ON DELETE SET NULL
);
CREATE INDEX warnings_active ON warnings (member_id, at) WHERE removed_at IS NULL;

-- A mute, ban or kick of a member in some of the community's groups,
-- written 'platform:group id'. It is in force until it is lifted: by
-- staff, or at its end by the expiry job where the platform does not end
-- it by itself. A kick is over as soon as it is done.
CREATE TABLE sanctions (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id    bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('mute', 'ban', 'kick')),
    groups       text[]      NOT NULL CHECK (cardinality(groups) > 0),
    by_member_id bigint      REFERENCES members (id) ON DELETE SET NULL, -- NULL: automod or the ladder after automod
    reason       text        NOT NULL DEFAULT '',
    at           timestamptz NOT NULL,
    until        timestamptz, -- NULL: no end
    renew_at     timestamptz, -- when a platform that caps mutes (Discord: 28 days) must be told again
    lifted_at    timestamptz,
    lifted_by    bigint      REFERENCES members (id) ON DELETE SET NULL,
    lift_reason  text        NOT NULL DEFAULT ''
);
CREATE INDEX sanctions_in_force ON sanctions (member_id) WHERE lifted_at IS NULL;
CREATE INDEX sanctions_due ON sanctions (until) WHERE lifted_at IS NULL AND until IS NOT NULL;
CREATE INDEX sanctions_renew ON sanctions (renew_at) WHERE lifted_at IS NULL AND renew_at IS NOT NULL;

-- Staff's private notes on a member.
CREATE TABLE moderation_notes (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id    bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    by_member_id bigint      REFERENCES members (id) ON DELETE SET NULL,
    text         text        NOT NULL CHECK (text <> ''),
    at           timestamptz NOT NULL
);
CREATE INDEX moderation_notes_member ON moderation_notes (member_id, at DESC);

-- A member reporting another member's message to staff. The text is kept
-- so staff can judge it after the message is gone.
CREATE TABLE reports (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reporter_id      bigint      REFERENCES members (id) ON DELETE SET NULL,
    reported_id      bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    chat_id          bigint      REFERENCES chats (id) ON DELETE SET NULL,
    platform         text        NOT NULL,
    group_id         text        NOT NULL, -- the community group: the Telegram chat, the Discord server
    platform_chat_id text        NOT NULL, -- where the message is: the Telegram chat, the Discord channel
    message_id       text        NOT NULL,
    message_text     text        NOT NULL DEFAULT '',
    reason           text        NOT NULL DEFAULT '',
    at               timestamptz NOT NULL,
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'deleted', 'warned', 'muted', 'dismissed')),
    closed_by        bigint      REFERENCES members (id) ON DELETE SET NULL,
    closed_at        timestamptz
);
CREATE INDEX reports_reporter ON reports (reporter_id, at DESC);
CREATE INDEX reports_open ON reports (reported_id) WHERE status = 'open';

-- A staff review the CLV guardrail opens when the warning ladder would
-- ban a VIP: the member is muted instead until staff decide.
CREATE TABLE moderation_reviews (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    sanction_id bigint      REFERENCES sanctions (id) ON DELETE SET NULL, -- the mute given instead
    groups      text[]      NOT NULL,
    reason      text        NOT NULL DEFAULT '',
    ban_seconds bigint      NOT NULL DEFAULT 0, -- the ban the ladder asked for; 0: for good
    at          timestamptz NOT NULL,
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'banned', 'lifted', 'dismissed')),
    closed_by   bigint      REFERENCES members (id) ON DELETE SET NULL,
    closed_at   timestamptz
);
CREATE INDEX moderation_reviews_open ON moderation_reviews (member_id) WHERE status = 'open';

-- Automod counts a member's recent messages in a chat to confirm a flood.
CREATE INDEX activities_member_chat_messages ON activities (member_id, chat_id, at) WHERE message_id <> '';

-- +goose Down
DROP INDEX activities_member_chat_messages;
DROP TABLE moderation_reviews;
DROP TABLE reports;
DROP TABLE moderation_notes;
DROP TABLE sanctions;
DROP TABLE warnings;
