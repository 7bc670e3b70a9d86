-- Daily rollups: the standings recompute reads each member's activity
-- per day and kind instead of every activity ever recorded, and touches
-- only the members whose inputs changed. Triggers keep the rollups and
-- the list of members to rescore, in the transaction that changes the
-- activities, whichever code path records them: an activity inserted
-- counts once on its UTC day; one automod uncounts stops counting. Raw
-- activities can then be pruned (engagement.keep_activities) while the
-- rollups stay, until the member is erased.

-- +goose Up

-- Each member's activities that count, per UTC day and kind.
CREATE TABLE activity_days (
    member_id bigint      NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    day       date        NOT NULL,
    kind      text        NOT NULL,
    n         integer     NOT NULL CHECK (n > 0),
    last_at   timestamptz NOT NULL, -- the latest of them
    PRIMARY KEY (member_id, day, kind)
);
-- The recompute finds the members whose trend windows moved by day.
CREATE INDEX activity_days_day ON activity_days (day);

-- Each chat's activities that count, per UTC day and kind, anonymous:
-- they stay when a member is erased (the digest's totals).
CREATE TABLE chat_activity_days (
    chat_id bigint  NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    day     date    NOT NULL,
    kind    text    NOT NULL,
    n       integer NOT NULL CHECK (n > 0),
    PRIMARY KEY (chat_id, day, kind)
);

-- Members whose standing must be recomputed: their activities, their
-- link to a customer or their customer's CLV changed, or they are new.
-- version grows with each change, so that a recompute clears only the
-- marks it has read.
CREATE TABLE standings_dirty (
    member_id bigint PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    version   bigint NOT NULL DEFAULT 1
);

-- The last recompute: when, on which UTC day, with which decay (λ per
-- second) and rules. Scores are kept as score_log, the logarithm of
-- Σ weight·e^(λ·(day − 1970-01-01)) over the member's days, so that
-- time passing changes no row: a score at t is e^(score_log − λ·t).
CREATE TABLE standings_state (
    only_row    boolean          PRIMARY KEY DEFAULT true CHECK (only_row),
    computed_at timestamptz      NOT NULL,
    day         date             NOT NULL,
    decay       double precision NOT NULL,
    rules       text             NOT NULL -- the rules' fingerprint: a change rescores everyone
);

ALTER TABLE member_standings
    DROP COLUMN score,
    ADD COLUMN score_log       double precision, -- NULL: nothing that counts
    ADD COLUMN activity_points double precision NOT NULL DEFAULT 0,
    ADD COLUMN messages        integer          NOT NULL DEFAULT 0,
    ADD COLUMN helpful         integer          NOT NULL DEFAULT 0;
-- /top reads the best scores first.
CREATE INDEX member_standings_score ON member_standings (score_log DESC) WHERE score_log IS NOT NULL;
-- The newcomers whose first days end, found by when they came.
CREATE INDEX members_created_at ON members (created_at);
-- The prune of raw activities walks them by time: a BRIN index is a few
-- pages for millions of rows appended in time order.
CREATE INDEX activities_at ON activities USING brin (at);

-- +goose StatementBegin
CREATE FUNCTION activities_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Ordered, so that two transactions lock the same rows in the same order.
    INSERT INTO activity_days AS d (member_id, day, kind, n, last_at)
    SELECT member_id, (at AT TIME ZONE 'UTC')::date, kind, count(*), max(at)
    FROM new_activities WHERE uncounted_xid IS NULL AND member_id IS NOT NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (member_id, day, kind) DO UPDATE SET n = d.n + EXCLUDED.n, last_at = greatest(d.last_at, EXCLUDED.last_at);
    INSERT INTO chat_activity_days AS d (chat_id, day, kind, n)
    SELECT chat_id, (at AT TIME ZONE 'UTC')::date, kind, count(*)
    FROM new_activities WHERE uncounted_xid IS NULL AND chat_id IS NOT NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (chat_id, day, kind) DO UPDATE SET n = d.n + EXCLUDED.n;
    INSERT INTO standings_dirty AS d (member_id)
    SELECT DISTINCT member_id FROM new_activities WHERE member_id IS NOT NULL ORDER BY 1
    ON CONFLICT (member_id) DO UPDATE SET version = d.version + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER activities_roll_up AFTER INSERT ON activities
REFERENCING NEW TABLE AS new_activities FOR EACH STATEMENT EXECUTE FUNCTION activities_roll_up();

-- +goose StatementBegin
CREATE FUNCTION activities_uncount() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d date := (OLD.at AT TIME ZONE 'UTC')::date;
BEGIN
    UPDATE activity_days SET n = n - 1,
        last_at = COALESCE((SELECT max(a.at) FROM activities a
                            WHERE a.member_id = OLD.member_id AND a.kind = OLD.kind AND a.uncounted_xid IS NULL
                              AND a.at >= d AT TIME ZONE 'UTC' AND a.at < (d + 1) AT TIME ZONE 'UTC'), last_at)
    WHERE member_id = OLD.member_id AND day = d AND kind = OLD.kind AND n > 1;
    DELETE FROM activity_days WHERE member_id = OLD.member_id AND day = d AND kind = OLD.kind AND n = 1;
    UPDATE chat_activity_days SET n = n - 1 WHERE chat_id = OLD.chat_id AND day = d AND kind = OLD.kind AND n > 1;
    DELETE FROM chat_activity_days WHERE chat_id = OLD.chat_id AND day = d AND kind = OLD.kind AND n = 1;
    INSERT INTO standings_dirty AS s (member_id) VALUES (OLD.member_id)
    ON CONFLICT (member_id) DO UPDATE SET version = s.version + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER activities_uncount AFTER UPDATE OF uncounted_xid ON activities FOR EACH ROW
WHEN (OLD.uncounted_xid IS NULL AND NEW.uncounted_xid IS NOT NULL AND OLD.member_id IS NOT NULL) EXECUTE FUNCTION activities_uncount();

-- +goose StatementBegin
CREATE FUNCTION members_to_score() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO standings_dirty (member_id) SELECT id FROM new_members ORDER BY 1 ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER members_to_score AFTER INSERT ON members
REFERENCING NEW TABLE AS new_members FOR EACH STATEMENT EXECUTE FUNCTION members_to_score();

-- A member linked to a customer, or unlinked, is rescored.
-- +goose StatementBegin
CREATE FUNCTION customers_relinked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO standings_dirty AS s (member_id)
    SELECT m FROM (VALUES (OLD.member_id), (NEW.member_id)) AS t(m) JOIN members ON members.id = t.m ORDER BY 1
    ON CONFLICT (member_id) DO UPDATE SET version = s.version + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER customers_relinked AFTER UPDATE OF member_id, linked_via ON customers FOR EACH ROW
WHEN (OLD.member_id IS DISTINCT FROM NEW.member_id OR OLD.linked_via IS DISTINCT FROM NEW.linked_via)
EXECUTE FUNCTION customers_relinked();

-- A linked customer's CLV that changes rescores their member.
-- +goose StatementBegin
CREATE FUNCTION clv_snapshots_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO standings_dirty AS s (member_id)
        SELECT DISTINCT c.member_id FROM new_snapshots n JOIN old_snapshots o USING (customer_id) JOIN customers c ON c.id = n.customer_id
        WHERE c.member_id IS NOT NULL
          AND (n.orders, n.revenue, n.historical_clv, n.predicted_clv, n.p_alive) IS DISTINCT FROM
              (o.orders, o.revenue, o.historical_clv, o.predicted_clv, o.p_alive)
        ORDER BY 1
        ON CONFLICT (member_id) DO UPDATE SET version = s.version + 1;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO standings_dirty AS s (member_id)
        SELECT DISTINCT c.member_id FROM new_snapshots n JOIN customers c ON c.id = n.customer_id WHERE c.member_id IS NOT NULL ORDER BY 1
        ON CONFLICT (member_id) DO UPDATE SET version = s.version + 1;
    ELSE
        INSERT INTO standings_dirty AS s (member_id)
        SELECT DISTINCT c.member_id FROM old_snapshots o JOIN customers c ON c.id = o.customer_id WHERE c.member_id IS NOT NULL ORDER BY 1
        ON CONFLICT (member_id) DO UPDATE SET version = s.version + 1;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER clv_snapshots_inserted AFTER INSERT ON clv_snapshots
REFERENCING NEW TABLE AS new_snapshots FOR EACH STATEMENT EXECUTE FUNCTION clv_snapshots_changed();
CREATE TRIGGER clv_snapshots_updated AFTER UPDATE ON clv_snapshots
REFERENCING OLD TABLE AS old_snapshots NEW TABLE AS new_snapshots FOR EACH STATEMENT EXECUTE FUNCTION clv_snapshots_changed();
CREATE TRIGGER clv_snapshots_deleted AFTER DELETE ON clv_snapshots
REFERENCING OLD TABLE AS old_snapshots FOR EACH STATEMENT EXECUTE FUNCTION clv_snapshots_changed();

-- What is recorded already (a large community's activities are grouped
-- in memory rather than on disk).
SET LOCAL work_mem = '256MB';
INSERT INTO activity_days (member_id, day, kind, n, last_at)
SELECT member_id, (at AT TIME ZONE 'UTC')::date, kind, count(*), max(at)
FROM activities WHERE uncounted_xid IS NULL AND member_id IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO chat_activity_days (chat_id, day, kind, n)
SELECT chat_id, (at AT TIME ZONE 'UTC')::date, kind, count(*)
FROM activities WHERE uncounted_xid IS NULL AND chat_id IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO standings_dirty (member_id) SELECT id FROM members;

-- +goose Down
DROP TRIGGER clv_snapshots_deleted ON clv_snapshots;
DROP TRIGGER clv_snapshots_updated ON clv_snapshots;
DROP TRIGGER clv_snapshots_inserted ON clv_snapshots;
DROP FUNCTION clv_snapshots_changed();
DROP TRIGGER customers_relinked ON customers;
DROP FUNCTION customers_relinked();
DROP TRIGGER members_to_score ON members;
DROP FUNCTION members_to_score();
DROP TRIGGER activities_uncount ON activities;
DROP FUNCTION activities_uncount();
DROP TRIGGER activities_roll_up ON activities;
DROP FUNCTION activities_roll_up();
DROP INDEX activities_at;
DROP INDEX members_created_at;
DROP INDEX member_standings_score;
ALTER TABLE member_standings
    DROP COLUMN helpful, DROP COLUMN messages, DROP COLUMN activity_points, DROP COLUMN score_log,
    ADD COLUMN score double precision NOT NULL DEFAULT 0;
DROP TABLE standings_state;
DROP TABLE standings_dirty;
DROP TABLE chat_activity_days;
DROP TABLE activity_days;
