package web_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/web"
)

func postWoo(t *testing.T, base, topic string, body []byte) (int, string) {
	t.Helper()
	return post(t, base+"/api/webhooks/woocommerce", body, map[string]string{
		web.WooCommerceSignatureHeader: shopSig(wooSecret, body),
		web.WooCommerceTopicHeader:     topic,
		web.WooCommerceDeliveryHeader:  "36e520ebabc2fa725092ff4a47acedf2",
		"Content-Type":                 "application/json",
	})
}

func TestWooCommercesPingIsAnsweredWithoutASignature(t *testing.T) {
	base, sink := webhooks(t, nil)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	code, answer := post(t, base+"/api/webhooks/woocommerce", []byte("webhook_id=12"), form)
	if code != http.StatusOK || answer != `{"status":"pong"}` {
		t.Errorf("ping: %d %s, want 200 pong", code, answer)
	}
	for _, body := range []string{"webhook_id=12&order=1", "webhook_id=", `{"id": 727}`} {
		code, answer := post(t, base+"/api/webhooks/woocommerce", []byte(body), form)
		if code != http.StatusUnauthorized || errorAnswer(t, answer) != "missing X-WC-Webhook-Signature header" {
			t.Errorf("unsigned %q: %d %s, want 401", body, code, answer)
		}
	}
	if sink.calls() != 0 {
		t.Errorf("sink got %+v", sink.orders)
	}
}

func TestWooCommerceOrdersBecomeHearthOrders(t *testing.T) {
	paidAt := map[string]any{"date_paid_gmt": "2024-03-22T19:28:08"}
	for _, c := range []struct {
		name   string
		fields map[string]any
		want   clv.Order
	}{
		{"a guest's paid order with two refunds", nil, clv.Order{ID: "727", CustomerID: "email:john.doe@example.com",
			Amount: 29.35, Refunded: 12.5, Currency: "USD", Status: clv.StatusPaid, Email: "John.Doe@Example.com", Phone: "(555) 555-5555"}},
		{"a customer's completed order", map[string]any{"customer_id": 12, "status": "completed", "refunds": []any{}},
			clv.Order{ID: "727", CustomerID: "12", Amount: 29.35, Currency: "USD", Status: clv.StatusPaid,
				Email: "John.Doe@Example.com", Phone: "(555) 555-5555"}},
		{"refunded", map[string]any{"status": "refunded", "refunds": []any{map[string]any{"id": 730, "total": "-29.35"}, map[string]any{"id": 731, "total": "-1.00"}}},
			clv.Order{ID: "727", CustomerID: "email:john.doe@example.com", Amount: 29.35, Refunded: 29.35, Currency: "USD",
				Status: clv.StatusRefunded, Email: "John.Doe@Example.com", Phone: "(555) 555-5555"}},
		{"cancelled", map[string]any{"status": "cancelled", "refunds": nil},
			clv.Order{ID: "727", CustomerID: "email:john.doe@example.com", Amount: 29.35, Currency: "USD",
				Status: clv.StatusCancelled, Email: "John.Doe@Example.com", Phone: "(555) 555-5555"}},
		{"failed", map[string]any{"status": "failed", "refunds": nil},
			clv.Order{ID: "727", CustomerID: "email:john.doe@example.com", Amount: 29.35, Currency: "USD",
				Status: clv.StatusCancelled, Email: "John.Doe@Example.com", Phone: "(555) 555-5555"}},
		{"a plugin's status, paid", map[string]any{"status": "shipped", "refunds": nil, "date_paid_gmt": paidAt["date_paid_gmt"]},
			clv.Order{ID: "727", CustomerID: "email:john.doe@example.com", Amount: 29.35, Currency: "USD",
				Status: clv.StatusPaid, Email: "John.Doe@Example.com", Phone: "(555) 555-5555"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, sink := webhooks(t, nil)
			code, answer := postWoo(t, base, "order.updated", testdata(t, "woocommerce_order_created.json", c.fields))
			if code != http.StatusOK || answer != `{"orders":1,"status":"stored"}` {
				t.Fatalf("%d %s", code, answer)
			}
			got := sink.orders[0][0]
			if want := time.Date(2024, 3, 22, 19, 28, 2, 0, time.UTC); !got.OrderedAt.Equal(want) {
				t.Errorf("ordered at %v, want %v (date_created_gmt)", got.OrderedAt, want)
			}
			got.OrderedAt = time.Time{}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("stored\n %+v\nwant\n %+v", got, c.want)
			}
		})
	}
}

func TestWooCommerceUnpaidOrdersAndOtherTopicsAreAnswered200AndIgnored(t *testing.T) {
	base, sink := webhooks(t, nil)
	for _, c := range []struct {
		topic  string
		fields map[string]any
		reason string
	}{
		{"order.created", map[string]any{"status": "pending"}, `order 727 is not paid yet or is trashed (status \"pending\")`},
		{"order.created", map[string]any{"status": "on-hold"}, `order 727 is not paid yet or is trashed (status \"on-hold\")`},
		{"order.updated", map[string]any{"status": "shipped", "date_paid_gmt": nil}, `order 727 has status \"shipped\" and no date_paid_gmt`},
		{"order.updated", map[string]any{"billing": map[string]any{"email": ""}}, `order 727 is a guest order without an e-mail address`},
		{"order.deleted", map[string]any{}, `topic \"order.deleted\" is not about a placed order`},
		{"product.created", map[string]any{}, `topic \"product.created\" is not about a placed order`},
	} {
		code, answer := postWoo(t, base, c.topic, testdata(t, "woocommerce_order_created.json", c.fields))
		if want := `{"reason":"` + c.reason + `","status":"ignored"}`; code != http.StatusOK || answer != want {
			t.Errorf("%s %v: %d %s\nwant 200 %s", c.topic, c.fields, code, answer, want)
		}
	}
	if sink.calls() != 0 {
		t.Errorf("sink got %+v", sink.orders)
	}
}

func TestAMalformedWooCommerceOrderIs400NamingTheField(t *testing.T) {
	base, sink := webhooks(t, nil)
	for _, c := range []struct {
		fields map[string]any
		want   string
	}{
		{map[string]any{"total": "abc"}, `order 727: total "abc" is not a number`},
		{map[string]any{"total": nil}, `order 727: total is missing`},
		{map[string]any{"refunds": []any{map[string]any{"id": 1, "total": "-1,5"}}},
			`order 727: refunds[0].total "1,5" is not a number (use a dot for decimals and no thousands separators, such as 1234.50)`},
		{map[string]any{"date_created_gmt": "22/03/2024"}, `order 727: date_created_gmt "22/03/2024" is not a date and time such as 2024-03-01T14:30:00`},
		{map[string]any{"id": nil}, `the order id is missing`},
		{map[string]any{"billing": []any{}}, `field billing: a JSON array is not allowed here`},
	} {
		code, answer := postWoo(t, base, "order.created", testdata(t, "woocommerce_order_created.json", c.fields))
		if got := errorAnswer(t, answer); code != http.StatusBadRequest || got != c.want {
			t.Errorf("%v\n got %d %s\nwant 400 %s", c.fields, code, got, c.want)
		}
	}
	if sink.calls() != 0 {
		t.Errorf("sink got %+v", sink.orders)
	}
}
