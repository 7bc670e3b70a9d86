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

// The headers of a Shopify webhook delivery.
const (
	ShopifyHMACHeader    = "X-Shopify-Hmac-Sha256" // base64 HMAC-SHA256 of the raw body
	ShopifyTopicHeader   = "X-Shopify-Topic"
	ShopifyWebhookHeader = "X-Shopify-Webhook-Id" // one delivery; logged only
)

// shopifyOrder is the part of Shopify's Order resource Hearth reads.
type shopifyOrder struct {
	ID                jsonText `json:"id"`
	CreatedAt         string   `json:"created_at"`
	ProcessedAt       string   `json:"processed_at"`
	CancelledAt       string   `json:"cancelled_at"`
	TotalPrice        jsonText `json:"total_price"`
	CurrentTotalPrice jsonText `json:"current_total_price"`
	Currency          string   `json:"currency"`
	FinancialStatus   string   `json:"financial_status"`
	Email             string   `json:"email"`
	ContactEmail      string   `json:"contact_email"`
	Phone             string   `json:"phone"`
	Customer          *struct {
		ID    jsonText `json:"id"`
		Email string   `json:"email"`
		Phone string   `json:"phone"`
	} `json:"customer"`
}

// shopifyRefund is the part of Shopify's Refund resource Hearth reads.
type shopifyRefund struct {
	ID           jsonText `json:"id"`
	OrderID      jsonText `json:"order_id"`
	CreatedAt    string   `json:"created_at"`
	ProcessedAt  string   `json:"processed_at"`
	Transactions []struct {
		Kind   string   `json:"kind"`
		Status string   `json:"status"`
		Amount jsonText `json:"amount"`
	} `json:"transactions"`
}

// shopify serves POST /api/webhooks/shopify: orders/create, orders/updated,
// orders/paid and orders/cancelled carry an order, refunds/create a refund;
// other topics are answered 200 and ignored.
func (h *OrderWebhooks) shopify(w http.ResponseWriter, r *http.Request) {
	topic := r.Header.Get(ShopifyTopicHeader)
	log := h.Log.With("route", "shopify", "topic", topic, "webhook_id", r.Header.Get(ShopifyWebhookHeader))
	body, ok := h.signedBody(w, r, log, ShopifyHMACHeader, h.ShopifySecret, decodeBase64)
	if !ok {
		return
	}
	switch topic {
	case "orders/create", "orders/updated", "orders/paid", "orders/cancelled":
		h.saveShopOrder(w, r, log, "shopify", body, &shopifyOrder{})
	case "refunds/create":
		var sr shopifyRefund
		if err := decodeJSON(body, &sr, false); err != nil {
			invalid(w, log, err)
			return
		}
		refund, err := sr.refund()
		switch {
		case err != nil:
			invalid(w, log, err)
		case refund.Amount == 0:
			ignore(w, log, fmt.Sprintf("refund %s moved no money", refund.ID))
		default:
			h.saveRefund(w, r, log, refund)
		}
	default:
		ignore(w, log, fmt.Sprintf("topic %q is not about orders", topic))
	}
}

// order turns a Shopify order into Hearth's. An order not paid yet
// (financial_status pending, authorized, expired) is skipped, with the reason
// in skip: it comes again, paid, as orders/updated or orders/paid. So is an
// order with neither a customer nor an e-mail address, which no one's value
// can include.
//
// Status: cancelled when cancelled_at is set or the payment was voided,
// refunded when fully refunded, otherwise paid (paid, partially_paid,
// partially_refunded). Refunded is what was given back so far: total_price
// less current_total_price.
func (so *shopifyOrder) order() (o clv.Order, skip string, err error) {
	if so.ID == "" {
		return o, "", errors.New("the order id is missing")
	}
	o.ID = string(so.ID)
	name := "order " + o.ID
	switch so.FinancialStatus {
	case "paid", "partially_paid", "partially_refunded":
		o.Status = clv.StatusPaid
	case "refunded":
		o.Status = clv.StatusRefunded
	case "voided":
		o.Status = clv.StatusCancelled
	case "pending", "authorized", "expired", "":
		return o, fmt.Sprintf("%s is not paid yet (financial_status %q)", name, so.FinancialStatus), nil
	default:
		return o, fmt.Sprintf("%s has an unknown financial_status %q", name, so.FinancialStatus), nil
	}
	if so.CancelledAt != "" {
		o.Status = clv.StatusCancelled
	}
	if o.Amount, err = ordercsv.ParseAmount(string(so.TotalPrice)); err != nil {
		return o, "", fieldError(name, "total_price", err)
	}
	if so.CurrentTotalPrice != "" {
		current, err := ordercsv.ParseAmount(string(so.CurrentTotalPrice))
		if err != nil {
			return o, "", fieldError(name, "current_total_price", err)
		}
		o.Refunded = min(max(o.Amount-current, 0), o.Amount)
	}
	at, field := so.ProcessedAt, "processed_at"
	if at == "" {
		at, field = so.CreatedAt, "created_at"
	}
	if o.OrderedAt, err = shopifyTime(at); err != nil {
		return o, "", fieldError(name, field, err)
	}
	o.Currency = strings.ToUpper(so.Currency)
	o.Email, o.Phone = firstOf(so.Email, so.ContactEmail), so.Phone
	if c := so.Customer; c != nil {
		o.CustomerID = string(c.ID)
		o.Email, o.Phone = firstOf(o.Email, c.Email), firstOf(o.Phone, c.Phone)
	}
	if o.CustomerID == "" && o.Email != "" {
		o.CustomerID = emailCustomerID(o.Email)
	}
	if o.CustomerID == "" {
		return o, name + " has neither a customer nor an e-mail address", nil
	}
	return o, "", nil
}

// refund turns a Shopify refund into Hearth's. Its amount is the sum of its
// successful refund transactions: a pending or failed one gave nothing back.
func (sr *shopifyRefund) refund() (clv.Refund, error) {
	refund := clv.Refund{ID: string(sr.ID), OrderID: string(sr.OrderID)}
	if refund.ID == "" || refund.OrderID == "" {
		return refund, errors.New("a refund needs an id and an order_id")
	}
	name := "refund " + refund.ID
	for i, t := range sr.Transactions {
		if t.Kind != "refund" || t.Status != "success" {
			continue
		}
		amount, err := ordercsv.ParseAmount(string(t.Amount))
		if err != nil {
			return refund, fieldError(name, fmt.Sprintf("transactions[%d].amount", i), err)
		}
		refund.Amount += amount
	}
	at, field := sr.ProcessedAt, "processed_at"
	if at == "" {
		at, field = sr.CreatedAt, "created_at"
	}
	var err error
	if refund.At, err = shopifyTime(at); err != nil {
		return refund, fieldError(name, field, err)
	}
	return refund, nil
}

// shopifyTime reads a Shopify timestamp, RFC 3339 with an offset.
func shopifyTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, ordercsv.ErrEmpty
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	return t, nil
}
