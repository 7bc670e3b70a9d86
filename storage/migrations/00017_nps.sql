-- NPS asked inside the chat: each wave of the scheduled survey, whom it
-- asked (never the same member within nps.min_interval; the asks count
-- against the announcements' weekly cap of private messages) and their
-- answers. An erased member's asks and answers stay, anonymous, so that
-- the counts and the score do not change.

-- +goose Up
CREATE TABLE nps_surveys (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    opened_at timestamptz NOT NULL,
    closes_at timestamptz NOT NULL, -- opened_at + nps.answer_window; later answers are thanked, not counted
    CHECK (closes_at > opened_at)
);
CREATE INDEX nps_surveys_opened ON nps_surveys (opened_at);

CREATE TABLE nps_asks (
    survey_id bigint      NOT NULL REFERENCES nps_surveys (id) ON DELETE CASCADE,
    member_id bigint      REFERENCES members (id) ON DELETE SET NULL,
    platform  text        NOT NULL, -- where the question goes
    asked_at  timestamptz NOT NULL, -- when it may go: after quiet hours
    UNIQUE (survey_id, member_id)
);
CREATE INDEX nps_asks_member ON nps_asks (member_id, asked_at) WHERE member_id IS NOT NULL;

CREATE TABLE nps_answers (
    id          bigint           GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id   bigint           NOT NULL REFERENCES nps_surveys (id) ON DELETE CASCADE,
    member_id   bigint           REFERENCES members (id) ON DELETE SET NULL,
    score       smallint         NOT NULL CHECK (score BETWEEN 0 AND 10),
    reason      text             NOT NULL DEFAULT '' CHECK (char_length(reason) <= 1000),
    tier        text             NOT NULL CHECK (tier IN ('newcomer', 'regular', 'loyal', 'vip')), -- at answer time
    flags       smallint         NOT NULL DEFAULT 0, -- the standing's flags at answer time (1: at-risk VIP)
    clv         double precision NOT NULL DEFAULT 0, -- predicted CLV, historical without a model; staff only
    platform    text             NOT NULL,
    answered_at timestamptz      NOT NULL,
    ticket_id   bigint           REFERENCES tickets (id) ON DELETE SET NULL, -- opened from the staff alert
    UNIQUE (survey_id, member_id)
);
CREATE INDEX nps_answers_member ON nps_answers (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX nps_answers_answered ON nps_answers (answered_at);
CREATE INDEX nps_answers_ticket ON nps_answers (ticket_id) WHERE ticket_id IS NOT NULL;

-- +goose Down
DROP TABLE nps_answers;
DROP TABLE nps_asks;
DROP TABLE nps_surveys;
