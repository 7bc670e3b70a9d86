package clv

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/mathext"
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
// customers with no rescaling of time, and maximised with BFGS over the
// logarithms of the parameters using its analytic gradient. Customers with
// the same (Frequency, Recency, T) are evaluated once, weighted by their
// number. Data that cannot support a fit give a *FitError, an unusable
// summary a *SummaryError.
func FitBGNBD(s []Summary) (BGNBDFit, error) {
	if err := checkSummaries(s); err != nil {
		return BGNBDFit{}, err
	}
	d := compressBGNBD(s)
	if len(s) < MinFitCustomers {
		return BGNBDFit{}, &FitError{Model: "BG/NBD", Customers: len(s), Err: ErrTooFewCustomers}
	}
	if d.repeatBuyers == 0 {
		return BGNBDFit{}, &FitError{Model: "BG/NBD", Customers: len(s), Err: ErrNoRepeatBuyers}
	}
	x, info, err := minimizeLog(d.negMeanLL, d.start())
	if err != nil {
		return BGNBDFit{}, &FitError{Model: "BG/NBD", Customers: len(s), Err: err}
	}
	info.Customers = len(s)
	grad := make([]float64, 4)
	info.LogLikelihood = -d.negMeanLL(x, grad) * d.customers
	se := standardErrors(d.negMeanLL, x, d.customers)
	return BGNBDFit{
		Model:  BGNBD{R: math.Exp(x[0]), Alpha: math.Exp(x[1]), A: math.Exp(x[2]), B: math.Exp(x[3])},
		StdErr: BGNBD{R: se[0], Alpha: se[1], A: se[2], B: se[3]},
		Info:   info,
	}, nil
}

