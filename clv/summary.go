package clv

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Transaction is one purchase as the models see it: who, when, and what it
// was worth (revenue or margin, as the caller chose).
type Transaction struct {
	CustomerID string
	At         time.Time
	Value      float64
}

// SummaryOptions says how Summarize measures time. Period and End are
// required.
type SummaryOptions struct {
	Period Period    // the unit of Recency and T, and how purchases are merged
	End    time.Time // end of observation; its whole day (Month: month) counts
	// Location is where calendar days and months are cut; nil means UTC.
	Location *time.Location
}

// Summary is one customer's purchase history reduced to what the BG/NBD and
// Gamma-Gamma models need, with a few plain facts besides. Purchases in the
// same calendar day (Month: month) count as one purchase of their summed
// value.
type Summary struct {
	CustomerID string
	// Frequency (x) is the number of repeat purchases: purchase days
	// (months) after the first one.
	Frequency int
	// Recency (t_x) is the time from the first purchase to the last repeat
	// purchase, in periods; 0 when Frequency is 0.
	Recency float64
	// T is the time from the first purchase to the end of observation, in
	// periods.
	T float64
	// MonetaryValue is the mean value of the repeat purchases, the first
	// day (month) left out; 0 when Frequency is 0.
	MonetaryValue float64

	Orders int       // transactions counted, before merging
	Total  float64   // value of every transaction counted, the first included
	First  time.Time // the first transaction counted
	Last   time.Time // the last transaction counted
}

// summarySet is the customers' summaries the fits, predictions and RFM
// scores read, by index: a []Summary, or the compact rows of a run.
type summarySet interface {
	Len() int
	summary(i int) Summary   // CustomerID may be left empty
	customerID(i int) string // the i-th summary's customer
}

// summarySlice is a []Summary as a summarySet.
type summarySlice []Summary

func (s summarySlice) Len() int                { return len(s) }
func (s summarySlice) summary(i int) Summary   { return s[i] }
func (s summarySlice) customerID(i int) string { return s[i].CustomerID }

// ErrNoPeriod is returned when SummaryOptions has no valid Period.
var ErrNoPeriod = errors.New("clv: the summary period must be set to Day, Week or Month")

// Summarize turns transactions into one Summary per customer, sorted by
// customer id, with the definitions of the BTYD literature and of lifetimes'
// summary_data_from_transaction_data: transactions after End's day (Month:
// month) are ignored, purchases of the same day (month) are merged and their
// values summed, the first purchase day starts the customer's clock and is
// not a repeat purchase. The input is not modified.
func Summarize(txs []Transaction, opt SummaryOptions) ([]Summary, error) {
	if !opt.Period.Valid() {
		return nil, ErrNoPeriod
	}
	if opt.End.IsZero() {
		return nil, errors.New("clv: the summary needs an observation End time")
	}
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	end := opt.Period.bucket(opt.End, loc)
	kept := make([]bucketed, 0, len(txs))
	for i, tx := range txs {
		if tx.CustomerID == "" {
			return nil, fmt.Errorf("clv: transaction %d has no customer id", i)
		}
		if math.IsNaN(tx.Value) || math.IsInf(tx.Value, 0) {
			return nil, fmt.Errorf("clv: transaction %d of customer %q has value %v", i, tx.CustomerID, tx.Value)
		}
		b := opt.Period.bucket(tx.At, loc)
		if b <= end {
			kept = append(kept, bucketed{tx: tx, bucket: b})
		}
	}
	slices.SortStableFunc(kept, func(p, q bucketed) int {
		if c := cmp.Compare(p.tx.CustomerID, q.tx.CustomerID); c != 0 {
			return c
		}
		return cmp.Compare(p.bucket, q.bucket)
	})
	var out []Summary
	for i := 0; i < len(kept); {
		j := i + 1
		for j < len(kept) && kept[j].tx.CustomerID == kept[i].tx.CustomerID {
			j++
		}
		out = append(out, summarizeCustomer(kept[i:j], end, opt.Period.perBucket()))
		i = j
	}
	return out, nil
}

// bucketed is a transaction with the day or month it falls in.
type bucketed struct {
	tx     Transaction
	bucket int64
}

// summarizeCustomer summarizes one customer's transactions, sorted by
// bucket, observed up to the end bucket.
func summarizeCustomer(txs []bucketed, end int64, unit float64) Summary {
	s := Summary{CustomerID: txs[0].tx.CustomerID, First: txs[0].tx.At, Last: txs[0].tx.At}
	first, last := txs[0].bucket, txs[0].bucket
	var repeatValue float64
	for _, b := range txs {
		s.Orders++
		s.Total += b.tx.Value
		if b.tx.At.Before(s.First) {
			s.First = b.tx.At
		}
		if b.tx.At.After(s.Last) {
			s.Last = b.tx.At
		}
		if b.bucket == first {
			continue
		}
		if b.bucket != last {
			s.Frequency++
			last = b.bucket
		}
		repeatValue += b.tx.Value
	}
	s.T = float64(end-first) * unit
	if s.Frequency > 0 {
		s.Recency = float64(last-first) * unit
		s.MonetaryValue = repeatValue / float64(s.Frequency)
	}
	return s
}

// Transactions turns orders into transactions worth value(order): pass
// Order.Value to count revenue, or a function calling OrderMargin to count
// profit. Only purchases count (see IsPurchase): refunded, cancelled and
// fully refunded orders are left out, free orders kept.
func Transactions(orders []Order, value func(Order) float64) []Transaction {
	out := make([]Transaction, 0, len(orders))
	for _, o := range orders {
		if IsPurchase(o) {
			out = append(out, Transaction{CustomerID: o.CustomerID, At: o.OrderedAt, Value: value(o)})
		}
	}
	return out
}

// IsPurchase reports whether an order is a purchase for CLV: paid, and not
// refunded in full. A paid order of amount 0 (a free order) is a purchase,
// as CDNOW's $0 transactions are.
func IsPurchase(o Order) bool {
	if o.Status != StatusPaid && o.Status != "" {
		return false
	}
	return o.Amount == 0 || (o.Amount > 0 && o.Refunded < o.Amount)
}

// validSummary reports what makes s unusable by the models, or "".
func validSummary(s Summary) string {
	switch {
	case s.Frequency < 0:
		return "negative frequency"
	case !(s.Recency >= 0) || math.IsInf(s.Recency, 0):
		return "recency is not a finite number >= 0"
	case !(s.T >= 0) || math.IsInf(s.T, 0):
		return "T is not a finite number >= 0"
	case s.Recency > s.T:
		return "recency is after T"
	case s.Frequency == 0 && s.Recency != 0:
		return "recency is not 0 although frequency is 0"
	}
	return ""
}
