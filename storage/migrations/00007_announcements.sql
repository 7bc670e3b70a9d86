-- Announcements staff send to the community's groups and, privately, to
-- the members who asked for them (members.announcements_dm), under a
-- weekly cap per member.

-- +goose Up

-- An announcement: previewed as a draft, then sent or cancelled. reach is
-- what it reached when it was sent: posts per platform, members per tier,
-- members skipped for the cap, when its private messages were held until.
CREATE TABLE announcements (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id  bigint      REFERENCES members (id) ON DELETE SET NULL,
    text       text        NOT NULL CHECK (text <> ''),
    tier       text        CHECK (tier IN ('newcomer', 'regular', 'loyal', 'vip')), -- NULL: everyone
    status     text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'cancelled')),
    created_at timestamptz NOT NULL,
    settled_at timestamptz, -- sent or cancelled
    settled_by bigint      REFERENCES members (id) ON DELETE SET NULL,
    reach      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX announcements_sent ON announcements (settled_at DESC, id DESC) WHERE status = 'sent';

-- Each member written to privately, and when the message was due: the
-- weekly cap counts these rows.
CREATE TABLE announcement_recipients (
    announcement_id bigint      NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    member_id       bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    due_at          timestamptz NOT NULL,
    PRIMARY KEY (announcement_id, member_id)
);
CREATE INDEX announcement_recipients_member ON announcement_recipients (member_id, due_at);

-- Each chat an announcement was posted in.
CREATE TABLE announcement_posts (
    announcement_id bigint NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    chat_id         bigint NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, chat_id)
);

-- The members who asked for announcements, found without a full scan.
CREATE INDEX members_announcements_dm ON members (id) WHERE announcements_dm;

-- +goose Down
DROP INDEX members_announcements_dm;
DROP TABLE announcement_posts;
DROP TABLE announcement_recipients;
DROP TABLE announcements;