// bgData is the BG/NBD fitting data compressed to distinct (x, t_x, T)
// rows with counts, grouped by x, with T taken from a table of distinct
// values so that ln(α+T) is computed once per value.
type bgData struct {
	customers    float64
	repeatBuyers int
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

// bgKey sorts and deduplicates customers.
type bgKey struct {
	x, ti int32
	tx    float64
}

// compressBGNBD builds bgData from valid summaries.
func compressBGNBD(s []Summary) *bgData {
	d := &bgData{customers: float64(len(s))}
	tIndex := make(map[float64]int32)
	var zeros []float64 // customers with x = 0, by T index
	var keys []bgKey
	var sumT, sumX float64
	for i := range s {
		ti, ok := tIndex[s[i].T]
		if !ok {
			ti = int32(len(d.tValues))
			tIndex[s[i].T] = ti
			d.tValues = append(d.tValues, s[i].T)
			zeros = append(zeros, 0)
		}
		sumT += s[i].T
		sumX += float64(s[i].Frequency)
		if s[i].Frequency == 0 {
			zeros[ti]++
			continue
		}
		keys = append(keys, bgKey{x: int32(s[i].Frequency), ti: ti, tx: s[i].Recency})
	}
	d.repeatBuyers = len(keys)
	d.meanT, d.meanX = sumT/d.customers, sumX/d.customers
	d.addZeroGroup(zeros)
	slices.SortFunc(keys, func(p, q bgKey) int {
		if c := cmp.Compare(p.x, q.x); c != 0 {
			return c
		}
		if c := cmp.Compare(p.tx, q.tx); c != 0 {
			return c
		}
		return cmp.Compare(p.ti, q.ti)
	})
	for i := 0; i < len(keys); {
		g := bgGroup{x: float64(keys[i].x), lo: len(d.rows)}
		for i < len(keys) && float64(keys[i].x) == g.x {
			k := keys[i]
			if n := len(d.rows); n > g.lo && d.rows[n-1].tx == k.tx && d.rows[n-1].ti == k.ti {
				d.rows[n-1].w++
			} else {
				d.rows = append(d.rows, bgRow{tx: k.tx, w: 1, ti: k.ti})
			}
			g.weight++
			i++
		}
		g.hi = len(d.rows)
		d.groups = append(d.groups, g)
	}
	return d
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

// start is the optimiser's first guess: r = a = b = 1 and α matching the
// mean purchase rate, in logs.
func (d *bgData) start() []float64 {
	alpha := d.meanT / math.Max(d.meanX, 1e-3)
	return []float64{0, math.Log(alpha), 0, 0}
}

// negMeanLL is the negative mean BG/NBD log-likelihood at log-parameters
// x, with its gradient over x. Per customer (note 027):
//
//	ln L = A1 + A2 + ln(e^A3 + [x>0] e^A4)
//	A1 = lnΓ(r+x) − lnΓ(r) + r ln α
//	A2 = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x)
//	A3 = −(r+x) ln(α+T)
//	A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x)
//
// A1 and A2 depend only on x and are computed once per group.
func (d *bgData) negMeanLL(x, grad []float64) float64 {
	r, alpha, a, b := math.Exp(x[0]), math.Exp(x[1]), math.Exp(x[2]), math.Exp(x[3])
	lT := make([]float64, 2*len(d.tValues))
	iT := lT[len(d.tValues):]
	for i, t := range d.tValues {
		lT[i] = math.Log(alpha + t)
		iT[i] = 1 / (alpha + t)
	}
	// sums[w] holds worker w's ll, d/dr, d/dα, d/da, d/db.
	sums := make([][5]float64, workersFor(len(d.rows)))
	parallel(len(d.rows), func(lo, hi, w int) {
		sums[w] = d.partial(lo, hi, r, alpha, a, b, lT[:len(d.tValues)], iT)
	})
	var tot [5]float64
	for _, s := range sums {
		for i := range tot {
			tot[i] += s[i]
		}
	}
	d.addGroupTerms(&tot, r, alpha, a, b)
	n := d.customers
	grad[0] = -tot[1] * r / n
	grad[1] = -tot[2] * alpha / n
	grad[2] = -tot[3] * a / n
	grad[3] = -tot[4] * b / n
	return -tot[0] / n
}

// addGroupTerms adds the groups' A1 + A2 and their derivatives to tot.
func (d *bgData) addGroupTerms(tot *[5]float64, r, alpha, a, b float64) {
	lgR, lgB, lgAB := lgamma(r), lgamma(b), lgamma(a+b)
	psiR, psiB, psiAB := mathext.Digamma(r), mathext.Digamma(b), mathext.Digamma(a+b)
	lnAlpha := math.Log(alpha)
	for _, g := range d.groups {
		w, x := g.weight, g.x
		tot[0] += w * (lgamma(r+x) - lgR + r*lnAlpha)
		tot[1] += w * (mathext.Digamma(r+x) - psiR + lnAlpha)
		tot[2] += w * r / alpha
		if x == 0 {
			continue // A2 is 0
		}
		psiABX := mathext.Digamma(a + b + x)
		tot[0] += w * (lgAB + lgamma(b+x) - lgB - lgamma(a+b+x))
		tot[3] += w * (psiAB - psiABX)
		tot[4] += w * (psiAB + mathext.Digamma(b+x) - psiB - psiABX)
	}
}

// partial sums ln(e^A3 + e^A4) and its derivatives over rows [lo, hi).
func (d *bgData) partial(lo, hi int, r, alpha, a, b float64, lT, iT []float64) [5]float64 {
	var s [5]float64
	lnA := math.Log(a)
	for _, g := range d.groups {
		from, to := max(g.lo, lo), min(g.hi, hi)
		if from >= to {
			continue
		}
		rx := r + g.x
		if g.x == 0 {
			for _, row := range d.rows[from:to] {
				s[0] -= row.w * rx * lT[row.ti]
				s[1] -= row.w * lT[row.ti]
				s[2] -= row.w * rx * iT[row.ti]
			}
			continue
		}
		bx := b + g.x - 1
		c := lnA - math.Log(bx)
		var alive float64 // Σ w·s, s the weight of the A4 term
		for _, row := range d.rows[from:to] {
			lt, it := math.Log(alpha+row.tx), 1/(alpha+row.tx)
			a3 := -rx * lT[row.ti]
			diff := c - rx*lt - a3 // A4 − A3
			e := math.Exp(-math.Abs(diff))
			sp, sg := math.Log1p(e), e/(1+e) // softplus(−|diff|), sigmoid(−|diff|)
			if diff > 0 {
				sp, sg = sp+diff, 1-sg
			}
			s[0] += row.w * (a3 + sp)
			s[1] -= row.w * ((1-sg)*lT[row.ti] + sg*lt)
			s[2] -= row.w * rx * ((1-sg)*iT[row.ti] + sg*it)
			alive += row.w * sg
		}
		s[3] += alive / a
		s[4] -= alive / bx
	}
	return s
}

// lgamma is ln Γ(x) for x > 0.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
