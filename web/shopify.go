package web

import (
	"errors"
	"fmt"
	"net/http"
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
		refund, err := sr.refund(h.Now())
		switch {
		case err != nil:
			invalid(w, log, err)
		case refund.Amount == 0:
			ignore(w, log, fmt.Sprintf("refund %s moved no money", refund.ID))
		default:
			h.saveRefund(w, r, log, "shopify", refund)
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
//
// Every field is checked as an order file's are (ordercsv): ids, amounts,
// dates (at most a day after now), currency and contact details.
func (so *shopifyOrder) order(now time.Time) (o clv.Order, skip string, err error) {
	if so.ID == "" {
		return o, "", errors.New("the order id is missing")
	}
	if o.ID, err = shopID("the order", "id", so.ID); err != nil {
		return o, "", err
	}
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
	if o.OrderedAt, err = shopifyTime(at, now); err != nil {
		return o, "", fieldError(name, field, err)
	}
	if o.Currency, err = ordercsv.ParseCurrency(so.Currency); err != nil {
		return o, "", fieldError(name, "currency", err)
	}
	if err := so.customer(name, &o); err != nil {
		return o, "", err
	}
	if o.CustomerID == "" {
		return o, name + " has neither a customer nor an e-mail address", nil
	}
	return o, "", nil
}

// customer sets the customer id and contact details of order name: the
// customer's id, else the e-mail address of a guest.
func (so *shopifyOrder) customer(name string, o *clv.Order) error {
	var err error
	o.Email, o.Phone = firstOf(so.Email, so.ContactEmail), so.Phone
	if c := so.Customer; c != nil {
		if c.ID != "" {
			if o.CustomerID, err = shopID(name, "customer.id", c.ID); err != nil {
				return err
			}
		}
		o.Email, o.Phone = firstOf(o.Email, c.Email), firstOf(o.Phone, c.Phone)
	}
	if err := contact(name, "email", o.Email, "phone", o.Phone); err != nil {
		return err
	}
	if o.CustomerID == "" && o.Email != "" {
		o.CustomerID = emailCustomerID(o.Email)
	}
	return nil
}

// refund turns a Shopify refund, received at now, into Hearth's. Its amount
// is the sum of its successful refund transactions: a pending or failed one
// gave nothing back.
func (sr *shopifyRefund) refund(now time.Time) (clv.Refund, error) {
	if sr.ID == "" || sr.OrderID == "" {
		return clv.Refund{}, errors.New("a refund needs an id and an order_id")
	}
	var refund clv.Refund
	var err error
	if refund.ID, err = shopID("the refund", "id", sr.ID); err != nil {
		return refund, err
	}
	name := "refund " + refund.ID
	if refund.OrderID, err = shopID(name, "order_id", sr.OrderID); err != nil {
		return refund, err
	}
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
	if refund.Amount >= ordercsv.MaxAmount {
		return refund, fieldError(name, "transactions", fmt.Errorf("add up to %.2f: amounts must be below 1000000000000", refund.Amount))
	}
	at, field := sr.ProcessedAt, "processed_at"
	if at == "" {
		at, field = sr.CreatedAt, "created_at"
	}
	if refund.At, err = shopifyTime(at, now); err != nil {
		return refund, fieldError(name, field, err)
	}
	return refund, nil
}

// shopifyTime reads a Shopify timestamp, RFC 3339 with an offset, and
// checks it with ordercsv.CheckTime against now.
func shopifyTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, ordercsv.ErrEmpty
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	return t, ordercsv.CheckTime(t, now)
}
