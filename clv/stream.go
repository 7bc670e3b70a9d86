package clv

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// CustomerOrders yields a shop's orders one customer at a time: each call
// of yield gets every order of one customer, and no customer comes twice.
// The slice is yield's only until it returns. An error yield returns stops
// the iteration and is returned.
type CustomerOrders func(yield func(orders []Order) error) error

// OrdersByCustomer yields orders, which may come in any order, customer by
// customer (in customer id order), each customer's in the order given.
func OrdersByCustomer(orders []Order) CustomerOrders {
	return func(yield func([]Order) error) error {
		index := make([]int, len(orders))
		for i := range index {
			index[i] = i
		}
		slices.SortStableFunc(index, func(p, q int) int { return cmp.Compare(orders[p].CustomerID, orders[q].CustomerID) })
		var one []Order
		for i, k := range index {
			if i > 0 && orders[k].CustomerID != orders[index[i-1]].CustomerID {
				if err := yield(one); err != nil {
					return err
				}
				one = one[:0]
			}
			one = append(one, orders[k])
		}
		if len(one) == 0 {
			return nil
		}
		return yield(one)
	}
}

// runBuilder reduces a run's orders, one customer at a time, to a compact
// row per customer: the customer's historical CLV and summary, computed as
// HistoricalCLV and Summarize compute them.
type runBuilder struct {
	opt       ScoreOptions
	loc       *time.Location // where days are cut
	end       int64          // the bucket of opt.End
	unit      float64        // periods per bucket
	table     customerTable
	later     int        // purchases placed after opt.End
	kept      int        // orders placed by opt.End, for errors
	purchases int        // purchases among them, for errors
	txs       []bucketed // the customer's purchases, reused
}

// newRunBuilder checks opt as HistoricalCLV and Summarize do.
func newRunBuilder(opt ScoreOptions) (*runBuilder, error) {
	hist := HistoricalOptions{End: opt.End, MarginRate: opt.MarginRate, AcquisitionCost: opt.AcquisitionCost}
	if err := hist.validate(); err != nil {
		return nil, err
	}
	if !opt.Period.Valid() {
		return nil, ErrNoPeriod
	}
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	end, unit := opt.Period.bucket(opt.End, loc), opt.Period.perBucket()
	return &runBuilder{opt: opt, loc: loc, end: end, unit: unit, table: customerTable{end: end, unit: unit}}, nil
}

// add reduces one customer's orders to their row. Orders placed after the
// end are left out and the purchases among them counted; a customer
// without a purchase by the end gets no row.
func (b *runBuilder) add(orders []Order) error {
	var h Historical
	id := ""
	b.txs = b.txs[:0]
	for _, o := range orders {
		if o.OrderedAt.After(b.opt.End) {
			if IsPurchase(o) {
				b.later++
			}
			continue
		}
		i := b.kept
		b.kept++
		switch {
		case o.CustomerID == "":
			return fmt.Errorf("clv: order %d (%q) has no customer id", i, o.ID)
		case id == "":
			id = o.CustomerID
		case o.CustomerID != id:
			return fmt.Errorf("clv: order %q of customer %q came with the orders of customer %q", o.ID, o.CustomerID, id)
		}
		if !IsPurchase(o) {
			continue
		}
		h.add(o, b.opt.MarginRate)
		tx := Transaction{CustomerID: o.CustomerID, At: o.OrderedAt, Value: OrderMargin(o, b.opt.MarginRate)}
		if math.IsNaN(tx.Value) || math.IsInf(tx.Value, 0) {
			return fmt.Errorf("clv: transaction %d of customer %q has value %v", b.purchases, tx.CustomerID, tx.Value)
		}
		b.purchases++
		if bucket := b.opt.Period.bucket(tx.At, b.loc); bucket <= b.end {
			b.txs = append(b.txs, bucketed{tx: tx, bucket: bucket})
		}
	}
	if len(b.txs) == 0 {
		return nil
	}
	slices.SortStableFunc(b.txs, func(p, q bucketed) int { return cmp.Compare(p.bucket, q.bucket) })
	return b.table.add(summarizeCustomer(b.txs, b.end, b.unit), h, b.txs[0].bucket, b.txs[len(b.txs)-1].bucket)
}

// blockRows is how many rows a block of a customerTable holds.
const blockRows = 1 << 16

// customerTable holds a run's customers, one compact row each, in blocks
// so that it grows without copying what it holds, and their ids back to
// back in chunks: nothing in it is a pointer, so the garbage collector
// never scans it. Row i is the i-th customer in customer id order.
type customerTable struct {
	blocks    [][]customerRow
	ids       [][]byte // the ids, in chunks of idChunk bytes
	n         int
	end       int64          // the bucket of the observation end
	unit      float64        // periods per bucket
	last      string         // the id added last
	unordered bool           // the rows came out of id order
	order     []int32        // the rows in id order, when unordered
	loc       *time.Location // the location of the times given back
}

// idChunk is the size of a chunk of customerTable.ids.
const idChunk = 1 << 20

// customerRow is a customer's historical CLV, summary and RFM scores in 80
// bytes: times as Unix nanoseconds, recency and T as the buckets (days,
// months) Summarize computes them from, and where the id is.
type customerRow struct {
	first, last             int64 // the first and last purchase
	orders, frequency       int32
	firstBucket, lastBucket int32
	idChunk, idAt           uint32
	monetary, total         float64  // as in Summary
	revenue, margin         float64  // as in Historical
	idLen                   uint16   // the id is ids[idChunk][idAt:idAt+idLen]
	rfm                     [3]uint8 // the recency, frequency and monetary scores
}

