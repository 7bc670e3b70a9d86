package web_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/web"
)

func postShopify(t *testing.T, base, topic string, body []byte) (int, string) {
	t.Helper()
	return post(t, base+"/api/webhooks/shopify", body, map[string]string{
		web.ShopifyHMACHeader:    shopSig(shopifySecret, body),
		web.ShopifyTopicHeader:   topic,
		web.ShopifyWebhookHeader: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
		"Content-Type":           "application/json",
	})
}

func TestShopifyOrdersBecomeHearthOrders(t *testing.T) {
	est := time.FixedZone("", -5*3600)
	for _, c := range []struct {
		name, topic, file string
		want              clv.Order
	}{
		{"the documented example: voided and cancelled, ids beyond float64", "orders/create", "shopify_orders_create.json",
			clv.Order{ID: "820982911946154508", CustomerID: "115310627314723954", OrderedAt: time.Date(2021, 12, 31, 19, 0, 0, 0, est),
				Amount: 403, Currency: "USD", Status: clv.StatusCancelled, Email: "jon@example.com"}},
		{"partly refunded: processed_at and current_total_price", "orders/updated", "shopify_orders_updated.json",
			clv.Order{ID: "5940139491234", CustomerID: "7001234567890", OrderedAt: time.Date(2024, 11, 10, 10, 29, 58, 0, est),
				Amount: 59.99, Refunded: 12.5, Currency: "EUR", Status: clv.StatusPaid, Email: "Ann.Buyer@Example.com", Phone: "+302101234567"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, sink := webhooks(t, nil)
			code, answer := postShopify(t, base, c.topic, testdata(t, c.file, nil))
			if code != http.StatusOK {
				t.Fatalf("%d %s", code, answer)
			}
			if len(sink.orders) != 1 || len(sink.orders[0]) != 1 {
				t.Fatalf("sink got %+v, want one order", sink.orders)
			}
			got := sink.orders[0][0]
			if !got.OrderedAt.Equal(c.want.OrderedAt) {
				t.Errorf("ordered at %v, want %v", got.OrderedAt, c.want.OrderedAt)
			}
			got.OrderedAt, c.want.OrderedAt = time.Time{}, time.Time{}
			got.Refunded = float64(int(got.Refunded*100+0.5)) / 100 // 59.99 - 47.49 in binary
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("stored\n %+v\nwant\n %+v", got, c.want)
			}
		})
	}
}

func TestAShopifyGuestIsTheirEmailAndANobodyIsSkipped(t *testing.T) {
	base, sink := webhooks(t, nil)
	guest := testdata(t, "shopify_orders_updated.json", map[string]any{"customer": nil})
	if code, answer := postShopify(t, base, "orders/paid", guest); code != http.StatusOK {
		t.Fatalf("%d %s", code, answer)
	}
	if got := sink.orders[0][0].CustomerID; got != "email:ann.buyer@example.com" {
		t.Errorf("guest customer id %q, want email:ann.buyer@example.com", got)
	}
	nobody := testdata(t, "shopify_orders_updated.json", map[string]any{"customer": nil, "email": nil, "contact_email": nil})
	code, answer := postShopify(t, base, "orders/paid", nobody)
	if code != http.StatusOK || answer != `{"reason":"order 5940139491234 has neither a customer nor an e-mail address","status":"ignored"}` {
		t.Errorf("no customer: %d %s", code, answer)
	}
}

func TestShopifyUnpaidOrdersAndOtherTopicsAreAnswered200AndIgnored(t *testing.T) {
	base, sink := webhooks(t, nil)
	for _, c := range []struct {
		topic  string
		body   []byte
		reason string
	}{
		{"orders/create", testdata(t, "shopify_orders_updated.json", map[string]any{"financial_status": "pending"}),
			`order 5940139491234 is not paid yet (financial_status \"pending\")`},
		{"orders/updated", testdata(t, "shopify_orders_updated.json", map[string]any{"financial_status": "authorized"}),
			`order 5940139491234 is not paid yet (financial_status \"authorized\")`},
		{"orders/updated", testdata(t, "shopify_orders_updated.json", map[string]any{"financial_status": "bartered"}),
			`order 5940139491234 has an unknown financial_status \"bartered\"`},
		{"products/create", []byte(`{"id": 632910392, "title": "IPod Nano - 8GB"}`), `topic \"products/create\" is not about orders`},
		{"refunds/create", testdata(t, "shopify_refunds_create.json", map[string]any{"transactions": []any{}}),
			`refund 890088186047892319 moved no money`},
	} {
		code, answer := postShopify(t, base, c.topic, c.body)
		if want := `{"reason":"` + c.reason + `","status":"ignored"}`; code != http.StatusOK || answer != want {
			t.Errorf("%s: %d %s\nwant 200 %s", c.topic, code, answer, want)
		}
	}
	if sink.calls() != 0 {
		t.Errorf("sink got %+v %+v", sink.orders, sink.refunds)
	}
}

