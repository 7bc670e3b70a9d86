package clv

import (
	"cmp"
	"math"
	"slices"
)

// GammaGamma is the Gamma-Gamma model of spend per transaction (Fader,
// Hardie & Lee 2005; Hardie's note 025): a customer's transaction values
// are Gamma(P, ν) with ν ~ Gamma(Q, Gamma) across customers, independent of
// how often they buy.
type GammaGamma struct {
	P, Q, Gamma float64
}

// PopulationMean is the expected value of a transaction of a customer about
// whom nothing is known, p·γ/(q−1); +Inf when q <= 1.
func (m GammaGamma) PopulationMean() float64 {
	if m.Q <= 1 {
		return math.Inf(1)
	}
	return m.P * m.Gamma / (m.Q - 1)
}

// ExpectedAverageValue is E[Z | x, m̄], the expected value of a future
// transaction of a customer with x repeat purchases of mean value m̄:
//
//	E = (p·γ + p·x·m̄) / (p·x + q − 1)
//
// a weighted mean of the population mean and m̄. A customer with x = 0 gets
// the population mean, whatever m̄ is.
func (m GammaGamma) ExpectedAverageValue(x int, mean float64) float64 {
	if x <= 0 {
		return m.PopulationMean()
	}
	px := m.P * float64(x)
	return (m.P*m.Gamma + px*mean) / (px + m.Q - 1)
}

// LogLikelihood is the log-likelihood of one repeat buyer's x and mean
// value m̄ > 0 (note 025 and lifetimes, the density of the mean):
//
//	lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m̄ + px ln x − (px+q) ln(x·m̄+γ)
func (m GammaGamma) LogLikelihood(x int, mean float64) float64 {
	p, q, g := m.P, m.Q, m.Gamma
	xf := float64(x)
	px := p * xf
	return lgamma(px+q) - lgamma(px) - lgamma(q) + q*math.Log(g) +
		(px-1)*math.Log(mean) + px*math.Log(xf) - (px+q)*math.Log(xf*mean+g)
}

// GammaGammaFit is a Gamma-Gamma model estimated by maximum likelihood,
// with the standard errors of its parameters and how the fit went.
type GammaGammaFit struct {
	Model  GammaGamma
	StdErr GammaGamma // standard error of each parameter
	Info   FitInfo
}

// FitGammaGamma estimates the Gamma-Gamma model by maximum likelihood from
// the repeat buyers (Frequency > 0) among the summaries, using Frequency
// and MonetaryValue. Repeat buyers whose MonetaryValue is not positive are
// left out and counted in Info.Excluded. It maximises the summed
// log-likelihood by Newton's method over the logarithms of the parameters,
// with its analytic gradient and Hessian.
func FitGammaGamma(s []Summary) (GammaGammaFit, error) {
	return fitGammaGamma(summarySlice(s))
}

// fitGammaGamma is FitGammaGamma over any set of summaries.
func fitGammaGamma(s summarySet) (GammaGammaFit, error) {
	repeat := 0
	for i := range s.Len() {
		if s.summary(i).Frequency > 0 {
			repeat++
		}
	}
	d := &ggData{rows: make([]ggRow, 0, repeat)}
	for i := range s.Len() {
		c := s.summary(i)
		if c.Frequency <= 0 {
			continue
		}
		if m := c.MonetaryValue; !(m > 0) || math.IsInf(m, 0) {
			d.excluded++
			continue
		}
		d.add(c.Frequency, c.MonetaryValue)
	}
	fail := func(err error) (GammaGammaFit, error) {
		return GammaGammaFit{}, &FitError{Model: "Gamma-Gamma", Customers: int(d.customers), Err: err}
	}
	switch {
	case d.customers == 0 && d.excluded == 0:
		return fail(ErrNoRepeatBuyers)
	case d.customers == 0:
		return fail(ErrNoPositiveValues)
	case d.customers < MinFitCustomers:
		return fail(ErrTooFewCustomers)
	}
	d.group()
	theta, at, info, err := minimizeLog(d.likelihood, d.customers, d.start())
	if err != nil {
		return fail(err)
	}
	info.Customers, info.Excluded = int(d.customers), d.excluded
	se := standardErrors(at, 3, &info)
	return GammaGammaFit{
		Model:  GammaGamma{P: theta[0], Q: theta[1], Gamma: theta[2]},
		StdErr: GammaGamma{P: se[0], Q: se[1], Gamma: se[2]},
		Info:   info,
	}, nil
}

// ggData holds the repeat buyers grouped by x. Only ln(x·m̄+γ) depends on
// both a customer and the parameters; every other term reduces to sums
// per group computed once.
type ggData struct {
	customers float64
	excluded  int
	sumMean   float64
	rows      []ggRow
	groups    []ggGroup
}

