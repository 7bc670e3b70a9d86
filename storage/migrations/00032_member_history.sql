-- Each member's past, summed: a standings run reads only the rollups of
-- the days after it. The days up to `through` (the day before the oldest
-- day of the trend's windows, when it was written) are folded into one
-- row per member, with the weights and decay of the rules they were
-- summed with; a run with other rules ignores and rewrites them.
--
-- An activity recorded late on a folded day, or uncounted on one, sets
-- the member's mark's refold_from to that day (the earliest such day
-- while the mark stays): a sum ignores a history that reaches
-- refold_from and reads every day again. The mark, not a deletion of the
-- history, carries this: a mark a run did not read survives the run
-- (settleRun clears only the versions it read), so a history a run
-- folds while such a change is under way cannot outlive it.

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
-- The earliest day a change touched since the member's mark was read.
ALTER TABLE standings_dirty ADD COLUMN refold_from date;

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
    -- Each member's earliest day, should a history have folded it already.
    INSERT INTO standings_dirty AS d (member_id, refold_from)
    SELECT member_id, min((at AT TIME ZONE 'UTC')::date) FROM new_activities WHERE member_id IS NOT NULL GROUP BY 1 ORDER BY 1
    ON CONFLICT (member_id) DO UPDATE SET version = d.version + 1, refold_from = least(d.refold_from, EXCLUDED.refold_from);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION activities_uncount() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d date := (OLD.at AT TIME ZONE 'UTC')::date;
BEGIN
    -- The last one of its day and kind goes; otherwise one fewer. (00029
    -- updated first, and then deleted the row it had just brought down
    -- to one.)
    DELETE FROM activity_days WHERE member_id = OLD.member_id AND day = d AND kind = OLD.kind AND n = 1;
    UPDATE activity_days SET n = n - 1,
        last_at = COALESCE((SELECT max(a.at) FROM activities a
                            WHERE a.member_id = OLD.member_id AND a.kind = OLD.kind AND a.uncounted_xid IS NULL
                              AND a.at >= d AT TIME ZONE 'UTC' AND a.at < (d + 1) AT TIME ZONE 'UTC'), last_at)
    WHERE member_id = OLD.member_id AND day = d AND kind = OLD.kind AND n > 1;
    DELETE FROM chat_activity_days WHERE chat_id = OLD.chat_id AND day = d AND kind = OLD.kind AND n = 1;
    UPDATE chat_activity_days SET n = n - 1 WHERE chat_id = OLD.chat_id AND day = d AND kind = OLD.kind AND n > 1;
    INSERT INTO standings_dirty AS s (member_id, refold_from) VALUES (OLD.member_id, d)
    ON CONFLICT (member_id) DO UPDATE SET version = s.version + 1, refold_from = least(s.refold_from, d);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Repair what 00029's uncount trigger lost: a day's rollup that held two
-- activities of a kind, one of them uncounted, was dropped whole. Every
-- member-day and chat-day with an uncounted activity is summed again from
-- the raw activities still kept, and its members rescored.
SET LOCAL work_mem = '64MB';
CREATE TEMP TABLE uncounted_days ON COMMIT DROP AS
SELECT DISTINCT member_id, chat_id, (at AT TIME ZONE 'UTC')::date AS day, kind FROM activities WHERE uncounted_xid IS NOT NULL;
INSERT INTO activity_days AS d (member_id, day, kind, n, last_at)
SELECT a.member_id, (a.at AT TIME ZONE 'UTC')::date, a.kind, count(*), max(a.at)
FROM activities a
WHERE a.uncounted_xid IS NULL AND (a.member_id, (a.at AT TIME ZONE 'UTC')::date, a.kind) IN (SELECT member_id, day, kind FROM uncounted_days)
GROUP BY 1, 2, 3
ON CONFLICT (member_id, day, kind) DO UPDATE SET n = EXCLUDED.n, last_at = EXCLUDED.last_at;
INSERT INTO chat_activity_days AS d (chat_id, day, kind, n)
SELECT a.chat_id, (a.at AT TIME ZONE 'UTC')::date, a.kind, count(*)
FROM activities a
WHERE a.uncounted_xid IS NULL AND (a.chat_id, (a.at AT TIME ZONE 'UTC')::date, a.kind) IN (SELECT chat_id, day, kind FROM uncounted_days)
GROUP BY 1, 2, 3
ON CONFLICT (chat_id, day, kind) DO UPDATE SET n = EXCLUDED.n;
INSERT INTO standings_dirty AS s (member_id)
SELECT DISTINCT u.member_id FROM uncounted_days u JOIN members m ON m.id = u.member_id ORDER BY 1
ON CONFLICT (member_id) DO UPDATE SET version = s.version + 1;

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
ALTER TABLE standings_dirty DROP COLUMN refold_from;
DROP TABLE member_history;
