package clv

import (
	"fmt"
	"strings"
	"time"
)

// OrderStatus says whether an order counts towards a customer's value.
type OrderStatus string

// The order statuses. Only paid orders count; a partly refunded paid order
// counts for what was kept.
const (
	StatusPaid      OrderStatus = "paid"
	StatusRefunded  OrderStatus = "refunded"
	StatusCancelled OrderStatus = "cancelled"
)

// ParseOrderStatus reads a status, in any case; an empty one means paid.
func ParseOrderStatus(s string) (OrderStatus, error) {
	switch st := OrderStatus(strings.ToLower(strings.TrimSpace(s))); st {
	case "":
		return StatusPaid, nil
	case StatusPaid, StatusRefunded, StatusCancelled:
		return st, nil
	}
	return "", fmt.Errorf("status %q is not one of paid, refunded, cancelled", s)
}

// Order is one shop order as Hearth receives it from a CSV file or a shop
// webhook. Amounts are in the order's currency.
type Order struct {
	ID         string    // the shop's order id; re-sending it updates the order
	CustomerID string    // the shop's customer id
	OrderedAt  time.Time // when the order was placed
	Amount     float64   // what the customer paid, before refunds
	Refunded   float64   // the part of Amount given back (partial refunds)
	Currency   string    // ISO 4217 code such as "EUR"; may be empty
	Margin     *float64  // the profit on the order, when the shop knows it
	Status     OrderStatus

	// Contact details that let Hearth link the customer to a member.
	Email            string
	Phone            string
	TelegramID       string
	TelegramUsername string
	DiscordID        string
}

// Value is what the order is worth to the customer's CLV: the amount kept
// after refunds for a paid order, and 0 for a refunded or cancelled one.
func (o Order) Value() float64 {
	if o.Status != StatusPaid && o.Status != "" {
		return 0
	}
	return o.Amount - o.Refunded
}

// MarginValue is the profit kept on the order: its margin scaled by the
// share not refunded, or its value when the margin is unknown.
func (o Order) MarginValue() float64 {
	v := o.Value()
	if o.Margin == nil || o.Amount == 0 {
		return v
	}
	return *o.Margin * v / o.Amount
}

// Refund is money given back on an order, reported on its own (a Shopify
// refunds/create webhook). Sending the same refund twice counts it once.
type Refund struct {
	ID      string // the shop's refund id
	OrderID string
	Amount  float64
	At      time.Time
}