// ggRow is one repeat buyer.
type ggRow struct {
	x    int32
	mean float64
}

// ggGroup is the run of rows with frequency x.
type ggGroup struct {
	x, lnX    float64
	lo, hi    int
	weight    float64 // customers in the group
	sumLnMean float64 // Σ ln m̄ over the group
}

func (d *ggData) add(x int, mean float64) {
	d.rows = append(d.rows, ggRow{x: int32(x), mean: mean})
	d.customers++
	d.sumMean += mean
}

// group sorts the rows by x and sums what does not depend on parameters.
func (d *ggData) group() {
	slices.SortFunc(d.rows, func(p, q ggRow) int { return cmp.Compare(p.x, q.x) })
	for i := 0; i < len(d.rows); {
		x := d.rows[i].x
		g := ggGroup{x: float64(x), lnX: math.Log(float64(x)), lo: i}
		var lnMean kahan
		for ; i < len(d.rows) && d.rows[i].x == x; i++ {
			g.weight++
			lnMean.add(math.Log(d.rows[i].mean))
		}
		g.hi, g.sumLnMean = i, lnMean.sum
		d.groups = append(d.groups, g)
	}
}

// start is the optimiser's first guess, in logs: p = 1, q = 2 and γ
// matching the mean spend.
func (d *ggData) start() []float64 {
	return []float64{0, math.Log(2), math.Log(d.sumMean / d.customers)}
}

// Parameter positions in derivs for Gamma-Gamma.
const (
	ggP = iota
	ggQ
	ggGamma
)

// likelihood is the summed Gamma-Gamma log-likelihood at θ = (p, q, γ)
// with its analytic gradient and Hessian. Per group of W customers with
// frequency x, with S1 = Σ ln(x·m̄+γ), S2 = Σ 1/(x·m̄+γ) and
// S3 = Σ 1/(x·m̄+γ)² over the group:
//
//	ℓ = W(lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + px ln x) + (px−1)Σ ln m̄ − (px+q)S1
func (d *ggData) likelihood(theta []float64) derivs {
	p, q, g := theta[ggP], theta[ggQ], theta[ggGamma]
	// sums[w][3k+i] is worker w's S(i+1) over group k.
	sums := make([][]float64, workersFor(len(d.rows)))
	parallel(len(d.rows), func(lo, hi, w int) {
		sums[w] = d.partial(lo, hi, g)
	})
	lgQ, psiQ, triQ, lnG := lgamma(q), digamma(q), trigamma(q), math.Log(g)
	var out derivs
	for k, gr := range d.groups {
		var s1, s2, s3 float64
		for _, s := range sums {
			s1, s2, s3 = s1+s[3*k], s2+s[3*k+1], s3+s[3*k+2]
		}
		w, x, px := gr.weight, gr.x, p*gr.x
		psiPXQ, triPXQ := digamma(px+q), trigamma(px+q)
		out.ll += w*(lgamma(px+q)-lgamma(px)-lgQ+q*lnG+px*gr.lnX) + (px-1)*gr.sumLnMean - (px+q)*s1
		out.g[ggP] += x * (w*(psiPXQ-digamma(px)+gr.lnX) + gr.sumLnMean - s1)
		out.g[ggQ] += w*(psiPXQ-psiQ+lnG) - s1
		out.g[ggGamma] += w*q/g - (px+q)*s2
		h := &out.h
		h[ggP][ggP] += x * x * w * (triPXQ - trigamma(px))
		h[ggP][ggQ] += x * w * triPXQ
		h[ggP][ggGamma] -= x * s2
		h[ggQ][ggQ] += w * (triPXQ - triQ)
		h[ggQ][ggGamma] += w/g - s2
		h[ggGamma][ggGamma] += -w*q/(g*g) + (px+q)*s3
	}
	return out
}

// partial sums ln(x·m̄+γ), 1/(x·m̄+γ) and 1/(x·m̄+γ)² per group over rows
// [lo, hi).
func (d *ggData) partial(lo, hi int, g float64) []float64 {
	out := make([]float64, 3*len(d.groups))
	for k, gr := range d.groups {
		from, to := max(gr.lo, lo), min(gr.hi, hi)
		var s1 kahan
		var s2, s3 float64
		for _, row := range d.rows[from:max(from, to)] {
			inv := 1 / (gr.x*row.mean + g)
			s1.add(-math.Log(inv))
			s2 += inv
			s3 += inv * inv
		}
		out[3*k], out[3*k+1], out[3*k+2] = s1.sum, s2, s3
	}
	return out
}
