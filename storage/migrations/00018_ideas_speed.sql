-- The value view (/ideas value) at 10,000 items and 1,000,000 votes:
-- summing every voter's worth at each look took seconds. Each item keeps
-- its voters' summed worth, kept with its votes; each voter's worth (CLV,
-- VIP, revenue of the year before) is valued when they first vote and
-- again, for every voter, when the value view finds the valuation stale
-- (a newer CLV run, or a day old).

-- +goose Up
CREATE TABLE feedback_worth (
    member_id bigint  PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    value     numeric NOT NULL, -- predicted CLV, historical where none
    vip       boolean NOT NULL,
    revenue   numeric NOT NULL  -- paid orders since the valuation's since, net of refunds
);

ALTER TABLE feedback_items
    ADD COLUMN voters_value   numeric NOT NULL DEFAULT 0,
    ADD COLUMN voters_vips    integer NOT NULL DEFAULT 0,
    ADD COLUMN voters_revenue numeric NOT NULL DEFAULT 0;
CREATE INDEX feedback_items_value ON feedback_items (voters_value DESC, votes DESC, id DESC)
    WHERE status NOT IN ('merged', 'declined', 'done');

-- When every voter was last valued, and revenue counted since.
CREATE TABLE feedback_valuation (
    one       boolean     PRIMARY KEY DEFAULT true CHECK (one),
    since     timestamptz NOT NULL,
    valued_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE feedback_valuation;
DROP INDEX feedback_items_value;
ALTER TABLE feedback_items DROP COLUMN voters_value, DROP COLUMN voters_vips, DROP COLUMN voters_revenue;
DROP TABLE feedback_worth;
