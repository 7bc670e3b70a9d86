package web_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/web"
)

const (
	hearthSecret  = "hearth-secret"
	shopifySecret = "shopify-secret"
	wooSecret     = "woo-secret"
)

// fakeSink keeps what the webhooks hand it, in memory. The database side of
// OrderSink is tested in storage.
type fakeSink struct {
	mu      sync.Mutex
	orders  [][]clv.Order
	sources []string
	refunds []clv.Refund
	// refundSources are the sources the refunds came from.
	refundSources []string
	err           error
}

func (s *fakeSink) SaveOrders(_ context.Context, source string, orders []clv.Order) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.orders = append(s.orders, orders)
	s.sources = append(s.sources, source)
	return nil
}

func (s *fakeSink) SaveRefund(_ context.Context, source string, r clv.Refund) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.refunds = append(s.refunds, r)
	s.refundSources = append(s.refundSources, source)
	return nil
}

// calls is how many times the sink was handed something.
func (s *fakeSink) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.orders) + len(s.refunds)
}

// webhooks serves h on a fresh Server with all three secrets unless h sets
// its own, and returns the base URL and the sink.
func webhooks(t *testing.T, h *web.OrderWebhooks) (string, *fakeSink) {
	t.Helper()
	sink := &fakeSink{}
	if h == nil {
		h = &web.OrderWebhooks{HearthSecret: hearthSecret, ShopifySecret: shopifySecret, WooCommerceSecret: wooSecret}
	}
	h.Sink = sink
	return serveWebhooks(t, h), sink
}

