package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/jmoiron/sqlx"
)

// OrderSource says where orders came from. Each source has its own order
// ids: orders are keyed by (source, id), so Shopify's order 4242 and
// WooCommerce's 4242 are two orders.
type OrderSource string

// The order sources.
const (
	SourceCSV         OrderSource = "csv"
	SourceAPI         OrderSource = "api"
	SourceShopify     OrderSource = "shopify"
	SourceWooCommerce OrderSource = "woocommerce"
)

// ParseOrderSource reads a source name: csv, api, shopify or woocommerce.
func ParseOrderSource(name string) (OrderSource, error) {
	switch src := OrderSource(strings.ToLower(strings.TrimSpace(name))); src {
	case SourceCSV, SourceAPI, SourceShopify, SourceWooCommerce:
		return src, nil
	}
	return "", fmt.Errorf("%q is not an order source (want csv, api, shopify or woocommerce)", name)
}

// ImportResult counts what an import changed.
type ImportResult struct {
	Rows      int // orders read
	Inserted  int // new orders
	Updated   int // orders that changed
	Unchanged int // orders already stored as they are
	Customers int // customers created or whose contact details changed
	Linked    int // customers linked to members by the platform ids on their orders
}

// OrderImport streams orders into a staging table with COPY and applies
// them all in one transaction at Commit: upserted by source and order id,
// so that importing the same orders again changes nothing.
type OrderImport struct {
	ctx    context.Context
	db     *sqlx.DB
	tx     *sqlx.Tx
	copy   *sql.Stmt
	source OrderSource
	rows   int
}

const createStagingSQL = `
CREATE TEMPORARY TABLE import_orders (
    line bigint, id text, customer_id text, ordered_at timestamptz, amount numeric, refunded numeric,
    currency text, margin numeric, status text, email text, phone text,
    telegram_id text, telegram_username text, discord_id text
) ON COMMIT DROP`

var stagingColumns = []string{"line", "id", "customer_id", "ordered_at", "amount", "refunded", "currency", "margin",
	"status", "email", "phone", "telegram_id", "telegram_username", "discord_id"}

// BeginImport starts an import of orders from source.
func (s *Store) BeginImport(ctx context.Context, source OrderSource) (*OrderImport, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin import: %w", err)
	}
	if _, err := tx.ExecContext(ctx, createStagingSQL); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("create staging table: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, "COPY import_orders ("+strings.Join(stagingColumns, ", ")+") FROM STDIN")
	if err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("start copy: %w", err)
	}
	return &OrderImport{ctx: ctx, db: s.db, tx: tx, copy: stmt, source: source}, nil
}

// Add queues one order. A later order with the same id wins.
func (i *OrderImport) Add(o clv.Order) error {
	i.rows++
	var margin any
	if o.Margin != nil {
		margin = *o.Margin
	}
	status := o.Status
	if status == "" {
		status = clv.StatusPaid
	}
	_, err := i.copy.ExecContext(i.ctx, i.rows, o.ID, o.CustomerID, o.OrderedAt, o.Amount, o.Refunded, o.Currency, margin,
		string(status), o.Email, o.Phone, o.TelegramID, o.TelegramUsername, o.DiscordID)
	if err != nil {
		return fmt.Errorf("copy order %q: %w", o.ID, err)
	}
	return nil
}

// upsertCustomersSQL creates the customers of the staged orders and keeps
// each contact detail from their latest order that has one.
const upsertCustomersSQL = `
INSERT INTO customers AS c (id, email, phone, telegram_id, telegram_username, discord_id)
SELECT customer_id,
       COALESCE((array_agg(email ORDER BY ordered_at DESC, line DESC) FILTER (WHERE email <> ''))[1], ''),
       COALESCE((array_agg(phone ORDER BY ordered_at DESC, line DESC) FILTER (WHERE phone <> ''))[1], ''),
       COALESCE((array_agg(telegram_id ORDER BY ordered_at DESC, line DESC) FILTER (WHERE telegram_id <> ''))[1], ''),
       COALESCE((array_agg(telegram_username ORDER BY ordered_at DESC, line DESC) FILTER (WHERE telegram_username <> ''))[1], ''),
       COALESCE((array_agg(discord_id ORDER BY ordered_at DESC, line DESC) FILTER (WHERE discord_id <> ''))[1], '')
FROM import_orders GROUP BY customer_id
ON CONFLICT (id) DO UPDATE SET
    email = COALESCE(NULLIF(EXCLUDED.email, ''), c.email),
    phone = COALESCE(NULLIF(EXCLUDED.phone, ''), c.phone),
    telegram_id = COALESCE(NULLIF(EXCLUDED.telegram_id, ''), c.telegram_id),
    telegram_username = COALESCE(NULLIF(EXCLUDED.telegram_username, ''), c.telegram_username),
    discord_id = COALESCE(NULLIF(EXCLUDED.discord_id, ''), c.discord_id),
    updated_at = now()
WHERE (c.email, c.phone, c.telegram_id, c.telegram_username, c.discord_id) IS DISTINCT FROM
      (COALESCE(NULLIF(EXCLUDED.email, ''), c.email), COALESCE(NULLIF(EXCLUDED.phone, ''), c.phone),
       COALESCE(NULLIF(EXCLUDED.telegram_id, ''), c.telegram_id),
       COALESCE(NULLIF(EXCLUDED.telegram_username, ''), c.telegram_username),
       COALESCE(NULLIF(EXCLUDED.discord_id, ''), c.discord_id))`

