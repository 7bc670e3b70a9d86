package clv

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// OrderMargin is the profit an order brings: the shop's own margin when it
// sent one (scaled by the share not refunded), otherwise the order's value
// times marginRate. Refunded and cancelled orders bring 0.
func OrderMargin(o Order, marginRate float64) float64 {
	if o.Margin != nil {
		return o.MarginValue()
	}
	return o.Value() * marginRate
}

// HistoricalOptions says how HistoricalCLV counts money.
type HistoricalOptions struct {
	End time.Time // orders placed after End are left out; required
	// MarginRate is the share of an order's value that is profit, for
	// orders without a margin of their own: above 0 and at most 1, where 1
	// counts revenue.
	MarginRate float64
	// AcquisitionCost is what winning one customer costs on average; it is
	// subtracted from each customer's margin. At least 0.
	AcquisitionCost float64
}

// Historical is one customer's CLV to date.
type Historical struct {
	CustomerID string
	Orders     int       // purchases (IsPurchase)
	First      time.Time // the first purchase
	Last       time.Time // the last purchase
	Revenue    float64   // paid to date, net of refunds
	Margin     float64   // profit to date (OrderMargin summed)
	// Value is the historical CLV: Margin − AcquisitionCost. It is
	// negative for a customer who has not yet paid back what winning them
	// cost.
	Value float64
}

// HistoricalCLV is each customer's CLV to date, sorted by customer id:
// the margin of their paid orders up to End minus the acquisition cost.
// With MarginRate 1 and orders without margins it is revenue minus the
// acquisition cost. Only purchases count (IsPurchase).
func HistoricalCLV(orders []Order, opt HistoricalOptions) ([]Historical, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	by := make(map[string]*Historical)
	for i, o := range orders {
		if o.CustomerID == "" {
			return nil, fmt.Errorf("clv: order %d (%q) has no customer id", i, o.ID)
		}
		if !IsPurchase(o) || o.OrderedAt.After(opt.End) {
			continue
		}
		h := by[o.CustomerID]
		if h == nil {
			h = &Historical{CustomerID: o.CustomerID}
			by[o.CustomerID] = h
		}
		h.add(o, opt.MarginRate)
	}
	out := make([]Historical, 0, len(by))
	for _, h := range by {
		h.Value = h.Margin - opt.AcquisitionCost
		out = append(out, *h)
	}
	slices.SortFunc(out, func(p, q Historical) int { return cmp.Compare(p.CustomerID, q.CustomerID) })
	return out, nil
}

// validate says what is wrong with opt, if anything.
func (opt HistoricalOptions) validate() error {
	switch {
	case opt.End.IsZero():
		return errors.New("clv: historical CLV needs an End time")
	case !(opt.MarginRate > 0 && opt.MarginRate <= 1):
		return fmt.Errorf("clv: the margin rate must be above 0 and at most 1, not %v", opt.MarginRate)
	case !(opt.AcquisitionCost >= 0) || math.IsInf(opt.AcquisitionCost, 0):
		return fmt.Errorf("clv: the acquisition cost must be a number >= 0, not %v", opt.AcquisitionCost)
	}
	return nil
}

// add counts a purchase of the customer's in h.
func (h *Historical) add(o Order, marginRate float64) {
	if h.Orders == 0 {
		h.First, h.Last = o.OrderedAt, o.OrderedAt
	}
	h.Orders++
	h.Revenue += o.Value()
	h.Margin += OrderMargin(o, marginRate)
	if o.OrderedAt.Before(h.First) {
		h.First = o.OrderedAt
	}
	if o.OrderedAt.After(h.Last) {
		h.Last = o.OrderedAt
	}
}

// SimpleCLV is the textbook estimate of a customer's lifetime value:
//
//	average order value × purchases per period × expected lifespan in periods × margin rate
//
// For example 40 (€ an order) × 0.5 (orders a month) × 24 (months) × 0.3
// is 144 (€ of profit). Use a margin rate of 1 for revenue.
func SimpleCLV(averageOrderValue, purchasesPerPeriod, lifespanPeriods, marginRate float64) float64 {
	return averageOrderValue * purchasesPerPeriod * lifespanPeriods * marginRate
}
