-- The community core: what each member's engagement, tier and loyalty
-- come to, recomputed on a schedule from activities and CLV.

-- +goose Up

-- The platform message an activity is about, so staff can purge a chat's
-- recent messages; '' for activities that are not messages.
ALTER TABLE activities ADD COLUMN message_id text NOT NULL DEFAULT '';
CREATE INDEX activities_chat_messages ON activities (chat_id, at) WHERE message_id <> '';
-- A reaction credits the reacted message's author (reaction received).
CREATE INDEX activities_chat_message_id ON activities (chat_id, message_id) WHERE message_id <> '';

-- A member's choices about what Hearth does with them.
ALTER TABLE members
    ADD COLUMN hide_from_top    boolean NOT NULL DEFAULT false, -- left out of the /top leaderboard
    ADD COLUMN announcements_dm boolean NOT NULL DEFAULT false; -- announcements also come privately

-- Each member's standing as last computed: engagement, tier, flags and
-- points. Support, feedback and the digest read it to serve members in
-- order.
CREATE TABLE member_standings (
    member_id             bigint           PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    tier                  text             NOT NULL CHECK (tier IN ('newcomer', 'regular', 'loyal', 'vip')),
    flags                 smallint         NOT NULL DEFAULT 0, -- 1: at-risk VIP, 2: verified buyer
    priority              double precision NOT NULL,
    value_percentile      double precision NOT NULL,
    score                 double precision NOT NULL,
    engagement_percentile double precision NOT NULL,
    level                 smallint         NOT NULL CHECK (level BETWEEN 1 AND 4),
    last_active_at        timestamptz,
    this_week             double precision NOT NULL,
    prev_weekly           double precision NOT NULL,
    points                bigint           NOT NULL,
    computed_at           timestamptz      NOT NULL
);

-- Milestones reached, each once.
CREATE TABLE member_milestones (
    member_id  bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    milestone  text        NOT NULL,
    reached_at timestamptz NOT NULL,
    PRIMARY KEY (member_id, milestone)
);

-- +goose Down
DROP TABLE member_milestones;
DROP TABLE member_standings;
ALTER TABLE members DROP COLUMN announcements_dm, DROP COLUMN hide_from_top;
DROP INDEX activities_chat_message_id;
DROP INDEX activities_chat_messages;
ALTER TABLE activities DROP COLUMN message_id;
