-- Orders from different sources share no id space: WooCommerce order 4242
-- is not Shopify order 4242. An order is keyed by its source and the id the
-- source gave it, and a refund (reported on its own) by its source and id;
-- it belongs to the order of the same source with its order_id.
--
-- A CLV snapshot also keeps the customer's repeat purchases, so that staff
-- can be told why a one-time buyer's P(alive) is 1.

-- +goose Up

ALTER TABLE orders DROP CONSTRAINT orders_pkey;
ALTER TABLE orders ADD PRIMARY KEY (source, id);

-- The refunds stored so far came from Shopify's refunds/create webhook.
-- Each follows the order it was counted against until now (ids were unique
-- across sources, so there is at most one); a refund whose order has not
-- arrived yet waits for Shopify's.
ALTER TABLE refunds ADD COLUMN source text NOT NULL DEFAULT 'shopify'
    CHECK (source IN ('csv', 'api', 'shopify', 'woocommerce'));
UPDATE refunds r SET source = o.source FROM orders o WHERE o.id = r.order_id;
ALTER TABLE refunds ALTER COLUMN source DROP DEFAULT;
ALTER TABLE refunds DROP CONSTRAINT refunds_pkey;
ALTER TABLE refunds ADD PRIMARY KEY (source, id);
DROP INDEX refunds_order;
CREATE INDEX refunds_order ON refunds (source, order_id);

-- NULL in snapshots taken before: unknown until the next CLV run.
ALTER TABLE clv_snapshots ADD COLUMN repeat_purchases integer;

-- +goose Down
ALTER TABLE clv_snapshots DROP COLUMN repeat_purchases;

-- Fails, leaving everything as it is, once two sources share an order or
-- refund id: those orders cannot be told apart by id alone.
DROP INDEX refunds_order;
CREATE INDEX refunds_order ON refunds (order_id);
ALTER TABLE refunds DROP CONSTRAINT refunds_pkey;
ALTER TABLE refunds ADD PRIMARY KEY (id);
ALTER TABLE refunds DROP COLUMN source;
ALTER TABLE orders DROP CONSTRAINT orders_pkey;
ALTER TABLE orders ADD PRIMARY KEY (id);
