package clv

import "math"

// BGNBD is the beta-geometric/negative-binomial model of repeat purchases
// (Fader, Hardie & Lee 2005): while alive a customer buys at a Poisson
// rate λ ~ Gamma(R, Alpha), and after each purchase drops out with a
// probability p ~ Beta(A, B). Times are in the periods of the summaries
// it was fitted to.
type BGNBD struct {
	R, Alpha, A, B float64
}

// LogLikelihood is the log-likelihood of one customer's (x, t_x, T) under
// the model, in the numerically stable form of Hardie's note 027.
func (m BGNBD) LogLikelihood(x int, tx, T float64) float64 {
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	xf := float64(x)
	a1 := lgamma(r+xf) - lgamma(r) + r*math.Log(alpha)
	a3 := -(r + xf) * math.Log(alpha+T)
	if x == 0 {
		return a1 + a3
	}
	a2 := lgamma(a+b) + lgamma(b+xf) - lgamma(b) - lgamma(a+b+xf)
	a4 := math.Log(a) - math.Log(b+xf-1) - (r+xf)*math.Log(alpha+tx)
	return a1 + a2 + logAddExp(a3, a4)
}

// PAlive is the probability that a customer with x repeat purchases, the
// last at t_x, observed for T periods, has not dropped out:
//
//	P = 1 / (1 + [x>0] · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
//
// computed in log space, so that a customer long silent after very many
// purchases gets 0, never NaN.
func (m BGNBD) PAlive(x int, tx, T float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Exp(-softplus(m.logDeadOdds(x, tx, T)))
}

// logDeadOdds is ln(a/(b+x−1)) + (r+x)·ln((α+T)/(α+t_x)): the log of the
// odds that a customer with x > 0 has dropped out. The last log is
// log1p((T−t_x)/(α+t_x)), accurate however large α is.
func (m BGNBD) logDeadOdds(x int, tx, T float64) float64 {
	xf := float64(x)
	return math.Log(m.A) - math.Log(m.B+xf-1) + (m.R+xf)*math.Log1p((T-tx)/(m.Alpha+tx))
}

// ExpectedPurchases is E[X(t)], the number of repeat purchases a new
// customer is expected to make in their first t periods:
//
//	E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]
func (m BGNBD) ExpectedPurchases(t float64) float64 {
	return m.expectedWhileAlive(t, 0, 0)
}

// ConditionalExpectedPurchases is E[Y(t) | x, t_x, T], the number of
// purchases a customer with history (x, t_x, T) is expected to make in the
// next t periods:
//
//	E[Y(t)] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ·
//	          2F1(r+x, b+x; a+b+x−1; t/(α+T+t))] · PAlive
//
// It stays finite for any history; see expectedWhileAlive for how.
func (m BGNBD) ConditionalExpectedPurchases(t float64, x int, tx, T float64) float64 {
	if t <= 0 {
		return 0
	}
	return m.expectedWhileAlive(t, x, T) * m.PAlive(x, tx, T)
}

// expectedWhileAlive is the factor of E[Y(t) | x, t_x, T] before PAlive:
//
//	(a+b+x−1)/(a−1) · [1 − (1−z)^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)],  z = t/(α+T+t)
//
// The series has positive terms (when a+b+x > 1) and is summed in log
// space, so a history of thousands of purchases or parameters run off to
// millions neither overflow nor cancel; only the final bracket is formed
// from the logs. (Euler's transformation would give shorter series for
// large x but alternating, cancelling terms for large r.) The expression
// is 0/0 at a = 1, a removable singularity: there it is the mean of its
// values at a = 1 ± 1e-6.
func (m BGNBD) expectedWhileAlive(t float64, x int, T float64) float64 {
	if t <= 0 {
		return 0
	}
	if math.Abs(m.A-1) < 1e-7 {
		lo, hi := m, m
		lo.A, hi.A = 1-1e-6, 1+1e-6
		return (lo.expectedBracket(t, x, T) + hi.expectedBracket(t, x, T)) / 2
	}
	return m.expectedBracket(t, x, T)
}

// expectedBracket is expectedWhileAlive for a ≠ 1.
func (m BGNBD) expectedBracket(t float64, x int, T float64) float64 {
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	xf := float64(x)
	z := t / (alpha + T + t)
	logF, sign := hyp2f1(r+xf, b+xf, a+b+xf-1, z)
	// ln(1−z) as log1p(−z) stays accurate when α is huge and z tiny.
	logP := (r+xf)*math.Log1p(-z) + logF
	return m.bracketFactor(x) * oneMinus(logP, sign)
}

// bracketFactor is (a+b+x−1)/(a−1).
func (m BGNBD) bracketFactor(x int) float64 {
	return (m.A + m.B + float64(x) - 1) / (m.A - 1)
}

// oneMinus is 1 − sign·e^logP, accurately when it is small.
func oneMinus(logP, sign float64) float64 {
	if sign > 0 {
		return -math.Expm1(logP)
	}
	return 1 + math.Exp(logP) // sign < 0; NaN stays NaN
}

// expectedWhileAliveSteps sets cum[k] to expectedWhileAlive((k+1)·step,
// x, T) for every k, summing the hypergeometric series of all the steps in
// one pass; scratch must be twice as long as cum. Where the shared pass
// cannot (huge coefficients), each step is taken on its own in log space.
func (m BGNBD) expectedWhileAliveSteps(x int, T, step float64, cum, scratch []float64) {
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	xf := float64(x)
	zs, pows := scratch[:len(cum)], scratch[len(cum):2*len(cum)]
	for k := range cum {
		t := float64(k+1) * step
		zs[k] = t / (alpha + T + t)
	}
	if math.Abs(a-1) < 1e-7 || !hyp2f1Many(r+xf, b+xf, a+b+xf-1, zs, pows, cum) {
		for k := range cum {
			cum[k] = m.expectedWhileAlive(float64(k+1)*step, x, T)
		}
		return
	}
	factor := m.bracketFactor(x)
	for k, f := range cum {
		logP := (r+xf)*math.Log1p(-zs[k]) + math.Log(math.Abs(f))
		cum[k] = factor * oneMinus(logP, math.Copysign(1, f))
	}
}
