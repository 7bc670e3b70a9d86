package clv

import "math"

// The series is rescaled by e^-hypRescaleLog whenever it grows past
// e^hypRescaleLog, so that huge arguments (a customer with a thousand
// purchases) neither overflow nor lose the result.
const (
	hypRescaleLog = 600
	hypMaxTerms   = 1_000_000
)

// hypRescaleAt and hypRescaleBy are e^hypRescaleLog and its inverse.
var hypRescaleAt, hypRescaleBy = math.Exp(hypRescaleLog), math.Exp(-hypRescaleLog)

// hyp2f1 is the Gauss hypergeometric function 2F1(a, b; c; z) for
// 0 <= z < 1, summed as its power series, and returned as sign·e^logAbs so
// that values beyond float64's range stay usable in log space. It gives
// NaN where the series has a pole (c a non-positive integer) or does not
// converge in hypMaxTerms terms (z extremely close to 1).
func hyp2f1(a, b, c, z float64) (logAbs, sign float64) {
	if !(z >= 0 && z < 1) || (c <= 0 && c == math.Trunc(c)) {
		return math.NaN(), math.NaN()
	}
	sum, term, scale := 1.0, 1.0, 0.0
	for n := 0.0; n < hypMaxTerms; n++ {
		ratio := (a + n) * (b + n) / ((c + n) * (n + 1)) * z
		term *= ratio
		sum += term
		if math.Abs(sum) > hypRescaleAt {
			sum, term, scale = sum*hypRescaleBy, term*hypRescaleBy, scale+hypRescaleLog
		}
		// The ratio of successive terms tends to z, and once c+n > 0 it
		// soon moves there monotonically, so past the largest term the rest
		// is below a geometric series of ratio ρ = max(|ratio|, z); stop
		// when that is negligible.
		rho := max(math.Abs(ratio), z)
		if term == 0 || (c+n > 0 && rho < 1 &&
			math.Abs(term)*rho <= 1e-17*math.Abs(sum)*(1-rho)) {
			if sum == 0 {
				return math.Inf(-1), 0
			}
			return scale + math.Log(math.Abs(sum)), math.Copysign(1, sum)
		}
	}
	return math.NaN(), math.NaN()
}

// hyp2f1Many sets out[i] = 2F1(a, b; c; zs[i]) for every zs[i] in [0, 1),
// summing all the series in one pass over their shared coefficients
// (a)ₙ(b)ₙ/((c)ₙ·n!), with pows as scratch of the same length. It reports
// false, leaving out undefined, where it cannot: a pole, coefficients too
// big to sum without rescaling, or too many terms; hyp2f1 then takes one z
// at a time.
func hyp2f1Many(a, b, c float64, zs, pows, out []float64) bool {
	if len(zs) == 0 || (c <= 0 && c == math.Trunc(c)) {
		return len(zs) == 0
	}
	top := 0
	for i, z := range zs {
		if !(z >= 0 && z < 1) {
			return false
		}
		if z > zs[top] {
			top = i
		}
		out[i], pows[i] = 1, 1
	}
	zmax, coef := zs[top], 1.0
	for n := 0.0; n < hypMaxTerms; n++ {
		ratio := (a + n) * (b + n) / ((c + n) * (n + 1))
		coef *= ratio
		if math.Abs(coef) > 1e250 {
			return false
		}
		least := math.Inf(1)
		for i, z := range zs {
			pows[i] *= z
			out[i] += coef * pows[i]
			least = min(least, math.Abs(out[i]))
		}
		// The series of zmax converges slowest: stop as hyp2f1 does when
		// its remaining terms are negligible next to the smallest sum.
		rho := max(math.Abs(ratio)*zmax, zmax)
		if coef == 0 || (c+n > 0 && rho < 1 &&
			math.Abs(coef*pows[top])*rho <= 1e-17*least*(1-rho)) {
			return true
		}
	}
	return false
}