// add appends a customer's summary s and historical CLV h, whose first and
// last purchases fall in buckets first and last.
func (t *customerTable) add(s Summary, h Historical, first, last int64) error {
	id := s.CustomerID
	switch {
	case t.n > 0 && id == t.last:
		return fmt.Errorf("clv: the orders of customer %q came twice", id)
	case t.n > 0 && id < t.last:
		t.unordered = true
	case len(id) > math.MaxUint16:
		return fmt.Errorf("clv: customer id %.20q... is %d bytes long, more than %d", id, len(id), math.MaxUint16)
	}
	for _, at := range []time.Time{h.First, h.Last} {
		if !time.Unix(0, at.UnixNano()).Equal(at) {
			return fmt.Errorf("clv: customer %q has an order dated %v, outside the years 1678 to 2262", id, at)
		}
	}
	if t.n == 0 {
		t.loc = h.First.Location()
	}
	if t.n%blockRows == 0 {
		t.blocks = append(t.blocks, make([]customerRow, 0, blockRows))
	}
	if len(t.ids) == 0 || len(t.ids[len(t.ids)-1])+len(id) > cap(t.ids[len(t.ids)-1]) {
		t.ids = append(t.ids, make([]byte, 0, max(idChunk, len(id))))
	}
	chunk := &t.ids[len(t.ids)-1]
	b := &t.blocks[len(t.blocks)-1]
	*b = append(*b, customerRow{first: h.First.UnixNano(), last: h.Last.UnixNano(),
		orders: int32(h.Orders), frequency: int32(s.Frequency), firstBucket: int32(first), lastBucket: int32(last),
		idChunk: uint32(len(t.ids) - 1), idAt: uint32(len(*chunk)), idLen: uint16(len(id)),
		monetary: s.MonetaryValue, total: s.Total, revenue: h.Revenue, margin: h.Margin})
	*chunk = append(*chunk, id...)
	t.n++
	t.last = id
	return nil
}

// idOf is the id of row r, in place.
func (t *customerTable) idOf(r *customerRow) []byte {
	return t.ids[r.idChunk][r.idAt : r.idAt+uint32(r.idLen)]
}

// sort puts the rows in customer id order if they came in another; a
// customer who came twice is an error.
func (t *customerTable) sort() error {
	if !t.unordered {
		return nil
	}
	t.order = make([]int32, t.n)
	for i := range t.order {
		t.order[i] = int32(i)
	}
	raw := func(i int32) *customerRow { return &t.blocks[i/blockRows][i%blockRows] }
	slices.SortFunc(t.order, func(p, q int32) int { return bytes.Compare(t.idOf(raw(p)), t.idOf(raw(q))) })
	for i := 1; i < t.n; i++ {
		if id := t.idOf(t.row(i)); bytes.Equal(id, t.idOf(t.row(i-1))) {
			return fmt.Errorf("clv: the orders of customer %q came twice", id)
		}
	}
	return nil
}

// Len is the number of customers.
func (t *customerTable) Len() int { return t.n }

// row is the i-th customer in id order.
func (t *customerTable) row(i int) *customerRow {
	if t.order != nil {
		i = int(t.order[i])
	}
	return &t.blocks[i/blockRows][i%blockRows]
}

// customerID is the i-th customer's id.
func (t *customerTable) customerID(i int) string { return string(t.idOf(t.row(i))) }

// summary is the i-th customer's summary as the models and RFM read it,
// recency and T computed as summarizeCustomer computes them; CustomerID,
// First and Last are left empty (see customerID).
func (t *customerTable) summary(i int) Summary {
	r := t.row(i)
	s := Summary{Frequency: int(r.frequency), T: float64(t.end-int64(r.firstBucket)) * t.unit,
		MonetaryValue: r.monetary, Orders: int(r.orders), Total: r.total}
	if s.Frequency > 0 {
		s.Recency = float64(int64(r.lastBucket)-int64(r.firstBucket)) * t.unit
	}
	return s
}

// scoreRFM scores every customer as ScoreRFM does, one score at a time.
func (t *customerTable) scoreRFM() {
	values, order, scores := make([]float64, t.n), make([]int32, t.n), make([]uint8, t.n)
	for k := range 3 {
		for i := range values {
			r, f, m := rfmValues(t.summary(i))
			values[i] = [3]float64{r, f, m}[k]
		}
		for i, q := range quintiles(values, order, scores) {
			t.row(i).rfm[k] = q
		}
	}
}

// score is the i-th customer's score without predictions.
func (t *customerTable) score(i int, acquisitionCost float64) CustomerScore {
	r := t.row(i)
	rec, freq := int(r.rfm[0]), int(r.rfm[1])
	return CustomerScore{CustomerID: string(t.idOf(r)), Orders: int(r.orders),
		First: time.Unix(0, r.first).In(t.loc), Last: time.Unix(0, r.last).In(t.loc),
		Revenue: r.revenue, Historical: r.margin - acquisitionCost, RepeatPurchases: int(r.frequency),
		Recency: rec, Frequency: freq, Monetary: int(r.rfm[2]), Segment: string(SegmentOf(rec, freq))}
}
