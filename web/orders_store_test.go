package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
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

// TestWhatPostgreSQLWouldRefuseIs400NamingTheField runs orders that
// PostgreSQL would refuse (or round) through every route into the real
// store: each is answered 400 with the field at fault, never 500 (which
// makes a shop retry forever), and nothing is stored.
func TestWhatPostgreSQLWouldRefuseIs400NamingTheField(t *testing.T) {
	store := storage.New(storagetest.New(t))
	base := serveWebhooks(t, &web.OrderWebhooks{Sink: store, HearthSecret: hearthSecret, ShopifySecret: shopifySecret, WooCommerceSecret: wooSecret})
	long := strings.Repeat("9", 300)
	hearth := func(field, value string) string {
		order := map[string]string{"order_id": "1", "customer_id": "c", "ordered_at": "2024-01-01", "amount": "10"}
		order[field] = value
		body, _ := json.Marshal(order)
		return string(body)
	}
	for _, c := range []struct{ body, want string }{
		{hearth("customer_id", "c\x00"), `order 1, field customer_id: "c\x00" contains a NUL byte (\x00)`},
		{hearth("order_id", long), `the order, field order_id: is 300 bytes long; at most 255 are allowed`},
		{hearth("phone", "+30\x00"), `order 1, field phone: "+30\x00" contains a NUL byte (\x00)`},
		{hearth("amount", "1000000000000"), `order 1, field amount: "1000000000000" is too large: amounts must be below 1000000000000`},
		{hearth("amount", "12.345"), `order 1, field amount: "12.345" has more than 2 decimals`},
		{hearth("ordered_at", "2024-01-01T10:00:00+16:00"), `order 1, field ordered_at: 2024-01-01T10:00:00+16:00 has a UTC offset of +16:00; offsets go from -15:59 to +15:59`},
		{hearth("ordered_at", "0000-01-01"), `order 1, field ordered_at: 0000-01-01T00:00:00Z is before 1970`},
		{hearth("ordered_at", "2026-03-04"), `order 1, field ordered_at: 2026-03-04T00:00:00Z is in the future (now is 2026-03-02T12:00:00Z; at most a day ahead is accepted)`},
	} {
		code, answer := postHearth(t, base, c.body)
		if got := errorAnswer(t, answer); code != http.StatusBadRequest || got != c.want {
			t.Errorf("api %s\n got %d %s\nwant 400 %s", c.body, code, got, c.want)
		}
	}
	checkShopifyRefusals(t, base, long)
	checkWooCommerceRefusals(t, base, long)
	var stored int
	if err := store.DB().Get(&stored, `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM refunds) + (SELECT count(*) FROM customers)`); err != nil || stored != 0 {
		t.Errorf("%d rows stored from refused orders (%v)", stored, err)
	}
}

// checkShopifyRefusals posts Shopify orders and refunds PostgreSQL would
// refuse: each is a 400 naming the field.
func checkShopifyRefusals(t *testing.T, base, long string) {
	t.Helper()
	const shopifyOrder = "order 5940139491234: "
	for _, c := range []struct {
		topic, file string
		fields      map[string]any
		want        string
	}{
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"email": "ann\x00@example.com"}, shopifyOrder + `email "ann\x00@example.com" contains a NUL byte (\x00)`},
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"id": long}, `the order: id is 300 bytes long; at most 255 are allowed`},
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"customer": map[string]any{"id": long}}, shopifyOrder + `customer.id is 300 bytes long; at most 255 are allowed`},
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"total_price": "1000000000000.00"}, shopifyOrder + `total_price "1000000000000.00" is too large: amounts must be below 1000000000000`},
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"total_price": "59.999"}, shopifyOrder + `total_price "59.999" has more than 2 decimals`},
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"processed_at": "2024-11-10T10:29:58+16:30"}, shopifyOrder + `processed_at 2024-11-10T10:29:58+16:30 has a UTC offset of +16:30; offsets go from -15:59 to +15:59`},
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"processed_at": "1900-01-01T00:00:00Z"}, shopifyOrder + `processed_at 1900-01-01T00:00:00Z is before 1970`},
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"processed_at": "2027-01-01T00:00:00Z"}, shopifyOrder + `processed_at 2027-01-01T00:00:00Z is in the future (now is 2026-03-02T12:00:00Z; at most a day ahead is accepted)`},
		{"orders/updated", "shopify_orders_updated.json", map[string]any{"currency": "EU\x00"}, shopifyOrder + `currency "EU\x00" is not a 3-letter currency code such as EUR`},
		{"refunds/create", "shopify_refunds_create.json", map[string]any{"id": long}, `the refund: id is 300 bytes long; at most 255 are allowed`},
		{"refunds/create", "shopify_refunds_create.json", map[string]any{"transactions": []any{
			map[string]any{"kind": "refund", "status": "success", "amount": "999999999999.00"},
			map[string]any{"kind": "refund", "status": "success", "amount": "999999999999.00"}}},
			`refund 890088186047892319: transactions add up to 1999999999998.00: amounts must be below 1000000000000`},
	} {
		code, answer := postShopify(t, base, c.topic, testdata(t, c.file, c.fields))
		if got := errorAnswer(t, answer); code != http.StatusBadRequest || got != c.want {
			t.Errorf("shopify %v\n got %d %s\nwant 400 %s", c.fields, code, got, c.want)
		}
	}
}

// checkWooCommerceRefusals is checkShopifyRefusals for WooCommerce.
func checkWooCommerceRefusals(t *testing.T, base, long string) {
	t.Helper()
	for _, c := range []struct {
		fields map[string]any
		want   string
	}{
		{map[string]any{"total": "29.355"}, `order 727: total "29.355" has more than 2 decimals`},
		{map[string]any{"date_created_gmt": "1969-07-20T20:17:00"}, `order 727: date_created_gmt 1969-07-20T20:17:00Z is before 1970`},
		{map[string]any{"billing": map[string]any{"email": "john\x00@example.com"}}, `order 727: billing.email "john\x00@example.com" contains a NUL byte (\x00)`},
		{map[string]any{"customer_id": long}, `order 727: customer_id is 300 bytes long; at most 255 are allowed`},
	} {
		code, answer := postWoo(t, base, "order.created", testdata(t, "woocommerce_order_created.json", c.fields))
		if got := errorAnswer(t, answer); code != http.StatusBadRequest || got != c.want {
			t.Errorf("woocommerce %v\n got %d %s\nwant 400 %s", c.fields, code, got, c.want)
		}
	}
}