func TestAMalformedShopifyOrderIs400NamingTheField(t *testing.T) {
	base, sink := webhooks(t, nil)
	for _, c := range []struct {
		topic  string
		fields map[string]any
		file   string
		want   string
	}{
		{"orders/create", map[string]any{"total_price": "abc"}, "shopify_orders_create.json",
			`order 820982911946154508: total_price "abc" is not a number`},
		{"orders/create", map[string]any{"current_total_price": "-1.00"}, "shopify_orders_create.json",
			`order 820982911946154508: current_total_price "-1.00" is negative`},
		{"orders/create", map[string]any{"created_at": "31/12/2021"}, "shopify_orders_create.json",
			`order 820982911946154508: created_at "31/12/2021" is not an RFC 3339 time`},
		{"orders/create", map[string]any{"id": nil}, "shopify_orders_create.json", `the order id is missing`},
		{"orders/create", map[string]any{"customer": "john"}, "shopify_orders_create.json", `field customer: a JSON string is not allowed here`},
		{"refunds/create", map[string]any{"processed_at": nil, "created_at": "soon"}, "shopify_refunds_create.json",
			`refund 890088186047892319: created_at "soon" is not an RFC 3339 time`},
		{"refunds/create", map[string]any{"transactions": []any{map[string]any{"kind": "refund", "status": "success", "amount": "1,00"}}},
			"shopify_refunds_create.json",
			`refund 890088186047892319: transactions[0].amount "1,00" is not a number (use a dot for decimals and no thousands separators, such as 1234.50)`},
		{"refunds/create", map[string]any{"order_id": nil}, "shopify_refunds_create.json", `a refund needs an id and an order_id`},
	} {
		code, answer := postShopify(t, base, c.topic, testdata(t, c.file, c.fields))
		if got := errorAnswer(t, answer); code != http.StatusBadRequest || got != c.want {
			t.Errorf("%v\n got %d %s\nwant 400 %s", c.fields, code, got, c.want)
		}
	}
	if sink.calls() != 0 {
		t.Errorf("sink got %+v %+v", sink.orders, sink.refunds)
	}
}

func TestAShopifyRefundSumsItsSuccessfulRefundTransactions(t *testing.T) {
	base, sink := webhooks(t, nil)
	body := testdata(t, "shopify_refunds_create.json", nil)
	for range 2 { // a duplicate delivery: the sink gets the same refund again
		if code, answer := postShopify(t, base, "refunds/create", body); code != http.StatusOK || answer != `{"refunds":1,"status":"stored"}` {
			t.Fatalf("%d %s", code, answer)
		}
	}
	want := clv.Refund{ID: "890088186047892319", OrderID: "820982911946154508", Amount: 199,
		At: time.Date(2022, 1, 1, 0, 0, 1, 0, time.UTC)}
	if len(sink.refunds) != 2 || sink.refunds[0] != sink.refunds[1] {
		t.Fatalf("sink got %+v, want the same refund twice", sink.refunds)
	}
	got := sink.refunds[0]
	if !got.At.Equal(want.At) {
		t.Errorf("refund at %v, want %v", got.At, want.At)
	}
	got.At = want.At
	if got != want {
		t.Errorf("refund %+v, want %+v", got, want)
	}
}

func TestAShopifyDuplicateDeliveryHandsTheSameOrderAgain(t *testing.T) {
	base, sink := webhooks(t, nil)
	body := testdata(t, "shopify_orders_updated.json", nil)
	for range 2 {
		if code, answer := postShopify(t, base, "orders/updated", body); code != http.StatusOK {
			t.Fatalf("%d %s", code, answer)
		}
	}
	if len(sink.orders) != 2 || !reflect.DeepEqual(sink.orders[0], sink.orders[1]) {
		t.Errorf("sink got %+v, want the same order twice", sink.orders)
	}
}