// testNow is the webhooks' clock in tests, unless a test sets its own.
var testNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// serveWebhooks serves h on a fresh Server and returns its base URL.
func serveWebhooks(t *testing.T, h *web.OrderWebhooks) string {
	t.Helper()
	h.Log = quiet
	if h.Now == nil {
		h.Now = func() time.Time { return testNow }
	}
	s, err := web.Listen("127.0.0.1:0", func(context.Context) error { return nil }, web.NewRegistry("test"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	h.Mount(s)
	go s.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return "http://" + s.Addr()
}

// post sends body with headers and returns the status and the answer.
func post(t *testing.T, url string, body []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(answer))
}

func mac(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

func hearthSig(secret string, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac(secret, body))
}
func shopSig(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(mac(secret, body))
}

// errorAnswer is the JSON error of a 4xx or 5xx answer.
func errorAnswer(t *testing.T, answer string) string {
	t.Helper()
	var e struct{ Error string }
	if err := json.Unmarshal([]byte(answer), &e); err != nil || e.Error == "" {
		t.Fatalf("answer %q is not {\"error\": ...}", answer)
	}
	return e.Error
}

// testdata reads a payload from testdata, with fields replaced (nil deletes
// one). Numbers keep their exact digits.
func testdata(t *testing.T, name string, fields map[string]any) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if fields == nil {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	body, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// route is one webhook route and how to sign for it.
type route struct {
	name, path, header string
	sign               func(secret string, body []byte) string
	secret             string
	extra              map[string]string
	body               []byte
}

func routes(t *testing.T) []route {
	return []route{
		{"hearth", "/api/orders", web.HearthSignatureHeader, hearthSig, hearthSecret, nil,
			[]byte(`{"order_id":"1","customer_id":"c","ordered_at":"2024-01-01","amount":10}`)},
		{"shopify", "/api/webhooks/shopify", web.ShopifyHMACHeader, shopSig, shopifySecret,
			map[string]string{web.ShopifyTopicHeader: "orders/create"}, testdata(t, "shopify_orders_updated.json", nil)},
		{"woocommerce", "/api/webhooks/woocommerce", web.WooCommerceSignatureHeader, shopSig, wooSecret,
			map[string]string{web.WooCommerceTopicHeader: "order.created"}, testdata(t, "woocommerce_order_created.json", nil)},
	}
}

func (rt route) headers(sig string) map[string]string {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range rt.extra {
		h[k] = v
	}
	if sig != "" {
		h[rt.header] = sig
	}
	return h
}

func TestEveryRouteStoresASignedBodyAndRefusesABadSignatureFirst(t *testing.T) {
	base, sink := webhooks(t, nil)
	for _, rt := range routes(t) {
		t.Run(rt.name, func(t *testing.T) {
			notJSON := []byte("{not json")
			for _, c := range []struct {
				name, sig string
				body      []byte
				want      string
			}{
				{"missing", "", rt.body, "missing " + rt.header + " header"},
				{"other secret", rt.sign("guess", rt.body), rt.body, "wrong signature in the " + rt.header + " header"},
				{"other body", rt.sign(rt.secret, []byte("{}")), rt.body, "wrong signature in the " + rt.header + " header"},
				{"garbled", "!!" + rt.sign(rt.secret, rt.body), rt.body, "wrong signature in the " + rt.header + " header"},
				{"empty body, checked before parsing", rt.sign("guess", nil), nil, "wrong signature in the " + rt.header + " header"},
				{"malformed body, checked before parsing", rt.sign("guess", notJSON), notJSON, "wrong signature in the " + rt.header + " header"},
			} {
				code, answer := post(t, base+rt.path, c.body, rt.headers(c.sig))
				if code != http.StatusUnauthorized || errorAnswer(t, answer) != c.want {
					t.Errorf("%s signature: %d %s, want 401 %q", c.name, code, answer, c.want)
				}
			}
			if n := sink.calls(); n != 0 {
				t.Fatalf("the sink was called %d times on bad signatures", n)
			}

			code, answer := post(t, base+rt.path, rt.body, rt.headers(rt.sign(rt.secret, rt.body)))
			if code != http.StatusOK || answer != `{"orders":1,"status":"stored"}` {
				t.Errorf("signed: %d %s, want 200 stored", code, answer)
			}
			code, answer = post(t, base+rt.path, notJSON, rt.headers(rt.sign(rt.secret, notJSON)))
			if code != http.StatusBadRequest || !strings.HasPrefix(errorAnswer(t, answer), "malformed JSON at byte 2") {
				t.Errorf("signed, malformed: %d %s, want 400 malformed JSON", code, answer)
			}
			sink.mu.Lock()
			sink.orders = nil
			sink.mu.Unlock()
		})
	}
}

func TestEveryRouteRefusesAnOversizedBody(t *testing.T) {
	base, sink := webhooks(t, &web.OrderWebhooks{HearthSecret: hearthSecret, ShopifySecret: shopifySecret,
		WooCommerceSecret: wooSecret, MaxBody: 512})
	for _, rt := range routes(t) {
		body := append(bytes.Repeat([]byte(" "), 600), rt.body...)
		code, answer := post(t, base+rt.path, body, rt.headers(rt.sign(rt.secret, body)))
		if code != http.StatusRequestEntityTooLarge || errorAnswer(t, answer) != "the body is larger than 512 bytes" {
			t.Errorf("%s: %d %s, want 413", rt.name, code, answer)
		}
	}
	if sink.calls() != 0 {
		t.Errorf("the sink was called with oversized bodies")
	}
}

func TestASinkFailureIs500SoTheShopRetries(t *testing.T) {
	base, sink := webhooks(t, nil)
	sink.err = errors.New("database down")
	for _, rt := range routes(t) {
		code, answer := post(t, base+rt.path, rt.body, rt.headers(rt.sign(rt.secret, rt.body)))
		if code != http.StatusInternalServerError || errorAnswer(t, answer) != "the orders could not be stored; try again later" {
			t.Errorf("%s: %d %s, want 500", rt.name, code, answer)
		}
	}
	code, answer := postShopify(t, base, "refunds/create", testdata(t, "shopify_refunds_create.json", nil))
	if code != http.StatusInternalServerError || errorAnswer(t, answer) != "the refund could not be stored; try again later" {
		t.Errorf("shopify refund: %d %s, want 500", code, answer)
	}
}

func TestOnlyRoutesWithASecretAreMountedAndCounted(t *testing.T) {
	base, _ := webhooks(t, &web.OrderWebhooks{ShopifySecret: shopifySecret})
	for path, want := range map[string]int{
		"/api/orders":               http.StatusNotFound,
		"/api/webhooks/woocommerce": http.StatusNotFound,
		"/api/webhooks/shopify":     http.StatusUnauthorized,
	} {
		if code, _ := post(t, base+path, []byte("{}"), nil); code != want {
			t.Errorf("POST %s: %d, want %d", path, code, want)
		}
	}
	if code, _ := get(t, base+"/api/webhooks/shopify"); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /api/webhooks/shopify: %d, want 405", code)
	}
	if _, metrics := get(t, base+"/metrics"); !strings.Contains(metrics, `hearth_http_requests_total{code="401",route="POST /api/webhooks/shopify"} 1`) {
		t.Errorf("the shopify route is not counted in /metrics")
	}
}
