package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/ordercsv"
)

// OrderSink stores orders and refunds that shops send. Storage implements
// it. Shops deliver at least once, so saving the same order id or refund id
// of a source again must update, not add. source names the route (api,
// shopify or woocommerce); each has its own ids.
type OrderSink interface {
	SaveOrders(ctx context.Context, source string, orders []clv.Order) error
	SaveRefund(ctx context.Context, source string, refund clv.Refund) error
}

// DefaultMaxBody is the largest webhook body accepted when
// OrderWebhooks.MaxBody is not set.
const DefaultMaxBody = 1 << 20

// OrderWebhooks receives orders over HTTP: Hearth's own JSON API and the
// Shopify and WooCommerce webhooks. Each route checks its signature, made
// with its own secret, before reading the body as JSON.
type OrderWebhooks struct {
	Sink              OrderSink
	HearthSecret      string       // signs POST /api/orders; empty leaves the route out
	ShopifySecret     string       // signs POST /api/webhooks/shopify; empty leaves it out
	WooCommerceSecret string       // signs POST /api/webhooks/woocommerce; empty leaves it out
	Log               *slog.Logger // nil discards
	MaxBody           int64        // largest body in bytes; 0 means DefaultMaxBody
	// Now is the clock an order's date is checked against (at most a day
	// ahead of it); nil means time.Now.
	Now func() time.Time
}

// Mount registers on s the routes whose secret is set.
func (h *OrderWebhooks) Mount(s *Server) {
	if h.Sink == nil {
		panic("web: OrderWebhooks.Sink is nil")
	}
	if h.Log == nil {
		h.Log = slog.New(slog.DiscardHandler)
	}
	if h.MaxBody <= 0 {
		h.MaxBody = DefaultMaxBody
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.HearthSecret != "" {
		s.Handle("POST /api/orders", http.HandlerFunc(h.hearthOrders))
	}
	if h.ShopifySecret != "" {
		s.Handle("POST /api/webhooks/shopify", http.HandlerFunc(h.shopify))
	}
	if h.WooCommerceSecret != "" {
		s.Handle("POST /api/webhooks/woocommerce", http.HandlerFunc(h.wooCommerce))
	}
}

// readBody reads the request body up to MaxBody bytes. When it is larger,
// or cannot be read, it answers and returns false.
func (h *OrderWebhooks) readBody(w http.ResponseWriter, r *http.Request, log *slog.Logger) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.MaxBody))
	if tooBig, ok := errors.AsType[*http.MaxBytesError](err); ok {
		log.Warn("webhook body too large", "limit", tooBig.Limit)
		fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit))
		return nil, false
	}
	if err != nil {
		log.Warn("webhook body unreadable", "err", err)
		fail(w, http.StatusBadRequest, "the body could not be read")
		return nil, false
	}
	return body, true
}

// signedBody reads the body and checks that sig, the value of the header
// named header, is its HMAC-SHA256 with secret, in the encoding decode reads.
// A missing header is refused before the body is read. When the signature is
// wrong it answers 401 and returns false.
func (h *OrderWebhooks) signedBody(w http.ResponseWriter, r *http.Request, log *slog.Logger,
	header, secret string, decode func(string) ([]byte, error)) ([]byte, bool) {
	sig := r.Header.Get(header)
	if sig == "" {
		log.Warn("webhook without signature", "header", header)
		fail(w, http.StatusUnauthorized, "missing "+header+" header")
		return nil, false
	}
	body, ok := h.readBody(w, r, log)
	if !ok {
		return nil, false
	}
	if !validSignature(body, secret, sig, decode) {
		log.Warn("webhook with a wrong signature", "header", header)
		fail(w, http.StatusUnauthorized, "wrong signature in the "+header+" header")
		return nil, false
	}
	return body, true
}

