package clv

import "math"

// The series is rescaled by e^-hypRescaleLog whenever it grows past
// e^hypRescaleLog, so that huge arguments (a customer with a thousand
// purchases) neither overflow nor lose the result.
const (
	hypRescaleLog = 600
	hypMaxTerms   = 1_000_000
)

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
		if math.Abs(sum) > math.Exp(hypRescaleLog) {
			f := math.Exp(-hypRescaleLog)
			sum, term, scale = sum*f, term*f, scale+hypRescaleLog
		}
		// The ratio of successive terms tends to z, and once c+n > 0 it
		// soon moves there monotonically, so past the largest term the rest
		// is below a geometric series of ratio ρ = max(|ratio|, z); stop
		// when that is negligible.
		rho := math.Max(math.Abs(ratio), z)
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
