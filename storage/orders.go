package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/clv"
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