// validSignature compares, in constant time, sig with the HMAC-SHA256 of
// body under secret.
func validSignature(body []byte, secret, sig string, decode func(string) ([]byte, error)) bool {
	got, err := decode(strings.TrimSpace(sig))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// decodeBase64 reads a Shopify or WooCommerce signature.
func decodeBase64(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// decodeSHA256Hex reads a Hearth signature, "sha256=<hex>".
func decodeSHA256Hex(s string) ([]byte, error) {
	hexSum, ok := strings.CutPrefix(s, "sha256=")
	if !ok {
		return nil, errors.New(`no "sha256=" prefix`)
	}
	return hex.DecodeString(hexSum)
}

// save hands orders to the sink and answers: 200 once they are stored, 500
// when the sink fails, so that the shop delivers them again.
func (h *OrderWebhooks) save(w http.ResponseWriter, r *http.Request, log *slog.Logger, source string, orders []clv.Order) {
	if err := h.Sink.SaveOrders(r.Context(), source, orders); err != nil {
		log.Error("webhook orders not saved", "orders", len(orders), "err", err)
		fail(w, http.StatusInternalServerError, "the orders could not be stored; try again later")
		return
	}
	log.Debug("webhook orders saved", "orders", len(orders), "first", orders[0].ID)
	writeJSON(w, http.StatusOK, map[string]any{"status": "stored", "orders": len(orders)})
}

// shopOrder is a shop's order payload that becomes Hearth's order, or is
// skipped with a reason. now is when it is received.
type shopOrder interface {
	order(now time.Time) (o clv.Order, skip string, err error)
}

// saveShopOrder decodes body into into, then saves the order, answers why
// it is skipped, or answers 400 with what is wrong.
func (h *OrderWebhooks) saveShopOrder(w http.ResponseWriter, r *http.Request, log *slog.Logger, source string, body []byte, into shopOrder) {
	if err := decodeJSON(body, into, false); err != nil {
		invalid(w, log, err)
		return
	}
	o, skip, err := into.order(h.Now())
	switch {
	case err != nil:
		invalid(w, log, err)
	case skip != "":
		ignore(w, log, skip)
	default:
		h.save(w, r, log, source, []clv.Order{o})
	}
}

// saveRefund hands a refund of source to the sink and answers like save.
func (h *OrderWebhooks) saveRefund(w http.ResponseWriter, r *http.Request, log *slog.Logger, source string, refund clv.Refund) {
	if err := h.Sink.SaveRefund(r.Context(), source, refund); err != nil {
		log.Error("webhook refund not saved", "refund", refund.ID, "err", err)
		fail(w, http.StatusInternalServerError, "the refund could not be stored; try again later")
		return
	}
	log.Debug("webhook refund saved", "refund", refund.ID, "order", refund.OrderID)
	writeJSON(w, http.StatusOK, map[string]any{"status": "stored", "refunds": 1})
}

// emailCustomerID is the customer id of a guest who ordered without an
// account: their e-mail address, lower-cased, so their orders add up.
func emailCustomerID(email string) string {
	return "email:" + strings.ToLower(strings.TrimSpace(email))
}

// contact checks a shop's e-mail address and phone number: text the
// database can store, at most ordercsv.MaxIDLength bytes each.
func contact(name, emailField, email, phoneField, phone string) error {
	if err := ordercsv.CheckText(email, ordercsv.MaxIDLength); err != nil {
		return fieldError(name, emailField, err)
	}
	if err := ordercsv.CheckText(phone, ordercsv.MaxIDLength); err != nil {
		return fieldError(name, phoneField, err)
	}
	return nil
}

// shopID reads an id a shop sent (order, customer or refund) with
// ordercsv.ParseID, naming the field when it is wrong.
func shopID(name, field string, id jsonText) (string, error) {
	s, err := ordercsv.ParseID(string(id))
	if err != nil {
		return "", fieldError(name, field, err)
	}
	return s, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ignore answers 200 to a delivery Hearth has no use for, so the shop does
// not retry it, and says why.
func ignore(w http.ResponseWriter, log *slog.Logger, why string) {
	log.Debug("webhook ignored", "why", why)
	writeJSON(w, http.StatusOK, map[string]string{"status": "ignored", "reason": why})
}

// invalid answers 400 with what is wrong in the body.
func invalid(w http.ResponseWriter, log *slog.Logger, err error) {
	log.Warn("webhook body invalid", "err", err)
	fail(w, http.StatusBadRequest, err.Error())
}

// fieldError says what is wrong with a field of a shop's order or refund,
// such as `order 1234: total_price "abc" is not a number`.
func fieldError(what, field string, err error) error {
	if errors.Is(err, ordercsv.ErrEmpty) {
		return fmt.Errorf("%s: %s is missing", what, field)
	}
	return fmt.Errorf("%s: %s %v", what, field, err)
}

// fail answers code with a short reason as JSON: {"error": "..."}.
func fail(w http.ResponseWriter, code int, reason string) {
	writeJSON(w, code, map[string]string{"error": reason})
}

// decodeJSON reads body as one JSON value into v. Its errors name the field
// at fault, without Go type names.
func decodeJSON(body []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value in the body")
	}
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if typeErr.Field == "" {
			return fmt.Errorf("the body is a JSON %s, not an object", typeErr.Value)
		}
		return fmt.Errorf("field %s: a JSON %s is not allowed here", typeErr.Field, typeErr.Value)
	}
	if syntaxErr, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("malformed JSON at byte %d: %v", syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the body is not complete JSON")
	}
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// jsonText is a JSON string or number kept as its text, for ids and amounts
// that shops send either way (and ids too large for a float64). null reads as
// empty.
type jsonText string

var jsonTextType = reflect.TypeFor[jsonText]()

// UnmarshalJSON implements json.Unmarshaler.
func (t *jsonText) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = jsonText(s)
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*t = jsonText(b)
	default:
		kind := "object"
		switch b[0] {
		case '[':
			kind = "array"
		case 't', 'f':
			kind = "bool"
		}
		return &json.UnmarshalTypeError{Value: kind, Type: jsonTextType}
	}
	return nil
}
