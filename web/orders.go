package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/ordercsv"
)

// HearthSignatureHeader carries the signature of a POST /api/orders body:
// "sha256=" and the hex HMAC-SHA256 of the raw body with the Hearth secret.
const HearthSignatureHeader = "X-Hearth-Signature"

// maxListedProblems bounds the problems one 400 answer lists.
const maxListedProblems = 10

// hearthOrder is one order of Hearth's JSON API. Its fields are the columns
// of an order CSV file, and are checked the same way; each may be a JSON
// string or number.
type hearthOrder struct {
	OrderID          jsonText `json:"order_id"`
	CustomerID       jsonText `json:"customer_id"`
	OrderedAt        jsonText `json:"ordered_at"`
	Amount           jsonText `json:"amount"`
	Currency         jsonText `json:"currency"`
	Margin           jsonText `json:"margin"`
	Cost             jsonText `json:"cost"`
	Status           jsonText `json:"status"`
	Email            jsonText `json:"email"`
	Phone            jsonText `json:"phone"`
	TelegramID       jsonText `json:"telegram_id"`
	TelegramUsername jsonText `json:"telegram_username"`
	DiscordID        jsonText `json:"discord_id"`
}

// hearthBatch is a POST /api/orders body with many orders.
type hearthBatch struct {
	Orders []hearthOrder `json:"orders"`
}

// hearthOrders serves POST /api/orders. All orders of a body are stored, or
// none: one invalid order refuses the whole body.
func (h *OrderWebhooks) hearthOrders(w http.ResponseWriter, r *http.Request) {
	log := h.Log.With("route", "hearth")
	body, ok := h.signedBody(w, r, log, HearthSignatureHeader, h.HearthSecret, decodeSHA256Hex)
	if !ok {
		return
	}
	orders, err := parseHearthOrders(body, h.Now())
	if err != nil {
		invalid(w, log, err)
		return
	}
	h.save(w, r, log, "api", orders)
}

// parseHearthOrders reads and checks a POST /api/orders body received at
// now.
func parseHearthOrders(body []byte, now time.Time) ([]clv.Order, error) {
	var (
		peek  map[string]json.RawMessage
		batch hearthBatch
		list  = make([]hearthOrder, 1)
		many  bool
	)
	if err := decodeJSON(body, &peek, false); err != nil {
		return nil, err
	}
	if _, many = peek["orders"]; many {
		if len(peek) > 1 {
			return nil, errors.New(`give one order, or {"orders": [...]}, not both`)
		}
		if err := decodeJSON(body, &batch, true); err != nil {
			return nil, err
		}
		if list = batch.Orders; len(list) == 0 {
			return nil, errors.New(`"orders" is empty`)
		}
	} else if err := decodeJSON(body, &list[0], true); err != nil {
		return nil, err
	}
	var (
		orders   = make([]clv.Order, 0, len(list))
		problems []string
		index    = make(map[string]int, len(list))
	)
	for i, ho := range list {
		rec := ho.record()
		o, errs := rec.Order(now)
		name := orderName(o.ID, i, many)
		for _, p := range errs {
			problems = append(problems, fmt.Sprintf("%s, field %s: %s", name, p.Column, p.Msg))
		}
		if j, dup := index[o.ID]; dup && o.ID != "" {
			problems = append(problems, fmt.Sprintf("order %s is given twice (orders[%d] and orders[%d])", o.ID, j, i))
		}
		index[o.ID] = i
		orders = append(orders, o)
	}
	if problems != nil {
		return nil, errors.New(listProblems(problems))
	}
	return orders, nil
}

// orderName says which order of a body a problem is about.
func orderName(id string, i int, many bool) string {
	switch {
	case id != "":
		return "order " + id
	case many:
		return fmt.Sprintf("orders[%d]", i)
	}
	return "the order"
}

// listProblems joins the first problems into one reason.
func listProblems(problems []string) string {
	if len(problems) <= maxListedProblems {
		return strings.Join(problems, "; ")
	}
	more := len(problems) - maxListedProblems
	noun := "problems"
	if more == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("%s; and %d more %s", strings.Join(problems[:maxListedProblems], "; "), more, noun)
}

func (o *hearthOrder) record() ordercsv.Record {
	return ordercsv.Record{
		OrderID:          string(o.OrderID),
		CustomerID:       string(o.CustomerID),
		OrderedAt:        string(o.OrderedAt),
		Amount:           string(o.Amount),
		Currency:         string(o.Currency),
		Margin:           string(o.Margin),
		Cost:             string(o.Cost),
		Status:           string(o.Status),
		Email:            string(o.Email),
		Phone:            string(o.Phone),
		TelegramID:       string(o.TelegramID),
		TelegramUsername: string(o.TelegramUsername),
		DiscordID:        string(o.DiscordID),
	}
}
