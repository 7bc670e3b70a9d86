-- Each member's past, summed: a standings run reads only the rollups of
-- the days after it. The days up to `through` (the day before the oldest
-- day of the trend's windows, when it was written) are folded into one
-- row per member, with the weights and decay of the rules they were
-- summed with; a run with other rules ignores and rewrites them. An
-- uncount on a folded day, or an activity recorded late on one, drops
-- the row, and the next sum reads every day again.

-- +goose Up
CREATE TABLE member_history (
    member_id       bigint           PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    through         date             NOT NULL,
    score_log       double precision, -- NULL: nothing weighted
    activity_points double precision NOT NULL,
    messages        integer          NOT NULL,
    helpful         integer          NOT NULL,
    last_at         timestamptz       -- the last weighted activity
);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION activities_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
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
    -- An activity recorded late, on a day a history folded already.
    DELETE FROM member_history h
    USING (SELECT member_id, min((at AT TIME ZONE 'UTC')::date) AS day FROM new_activities
           WHERE uncounted_xid IS NULL AND member_id IS NOT NULL GROUP BY 1) n
    WHERE h.member_id = n.member_id AND h.through >= n.day;
    INSERT INTO standings_dirty AS d (member_id)
    SELECT DISTINCT member_id FROM new_activities WHERE member_id IS NOT NULL ORDER BY 1
    ON CONFLICT (member_id) DO UPDATE SET version = d.version + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION activities_uncount() RETURNS trigger LANGUAGE plpgsql AS $$
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
    DELETE FROM member_history WHERE member_id = OLD.member_id AND through >= d;
    INSERT INTO standings_dirty AS s (member_id) VALUES (OLD.member_id)
    ON CONFLICT (member_id) DO UPDATE SET version = s.version + 1;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION activities_uncount() RETURNS trigger LANGUAGE plpgsql AS $$
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
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION activities_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP TABLE member_history;
