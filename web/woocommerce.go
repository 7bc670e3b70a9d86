package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/ordercsv"
)

// The headers of a WooCommerce webhook delivery.
const (
	WooCommerceSignatureHeader = "X-WC-Webhook-Signature" // base64 HMAC-SHA256 of the raw body
	WooCommerceTopicHeader     = "X-WC-Webhook-Topic"
	WooCommerceDeliveryHeader  = "X-WC-Webhook-Delivery-ID" // one delivery; logged only
)

// wooOrder is the part of a WooCommerce REST API order Hearth reads.
type wooOrder struct {
	ID             jsonText `json:"id"`
	Status         string   `json:"status"`
	Currency       string   `json:"currency"`
	DateCreatedGMT string   `json:"date_created_gmt"`
	DatePaidGMT    string   `json:"date_paid_gmt"`
	Total          jsonText `json:"total"`
	CustomerID     jsonText `json:"customer_id"`
	Billing        struct {
		Email string `json:"email"`
		Phone string `json:"phone"`
	} `json:"billing"`
	Refunds []struct {
		ID    jsonText `json:"id"`
		Total jsonText `json:"total"` // negative, such as "-10.00"
	} `json:"refunds"`
}

// wooCommerce serves POST /api/webhooks/woocommerce: order.created,
// order.updated and order.restored carry an order; other topics are answered
// 200 and ignored.
//
// When a webhook is created, WooCommerce checks the URL with a ping whose
// body is "webhook_id=N", form-encoded and unsigned: it is answered 200 so
// the webhook can be saved, and nothing else is done with it.
func (h *OrderWebhooks) wooCommerce(w http.ResponseWriter, r *http.Request) {
	topic := r.Header.Get(WooCommerceTopicHeader)
	log := h.Log.With("route", "woocommerce", "topic", topic, "delivery_id", r.Header.Get(WooCommerceDeliveryHeader))
	if r.Header.Get(WooCommerceSignatureHeader) == "" && topic == "" {
		body, ok := h.readBody(w, r, log)
		if !ok {
			return
		}
		if isWooPing(body) {
			log.Info("woocommerce webhook ping", "ping", string(body))
			writeJSON(w, http.StatusOK, map[string]string{"status": "pong"})
			return
		}
		log.Warn("webhook without signature", "header", WooCommerceSignatureHeader)
		fail(w, http.StatusUnauthorized, "missing "+WooCommerceSignatureHeader+" header")
		return
	}
	body, ok := h.signedBody(w, r, log, WooCommerceSignatureHeader, h.WooCommerceSecret, decodeBase64)
	if !ok {
		return
	}
	switch topic {
	case "order.created", "order.updated", "order.restored":
		h.saveShopOrder(w, r, log, "woocommerce", body, &wooOrder{})
	default:
		ignore(w, log, fmt.Sprintf("topic %q is not about a placed order", topic))
	}
}

// isWooPing says whether body is WooCommerce's ping, "webhook_id=" and digits.
func isWooPing(body []byte) bool {
	id, ok := strings.CutPrefix(string(body), "webhook_id=")
	if !ok || id == "" || len(id) > 20 {
		return false
	}
	for _, c := range []byte(id) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// order turns a WooCommerce order into Hearth's. Orders that may still be
// paid (pending, on-hold, checkout-draft) are skipped, with the reason in
// skip: they come again as order.updated. So is a trashed order, and a guest
// order without an e-mail address.
//
// Status: processing and completed are paid; refunded is refunded; cancelled
// and failed are cancelled. A status added by a plugin counts as paid when
// the order has a date_paid_gmt, and is skipped otherwise. A guest
// (customer_id 0) is the customer "email:" and their billing e-mail address,
// lower-cased. Refunded is the sum of the order's refunds.
//
// Every field is checked as an order file's are (ordercsv): ids, amounts,
// dates (at most a day after now), currency and contact details.
func (wo *wooOrder) order(now time.Time) (o clv.Order, skip string, err error) {
	if wo.ID == "" {
		return o, "", errors.New("the order id is missing")
	}
	if o.ID, err = shopID("the order", "id", wo.ID); err != nil {
		return o, "", err
	}
	name := "order " + o.ID
	switch wo.Status {
	case "processing", "completed":
		o.Status = clv.StatusPaid
	case "refunded":
		o.Status = clv.StatusRefunded
	case "cancelled", "failed":
		o.Status = clv.StatusCancelled
	case "pending", "on-hold", "checkout-draft", "trash", "":
		return o, fmt.Sprintf("%s is not paid yet or is trashed (status %q)", name, wo.Status), nil
	default:
		if wo.DatePaidGMT == "" {
			return o, fmt.Sprintf("%s has status %q and no date_paid_gmt", name, wo.Status), nil
		}
		o.Status = clv.StatusPaid
	}
	if o.Amount, err = ordercsv.ParseAmount(string(wo.Total)); err != nil {
		return o, "", fieldError(name, "total", err)
	}
	for i, rf := range wo.Refunds {
		amount, err := ordercsv.ParseAmount(strings.TrimPrefix(strings.TrimSpace(string(rf.Total)), "-"))
		if err != nil {
			return o, "", fieldError(name, fmt.Sprintf("refunds[%d].total", i), err)
		}
		o.Refunded += amount
	}
	o.Refunded = min(o.Refunded, o.Amount)
	if o.OrderedAt, err = wooTime(wo.DateCreatedGMT, now); err != nil {
		return o, "", fieldError(name, "date_created_gmt", err)
	}
	if o.Currency, err = ordercsv.ParseCurrency(wo.Currency); err != nil {
		return o, "", fieldError(name, "currency", err)
	}
	o.Email, o.Phone = wo.Billing.Email, wo.Billing.Phone
	if err := contact(name, "billing.email", o.Email, "billing.phone", o.Phone); err != nil {
		return o, "", err
	}
	switch id := strings.TrimSpace(string(wo.CustomerID)); {
	case id != "" && id != "0":
		if o.CustomerID, err = shopID(name, "customer_id", wo.CustomerID); err != nil {
			return o, "", err
		}
	case o.Email != "":
		o.CustomerID = emailCustomerID(o.Email)
	default:
		return o, name + " is a guest order without an e-mail address", nil
	}
	return o, "", nil
}

// wooTime reads a WooCommerce *_gmt date, RFC 3339 without an offset, in
// UTC, and checks it with ordercsv.CheckTime against now.
func wooTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, ordercsv.ErrEmpty
	}
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return time.Time{}, fmt.Errorf("%q is not a date and time such as 2024-03-01T14:30:00", s)
		}
	}
	return t, ordercsv.CheckTime(t, now)
}
