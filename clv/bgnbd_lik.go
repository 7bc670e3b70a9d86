package clv

import "math"

// Parameter positions in derivs for BG/NBD.
const (
	bgR = iota
	bgAlpha
	bgA
	bgB
)

// likelihood is the summed BG/NBD log-likelihood at θ = (r, α, a, b) with
// its analytic gradient and Hessian. Per customer (Hardie's note 027):
//
//	ln L = A1 + A2 + ln(e^A3 + [x>0] e^A4)
//	A1 = lnΓ(r+x) − lnΓ(r) + r ln α
//	A2 = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x)
//	A3 = −(r+x) ln(α+T)
//	A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x)
//
// A1 and A2 depend on x alone and are computed once per group; the rest is
// summed over rows by every CPU.
func (d *bgData) likelihood(theta []float64) derivs {
	r, alpha, a, b := theta[bgR], theta[bgAlpha], theta[bgA], theta[bgB]
	lT := make([]float64, 2*len(d.tValues))
	iT := lT[len(d.tValues):]
	lT = lT[:len(d.tValues)]
	for i, t := range d.tValues {
		lT[i] = math.Log(alpha + t)
		iT[i] = 1 / (alpha + t)
	}
	parts := make([]derivs, workersFor(len(d.rows)))
	parallel(len(d.rows), func(lo, hi, w int) {
		parts[w] = d.partial(lo, hi, r, alpha, a, b, lT, iT)
	})
	var tot derivs
	for i := range parts {
		tot.add(&parts[i])
	}
	d.addGroupTerms(&tot, r, alpha, a, b)
	return tot
}

// addGroupTerms adds the groups' A1 + A2 and their derivatives to tot.
func (d *bgData) addGroupTerms(tot *derivs, r, alpha, a, b float64) {
	lgR, lgB, lgAB := lgamma(r), lgamma(b), lgamma(a+b)
	psiR, psiB, psiAB := digamma(r), digamma(b), digamma(a+b)
	triR, triB, triAB := trigamma(r), trigamma(b), trigamma(a+b)
	lnAlpha := math.Log(alpha)
	for _, g := range d.groups {
		w, x := g.weight, g.x
		tot.ll += w * (lgamma(r+x) - lgR + r*lnAlpha)
		tot.g[bgR] += w * (digamma(r+x) - psiR + lnAlpha)
		tot.g[bgAlpha] += w * r / alpha
		tot.h[bgR][bgR] += w * (trigamma(r+x) - triR)
		tot.h[bgR][bgAlpha] += w / alpha
		tot.h[bgAlpha][bgAlpha] -= w * r / (alpha * alpha)
		if x == 0 {
			continue // A2 is 0
		}
		psiABX, triABX := digamma(a+b+x), trigamma(a+b+x)
		tot.ll += w * (lgAB + lgamma(b+x) - lgB - lgamma(a+b+x))
		tot.g[bgA] += w * (psiAB - psiABX)
		tot.g[bgB] += w * (psiAB + digamma(b+x) - psiB - psiABX)
		tot.h[bgA][bgA] += w * (triAB - triABX)
		tot.h[bgA][bgB] += w * (triAB - triABX)
		tot.h[bgB][bgB] += w * (triAB + trigamma(b+x) - triB - triABX)
	}
}

// partial sums ln(e^A3 + [x>0] e^A4) and its derivatives over rows [lo, hi).
func (d *bgData) partial(lo, hi int, r, alpha, a, b float64, lT, iT []float64) derivs {
	var s derivs
	for _, g := range d.groups {
		from, to := max(g.lo, lo), min(g.hi, hi)
		if from >= to {
			continue
		}
		if g.x == 0 {
			d.partialZero(&s, d.rows[from:to], r, lT, iT)
			continue
		}
		rx, bx := r+g.x, b+g.x-1
		m := repeatMix(d.rows[from:to], rx, math.Log(a)-math.Log(bx), alpha, lT, iT)
		m.addTo(&s, rx, a, bx)
	}
	return s
}

// partialZero adds A3 = −r ln(α+T) and its derivatives over rows of
// customers with x = 0.
func (d *bgData) partialZero(s *derivs, rows []bgRow, r float64, lT, iT []float64) {
	var ll kahan
	var sumL, sumI, sumI2 float64
	for _, row := range rows {
		l, i := lT[row.ti], iT[row.ti]
		ll.add(-row.w * r * l)
		sumL += row.w * l
		sumI += row.w * i
		sumI2 += row.w * i * i
	}
	s.ll += ll.sum
	s.g[bgR] -= sumL
	s.g[bgAlpha] -= r * sumI
	s.h[bgR][bgAlpha] -= sumI
	s.h[bgAlpha][bgAlpha] += r * sumI2
}