// upsertOrdersSQL writes the staged orders (the last line of each id) of
// source $1 and counts new and changed ones; an order stored as it is stays
// untouched.
const upsertOrdersSQL = `
WITH up AS (
    INSERT INTO orders AS o (id, customer_id, ordered_at, amount, refunded, currency, margin, status, source)
    SELECT DISTINCT ON (id) id, customer_id, ordered_at, amount, refunded, currency, margin, status, $1
    FROM import_orders ORDER BY id, line DESC
    ON CONFLICT (source, id) DO UPDATE SET
        customer_id = EXCLUDED.customer_id, ordered_at = EXCLUDED.ordered_at, amount = EXCLUDED.amount,
        refunded = EXCLUDED.refunded, currency = EXCLUDED.currency, margin = EXCLUDED.margin,
        status = EXCLUDED.status, updated_at = now()
    WHERE (o.customer_id, o.ordered_at, o.amount, o.refunded, o.currency, o.margin, o.status) IS DISTINCT FROM
          (EXCLUDED.customer_id, EXCLUDED.ordered_at, EXCLUDED.amount, EXCLUDED.refunded, EXCLUDED.currency,
           EXCLUDED.margin, EXCLUDED.status)
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up`

// Commit applies the queued orders and links their customers to members
// by the platform ids the orders carry (members seen later are linked by
// the nightly CLV run, or when staff look them up).
func (i *OrderImport) Commit() (ImportResult, error) {
	res := ImportResult{Rows: i.rows}
	var withIDs []string // customers whose orders carry a platform id
	err := func() error {
		if _, err := i.copy.ExecContext(i.ctx); err != nil {
			return fmt.Errorf("copy orders: %w", err)
		}
		if err := i.copy.Close(); err != nil {
			return fmt.Errorf("copy orders: %w", err)
		}
		if _, err := i.tx.ExecContext(i.ctx, `ANALYZE import_orders`); err != nil {
			return fmt.Errorf("analyze staged orders: %w", err)
		}
		up, err := i.tx.ExecContext(i.ctx, upsertCustomersSQL)
		if err != nil {
			return fmt.Errorf("save customers: %w", err)
		}
		n, _ := up.RowsAffected()
		res.Customers = int(n)
		var counts struct {
			Inserted int `db:"inserted"`
			Updated  int `db:"updated"`
		}
		if err := i.tx.GetContext(i.ctx, &counts, upsertOrdersSQL, string(i.source)); err != nil {
			return fmt.Errorf("save orders: %w", err)
		}
		var distinct int
		if err := i.tx.GetContext(i.ctx, &distinct, `SELECT count(DISTINCT id) FROM import_orders`); err != nil {
			return fmt.Errorf("count orders: %w", err)
		}
		res.Inserted, res.Updated, res.Unchanged = counts.Inserted, counts.Updated, distinct-counts.Inserted-counts.Updated
		if err := i.tx.SelectContext(i.ctx, &withIDs, `SELECT DISTINCT customer_id FROM import_orders WHERE telegram_id <> '' OR discord_id <> ''`); err != nil {
			return fmt.Errorf("customers with platform ids: %w", err)
		}
		return nil
	}()
	if err != nil {
		i.Rollback()
		return ImportResult{}, err
	}
	if err := i.tx.Commit(); err != nil {
		return ImportResult{}, fmt.Errorf("commit import: %w", err)
	}
	if len(withIDs) == 0 {
		return res, nil
	}
	linked, err := linkByOrderIDs(i.ctx, i.db, withIDs, 0)
	if err != nil {
		return res, err
	}
	res.Linked = linked
	return res, nil
}

// Rollback abandons the import; nothing of it is stored. It is safe to
// call after Commit.
func (i *OrderImport) Rollback() error {
	i.copy.Close()
	if err := i.tx.Rollback(); err != nil && err != sql.ErrTxDone {
		return fmt.Errorf("roll back import: %w", err)
	}
	return nil
}

// SaveOrders implements web.OrderSink: it stores orders from a shop webhook
// or the orders API (source api, shopify or woocommerce), upserted by source
// and order id, and links their customers to members.
func (s *Store) SaveOrders(ctx context.Context, source string, orders []clv.Order) error {
	imp, err := s.BeginImport(ctx, OrderSource(source))
	if err != nil {
		return err
	}
	for _, o := range orders {
		if err := imp.Add(o); err != nil {
			imp.Rollback()
			return err
		}
	}
	_, err = imp.Commit()
	return err
}

// SaveRefund implements web.OrderSink: it stores a refund reported on its
// own by source, once by its id; it counts against source's order.
func (s *Store) SaveRefund(ctx context.Context, source string, r clv.Refund) error {
	at := r.At
	if at.IsZero() {
		at = time.Now()
	}
	_, err := s.db.ExecContext(ctx, `
INSERT INTO refunds (source, id, order_id, amount, refunded_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (source, id) DO UPDATE SET order_id = EXCLUDED.order_id, amount = EXCLUDED.amount, refunded_at = EXCLUDED.refunded_at`,
		source, r.ID, r.OrderID, r.Amount, at)
	if err != nil {
		return fmt.Errorf("save %s refund %q of order %q: %w", source, r.ID, r.OrderID, err)
	}
	return nil
}
