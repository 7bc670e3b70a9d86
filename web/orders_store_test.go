package web_test

import (
	"net/http"
	"testing"

	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/hearthbot/hearth/web"
)

// TestWebhooksStoreOrdersOnceInPostgreSQL runs the webhooks against the
// real store: a Shopify order delivered twice is one row with its source,
// its refund (also delivered twice) counts once, and a WooCommerce order
// and an API order land beside it.
func TestWebhooksStoreOrdersOnceInPostgreSQL(t *testing.T) {
	store := storage.New(storagetest.New(t))
	base := serveWebhooks(t, &web.OrderWebhooks{Sink: store, HearthSecret: hearthSecret, ShopifySecret: shopifySecret, WooCommerceSecret: wooSecret})
	for range 2 {
		if code, answer := postShopify(t, base, "orders/updated", testdata(t, "shopify_orders_updated.json", nil)); code != http.StatusOK {
			t.Fatalf("order: %d %s", code, answer)
		}
		if code, answer := postShopify(t, base, "refunds/create", testdata(t, "shopify_refunds_create.json", nil)); code != http.StatusOK {
			t.Fatalf("refund: %d %s", code, answer)
		}
	}
	for _, rt := range routes(t) {
		if rt.name == "shopify" {
			continue
		}
		if code, answer := post(t, base+rt.path, rt.body, rt.headers(rt.sign(rt.secret, rt.body))); code != http.StatusOK {
			t.Fatalf("%s: %d %s", rt.name, code, answer)
		}
	}
	var rows []struct {
		ID       string  `db:"id"`
		Source   string  `db:"source"`
		Amount   float64 `db:"amount"`
		Refunded float64 `db:"refunded"`
		Email    string  `db:"email"`
	}
	if err := store.DB().Select(&rows, `SELECT o.id, o.source, o.amount, o.refunded, c.email FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.source`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Source != "api" || rows[1].Source != "shopify" || rows[2].Source != "woocommerce" {
		t.Fatalf("orders = %+v; want one per route", rows)
	}
	if s := rows[1]; s.ID != "5940139491234" || s.Amount != 59.99 || s.Refunded != 12.5 || s.Email != "Ann.Buyer@Example.com" {
		t.Errorf("shopify order = %+v", s)
	}
	var refunds int
	if err := store.DB().Get(&refunds, `SELECT count(*) FROM refunds WHERE id = '890088186047892319' AND amount = 199`); err != nil || refunds != 1 {
		t.Errorf("refunds = %d, %v; want the refund once", refunds, err)
	}
}