// mix holds the sums over one group's customers (x > 0) from which
// ln(e^A3 + e^A4) and its derivatives follow. With s = σ(A4 − A3) the
// weight of the A4 term, q = s(1−s), D0 = ln(α+T) − ln(α+t_x) and
// D1 = 1/(α+T) − 1/(α+t_x), the gradient of A4 − A3 is
// (D0, (r+x)·D1, 1/a, −1/(b+x−1)), and the Hessian of the log-sum-exp is
// (1−s)∇²A3 + s∇²A4 + q·∇(A4−A3)∇(A4−A3)ᵀ.
type mix struct {
	ll         kahan
	lnMix      float64 // Σ w·((1−s) ln(α+T) + s ln(α+t_x))
	invMix     float64 // Σ w·((1−s)/(α+T) + s/(α+t_x))
	inv2Mix    float64 // Σ w·((1−s)/(α+T)² + s/(α+t_x)²)
	s, q       float64 // Σ w·s, Σ w·q
	qD0, qD1   float64 // Σ w·q·D0, Σ w·q·D1
	qD00, qD01 float64 // Σ w·q·D0², Σ w·q·D0·D1
	qD11       float64 // Σ w·q·D1²
}

// repeatMix sums mix over rows of one group, where rx = r+x and c is
// ln a − ln(b+x−1). The logs of 1 + e^−|A4−A3| of single customers are
// multiplied together and taken once per batch: a product of at most 512
// numbers in [1, 2] cannot overflow, and it saves most of the logarithms.
func repeatMix(rows []bgRow, rx, c, alpha float64, lT, iT []float64) mix {
	var m mix
	prod, batch := 1.0, 0
	for _, row := range rows {
		lt, it := math.Log(alpha+row.tx), 1/(alpha+row.tx)
		lTi, iTi := lT[row.ti], iT[row.ti]
		d0, d1 := lTi-lt, iTi-it
		diff := c + rx*d0 // A4 − A3
		e := math.Exp(-math.Abs(diff))
		s := e / (1 + e) // σ(−|diff|)
		term := -rx * lTi
		if diff > 0 {
			s, term = 1-s, term+diff
		}
		if row.w == 1 {
			prod *= 1 + e
			if batch++; batch == 512 {
				m.ll.add(math.Log(prod))
				prod, batch = 1, 0
			}
		} else {
			m.ll.add(row.w * math.Log1p(e))
		}
		w, q := row.w, row.w*s*(1-s)
		m.ll.add(w * term)
		m.lnMix += w * (lTi - s*d0)
		m.invMix += w * (iTi - s*d1)
		m.inv2Mix += w * (iTi*iTi + s*(it*it-iTi*iTi))
		m.s += w * s
		m.q += q
		m.qD0 += q * d0
		m.qD1 += q * d1
		m.qD00 += q * d0 * d0
		m.qD01 += q * d0 * d1
		m.qD11 += q * d1 * d1
	}
	m.ll.add(math.Log(prod))
	return m
}

// addTo adds the group's log-sum-exp terms and derivatives to s.
func (m *mix) addTo(s *derivs, rx, a, bx float64) {
	s.ll += m.ll.sum
	s.g[bgR] -= m.lnMix
	s.g[bgAlpha] -= rx * m.invMix
	s.g[bgA] += m.s / a
	s.g[bgB] -= m.s / bx
	h := &s.h
	h[bgR][bgR] += m.qD00
	h[bgR][bgAlpha] += -m.invMix + rx*m.qD01
	h[bgR][bgA] += m.qD0 / a
	h[bgR][bgB] -= m.qD0 / bx
	h[bgAlpha][bgAlpha] += rx*m.inv2Mix + rx*rx*m.qD11
	h[bgAlpha][bgA] += rx * m.qD1 / a
	h[bgAlpha][bgB] -= rx * m.qD1 / bx
	h[bgA][bgA] += (m.q - m.s) / (a * a)
	h[bgA][bgB] -= m.q / (a * bx)
	h[bgB][bgB] += (m.s + m.q) / (bx * bx)
}
