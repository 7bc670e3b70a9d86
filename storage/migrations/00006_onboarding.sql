-- Onboarding: the welcome texts staff wrote, and each member joining a
-- group with its welcome and its captcha.

-- +goose Up

-- Staff's own welcome message per language ('en', 'ru', ...); a language
-- without one uses the catalog's text.
CREATE TABLE welcome_templates (
    language   text        PRIMARY KEY CHECK (language <> ''),
    template   text        NOT NULL CHECK (template <> ''),
    updated_by bigint      REFERENCES members (id) ON DELETE SET NULL,
    updated_at timestamptz NOT NULL
);

-- A member joining a community group, recorded once per platform update.
-- welcome_event and captcha_event are the outbox events that post the
-- welcome and the captcha message: their deliveries keep the platform's
-- message ids, by which the messages are deleted later.
CREATE TABLE onboarding_joins (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform           text        NOT NULL CHECK (platform IN ('telegram', 'discord', 'console')),
    update_key         text        NOT NULL,
    group_id           text        NOT NULL CHECK (group_id <> ''), -- the platform's id of the group
    chat_id            bigint      REFERENCES chats (id) ON DELETE SET NULL,
    member_id          bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    user_id            text        NOT NULL CHECK (user_id <> ''),
    name               text        NOT NULL DEFAULT '',
    joined_at          timestamptz NOT NULL,
    welcome_event      bigint      REFERENCES outbox_events (id) ON DELETE SET NULL,
    welcome_cleared_at timestamptz, -- the welcome was deleted: a newer one replaced it
    captcha            text        NOT NULL DEFAULT 'none'
                                   CHECK (captcha IN ('none', 'pending', 'solved', 'expired', 'cancelled')),
    captcha_event      bigint      REFERENCES outbox_events (id) ON DELETE SET NULL,
    deadline           timestamptz, -- the captcha must be solved by then
    claimed_until      timestamptz, -- a replica is removing the member until then
    settled_at         timestamptz, -- the captcha was solved, expired or cancelled
    UNIQUE (platform, update_key),
    CHECK ((captcha = 'none') = (deadline IS NULL))
);
CREATE INDEX onboarding_joins_due ON onboarding_joins (deadline) WHERE captcha = 'pending';
CREATE INDEX onboarding_joins_pending ON onboarding_joins (platform, group_id, user_id) WHERE captcha = 'pending';
CREATE INDEX onboarding_joins_welcomes ON onboarding_joins (platform, group_id, welcome_event) WHERE welcome_event IS NOT NULL;
CREATE INDEX onboarding_joins_uncleared ON onboarding_joins (id) WHERE welcome_event IS NOT NULL AND welcome_cleared_at IS NULL;

-- The messages an event caused, found by event: a welcome's message ids.
CREATE INDEX deliveries_event ON deliveries (event_id) WHERE event_id IS NOT NULL;

-- +goose Down
DROP INDEX deliveries_event;
DROP TABLE onboarding_joins;
DROP TABLE welcome_templates;
