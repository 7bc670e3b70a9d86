package clv

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"sync"
)

// BGNBDFit is a BG/NBD model estimated by maximum likelihood, with the
// standard errors of its parameters and how the fit went.
type BGNBDFit struct {
	Model  BGNBD
	StdErr BGNBD // standard error of each parameter
	Info   FitInfo
}

// FitBGNBD estimates the BG/NBD model from customer summaries by maximum
// likelihood. The log-likelihood is Hardie's note 027 form, summed over
// customers with no rescaling of time, and maximised by Newton's method
// over the logarithms of the parameters with its analytic gradient and
// Hessian; the standard errors come from the same Hessian. Customers with
// the same (Frequency, Recency, T) are evaluated once, weighted by their
// number. Data that cannot support a fit give a *FitError, an unusable
// summary a *SummaryError.
func FitBGNBD(s []Summary) (BGNBDFit, error) {
	return fitBGNBD(summarySlice(s))
}

// fitBGNBD is FitBGNBD over any set of summaries.
func fitBGNBD(s summarySet) (BGNBDFit, error) {
	repeat, err := checkSummaries(s)
	if err != nil {
		return BGNBDFit{}, err
	}
	fail := func(err error) (BGNBDFit, error) {
		return BGNBDFit{}, &FitError{Model: "BG/NBD", Customers: s.Len(), Err: err}
	}
	if s.Len() < MinFitCustomers {
		return fail(ErrTooFewCustomers)
	}
	if repeat == 0 {
		return fail(ErrNoRepeatBuyers)
	}
	d := compressBGNBD(s, repeat)
	theta, at, info, err := minimizeLog(d.likelihood, d.customers, d.start())
	if err != nil {
		return fail(err)
	}
	info.Customers = s.Len()
	se := standardErrors(at, 4, &info)
	return BGNBDFit{
		Model:  BGNBD{R: theta[0], Alpha: theta[1], A: theta[2], B: theta[3]},
		StdErr: BGNBD{R: se[0], Alpha: se[1], A: se[2], B: se[3]},
		Info:   info,
	}, nil
}

// bgData is the BG/NBD fitting data compressed to distinct (x, t_x, T)
// rows with counts, grouped by x, with T taken from a table of distinct
// values so that ln(α+T) is computed once per value.
type bgData struct {
	customers    float64
	meanT, meanX float64
	tValues      []float64
	groups       []bgGroup
	rows         []bgRow
}

// bgGroup is the run of rows with frequency x.
type bgGroup struct {
	x      float64
	lo, hi int
	weight float64
}

// bgRow is one distinct (t_x, T) of its group, w customers strong.
type bgRow struct {
	tx, w float64
	ti    int32
}

// bgKey is a repeat buyer's (x, T index) and t_x bits, which order like
// t_x since t_x >= 0: two integer comparisons sort and deduplicate them.
type bgKey struct {
	xt, tx uint64
}

func compareKeys(p, q bgKey) int {
	if c := cmp.Compare(p.xt, q.xt); c != 0 {
		return c
	}
	return cmp.Compare(p.tx, q.tx)
}

// compressBGNBD builds bgData from valid summaries, repeat of which have
// x > 0.
func compressBGNBD(s summarySet, repeat int) *bgData {
	d := &bgData{customers: float64(s.Len())}
	tIndex := make(map[float64]int32)
	var zeros []float64 // customers with x = 0, by T index
	keys := make([]bgKey, 0, repeat)
	var sumT, sumX float64
	for i := range s.Len() {
		c := s.summary(i)
		ti, ok := tIndex[c.T]
		if !ok {
			ti = int32(len(d.tValues))
			tIndex[c.T] = ti
			d.tValues = append(d.tValues, c.T)
			zeros = append(zeros, 0)
		}
		sumT += c.T
		sumX += float64(c.Frequency)
		if c.Frequency == 0 {
			zeros[ti]++
			continue
		}
		keys = append(keys, bgKey{xt: uint64(c.Frequency)<<32 | uint64(ti), tx: math.Float64bits(c.Recency)})
	}
	d.meanT, d.meanX = sumT/d.customers, sumX/d.customers
	d.rows = make([]bgRow, 0, len(d.tValues)+len(keys))
	d.addZeroGroup(zeros)
	var g *bgGroup
	for k := range sortedKeys(keys) {
		x := float64(k.xt >> 32)
		if g == nil || g.x != x {
			d.groups = append(d.groups, bgGroup{x: x, lo: len(d.rows), hi: len(d.rows)})
			g = &d.groups[len(d.groups)-1]
		}
		row := bgRow{tx: math.Float64frombits(k.tx), w: 1, ti: int32(k.xt)}
		if last := len(d.rows) - 1; g.hi > g.lo && d.rows[last].tx == row.tx && d.rows[last].ti == row.ti {
			d.rows[last].w++
		} else {
			d.rows = append(d.rows, row)
			g.hi++
		}
		g.weight++
	}
	return d
}

// sortedKeys sorts keys, two halves at once when there are many, and
// yields them in order.
func sortedKeys(keys []bgKey) iter.Seq[bgKey] {
	half := len(keys) / 2
	if len(keys) < 1<<15 || workersFor(len(keys)) < 2 {
		half = len(keys)
	}
	a, b := keys[:half], keys[half:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(b, compareKeys) })
	slices.SortFunc(a, compareKeys)
	wg.Wait()
	return func(yield func(bgKey) bool) {
		i, j := 0, 0
		for i < len(a) || j < len(b) {
			var k bgKey
			if j == len(b) || (i < len(a) && compareKeys(a[i], b[j]) <= 0) {
				k, i = a[i], i+1
			} else {
				k, j = b[j], j+1
			}
			if !yield(k) {
				return
			}
		}
	}
}

// addZeroGroup adds the group of customers with x = 0, by T.
func (d *bgData) addZeroGroup(zeros []float64) {
	g := bgGroup{x: 0, lo: len(d.rows)}
	for ti, w := range zeros {
		if w > 0 {
			d.rows = append(d.rows, bgRow{w: w, ti: int32(ti)})
			g.weight += w
		}
	}
	g.hi = len(d.rows)
	if g.hi > g.lo {
		d.groups = append(d.groups, g)
	}
}

// start is the optimiser's first guess, in logs: r = a = b = 1 and α
// matching the mean purchase rate.
func (d *bgData) start() []float64 {
	alpha := d.meanT / math.Max(d.meanX, 1e-3)
	return []float64{0, math.Log(alpha), 0, 0}
}
