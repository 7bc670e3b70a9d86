-- The CLV engine: shop customers and their link to members, orders and
-- refunds, and the latest CLV snapshot per customer with the model behind it.

-- +goose Up

-- A shop customer, known by the shop's own customer id. A customer links to
-- at most one member (by a signed link token, or automatically when an
-- order carries the member's Telegram or Discord id), and a member to at
-- most one customer.
CREATE TABLE customers (
    id                text        PRIMARY KEY CHECK (id <> ''),
    email             text        NOT NULL DEFAULT '',
    phone             text        NOT NULL DEFAULT '',
    telegram_id       text        NOT NULL DEFAULT '',
    telegram_username text        NOT NULL DEFAULT '',
    discord_id        text        NOT NULL DEFAULT '',
    member_id         bigint      REFERENCES members (id) ON DELETE SET NULL,
    linked_at         timestamptz,
    linked_via        text        NOT NULL DEFAULT '' CHECK (linked_via IN ('', 'token', 'order')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_member ON customers (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX customers_telegram ON customers (telegram_id) WHERE telegram_id <> '';
CREATE INDEX customers_discord ON customers (discord_id) WHERE discord_id <> '';

-- A shop order. Re-sending an order (the same id) updates it.
CREATE TABLE orders (
    id          text          PRIMARY KEY CHECK (id <> ''),
    customer_id text          NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    ordered_at  timestamptz   NOT NULL,
    amount      numeric(14,2) NOT NULL CHECK (amount >= 0),
    refunded    numeric(14,2) NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    currency    text          NOT NULL DEFAULT '',
    margin      numeric(14,2), -- NULL: unknown, the configured margin rate applies
    status      text          NOT NULL CHECK (status IN ('paid', 'refunded', 'cancelled')),
    source      text          NOT NULL CHECK (source IN ('csv', 'api', 'shopify', 'woocommerce')),
    received_at timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer ON orders (customer_id, ordered_at);

-- A refund reported on its own (Shopify refunds/create). It may arrive
-- before its order, so order_id is not a foreign key. An order's refunded
-- amount is the larger of orders.refunded and the sum of its refunds.
CREATE TABLE refunds (
    id          text          PRIMARY KEY CHECK (id <> ''),
    order_id    text          NOT NULL,
    amount      numeric(14,2) NOT NULL CHECK (amount >= 0),
    refunded_at timestamptz   NOT NULL,
    received_at timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX refunds_order ON refunds (order_id);

-- A fit of the BG/NBD and Gamma-Gamma models, with its diagnostics.
CREATE TABLE clv_models (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    computed_at     timestamptz NOT NULL,
    observation_end timestamptz NOT NULL,
    period          text        NOT NULL,
    customers       integer     NOT NULL,
    bgnbd           jsonb       NOT NULL, -- parameters and diagnostics; {} when the data could not support a fit
    gammagamma      jsonb       NOT NULL,
    error           text        NOT NULL DEFAULT '' -- why a model could not be fitted
);

-- The latest CLV of each customer: what the rest of Hearth reads.
CREATE TABLE clv_snapshots (
    customer_id        text             PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    model_id           bigint           NOT NULL REFERENCES clv_models (id),
    orders             integer          NOT NULL,
    first_order_at     timestamptz      NOT NULL,
    last_order_at      timestamptz      NOT NULL,
    revenue            double precision NOT NULL,
    historical_clv     double precision NOT NULL,
    predicted_clv      double precision, -- NULL when no model could be fitted
    p_alive            double precision,
    expected_purchases double precision,
    rfm_recency        smallint         NOT NULL,
    rfm_frequency      smallint         NOT NULL,
    rfm_monetary       smallint         NOT NULL,
    rfm_segment        text             NOT NULL,
    computed_at        timestamptz      NOT NULL
);

-- Scheduled jobs (the nightly CLV run): one row per job and scheduled
-- time, claimed by the replica that runs it, so it runs once.
CREATE TABLE job_runs (
    job         text        NOT NULL,
    slot        timestamptz NOT NULL, -- the scheduled time
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    error       text        NOT NULL DEFAULT '',
    PRIMARY KEY (job, slot)
);

-- +goose Down
DROP TABLE job_runs;
DROP TABLE clv_snapshots;
DROP TABLE clv_models;
DROP TABLE refunds;
DROP TABLE orders;
DROP TABLE customers;
