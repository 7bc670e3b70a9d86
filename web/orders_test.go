package web_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/web"
)

func postHearth(t *testing.T, base, body string) (int, string) {
	t.Helper()
	return post(t, base+"/api/orders", []byte(body), map[string]string{
		web.HearthSignatureHeader: hearthSig(hearthSecret, []byte(body)),
		"Content-Type":            "application/json",
	})
}

func TestHearthAPIStoresOneOrderOrABatch(t *testing.T) {
	base, sink := webhooks(t, nil)
	margin := 4.5
	one := `{"order_id": 1234, "customer_id": "c-1", "ordered_at": "2024-03-01T14:30:00Z", "amount": 12.50,
		"currency": "eur", "cost": "8", "status": "paid", "email": "ann@example.com", "phone": "+30 210 1234567",
		"telegram_id": 123456789, "telegram_username": "@ann_shop", "discord_id": "80351110224678912"}`
	if code, answer := postHearth(t, base, one); code != http.StatusOK || answer != `{"orders":1,"status":"stored"}` {
		t.Fatalf("one order: %d %s", code, answer)
	}
	batch := `{"orders": [
		{"order_id": "A-1", "customer_id": 77, "ordered_at": "2024-03-02", "amount": "99.90", "status": "refunded"},
		{"order_id": "A-2", "customer_id": 77, "ordered_at": "2024-03-03", "amount": 0, "margin": null}
	]}`
	if code, answer := postHearth(t, base, batch); code != http.StatusOK || answer != `{"orders":2,"status":"stored"}` {
		t.Fatalf("batch: %d %s", code, answer)
	}
	want := [][]clv.Order{
		{{ID: "1234", CustomerID: "c-1", OrderedAt: time.Date(2024, 3, 1, 14, 30, 0, 0, time.UTC), Amount: 12.5,
			Currency: "EUR", Margin: &margin, Status: clv.StatusPaid, Email: "ann@example.com", Phone: "+30 210 1234567",
			TelegramID: "123456789", TelegramUsername: "ann_shop", DiscordID: "80351110224678912"}},
		{{ID: "A-1", CustomerID: "77", OrderedAt: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), Amount: 99.9, Status: clv.StatusRefunded},
			{ID: "A-2", CustomerID: "77", OrderedAt: time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC), Status: clv.StatusPaid}},
	}
	if !reflect.DeepEqual(sink.orders, want) {
		t.Errorf("stored\n %+v\nwant\n %+v", sink.orders, want)
	}
}

func TestHearthAPIRefusesAnInvalidBodyWhole(t *testing.T) {
	base, sink := webhooks(t, nil)
	for _, c := range []struct{ body, want string }{
		{`{"order_id": "1234", "customer_id": "c", "ordered_at": "2024-01-01", "amount": "12,5O"}`,
			`order 1234, field amount: "12,5O" is not a number (use a dot for decimals and no thousands separators, such as 1234.50)`},
		{`{"orders": [{"order_id": "1", "customer_id": "c", "ordered_at": "2024-01-01", "amount": 1},
			{"customer_id": "", "ordered_at": "yesterday", "amount": -1}]}`,
			`orders[1], field order_id: empty, but required; orders[1], field customer_id: empty, but required; ` +
				`orders[1], field ordered_at: "yesterday" is not a date: want RFC 3339 such as 2024-03-01T14:30:00Z, or YYYY-MM-DD; ` +
				`orders[1], field amount: "-1" is negative`},
		{`{"customer_id": "c", "ordered_at": "2024-01-01", "amount": 1}`, `the order, field order_id: empty, but required`},
		{`{"order_id": "1", "customer_id": "c", "ordered_at": "2024-01-01", "amout": 1}`, `unknown field "amout"`},
		{`{"order_id": "1", "customer_id": "c", "ordered_at": "2024-01-01", "amount": true}`, `field amount: a JSON bool is not allowed here`},
		{`{"orders": [{"order_id": "1", "customer_id": "c", "ordered_at": "2024-01-01", "amount": {"value": 1}}]}`,
			`field orders.amount: a JSON object is not allowed here`},
		{`{"orders": {}}`, `field orders: a JSON object is not allowed here`},
		{`{"orders": []}`, `"orders" is empty`},
		{`{"orders": [{"order_id": "1"}], "order_id": "2"}`, `give one order, or {"orders": [...]}, not both`},
		{`{"orders": [{"order_id": "7", "customer_id": "c", "ordered_at": "2024-01-01", "amount": 1},
			{"order_id": "7", "customer_id": "c", "ordered_at": "2024-01-01", "amount": 1}]}`,
			`order 7 is given twice (orders[0] and orders[1])`},
		{`{"order_id": "1"} {"order_id": "2"}`, `more than one JSON value in the body`},
		{`{"order_id": "1"`, `the body is not complete JSON`},
		{``, `the body is not complete JSON`},
		{`[1, 2]`, `the body is a JSON array, not an object`},
	} {
		code, answer := postHearth(t, base, c.body)
		if got := errorAnswer(t, answer); code != http.StatusBadRequest || got != c.want {
			t.Errorf("%s\n got %d %s\nwant 400 %s", c.body, code, got, c.want)
		}
	}
	if sink.calls() != 0 {
		t.Errorf("the sink got %+v from invalid bodies", sink.orders)
	}

	var many strings.Builder
	many.WriteString(`{"orders": [`)
	for i := range 12 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`{"customer_id": "c", "ordered_at": "2024-01-01", "amount": 1}`)
	}
	many.WriteString("]}")
	_, answer := postHearth(t, base, many.String())
	if got := errorAnswer(t, answer); !strings.HasSuffix(got, "orders[9], field order_id: empty, but required; and 2 more problems") {
		t.Errorf("12 problems: %s", got)
	}
	eleven := strings.Replace(many.String(), `{"customer_id": "c", "ordered_at": "2024-01-01", "amount": 1},`, "", 1)
	_, answer = postHearth(t, base, eleven)
	if got := errorAnswer(t, answer); !strings.HasSuffix(got, "; and 1 more problem") {
		t.Errorf("11 problems: %s", got)
	}
}

func TestAHearthDuplicateDeliveryHandsTheSameOrdersAgain(t *testing.T) {
	base, sink := webhooks(t, nil)
	body := `{"order_id": "1", "customer_id": "c", "ordered_at": "2024-01-01", "amount": 1}`
	for range 2 {
		if code, answer := postHearth(t, base, body); code != http.StatusOK {
			t.Fatalf("%d %s", code, answer)
		}
	}
	if len(sink.orders) != 2 || !reflect.DeepEqual(sink.orders[0], sink.orders[1]) {
		t.Errorf("sink got %+v, want the same order twice (the sink makes it idempotent)", sink.orders)
	}
}
