package clv

import "math"

// lgamma is ln Γ(x) for x > 0.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// digamma is ψ(x) = d ln Γ(x)/dx for x > 0: the recurrence
// ψ(x) = ψ(x+1) − 1/x up to x >= 10, then the asymptotic series
// ln x − 1/(2x) − Σ B₂ₖ/(2k·x²ᵏ), which is accurate there to about 1e-15.
// It is written here, like trigamma, so that gradients and Hessians agree
// with math.Lgamma to the last digits the optimiser can see.
func digamma(x float64) float64 {
	var acc float64
	for ; x < 10; x++ {
		acc -= 1 / x
	}
	inv2 := 1 / (x * x)
	// 1/(12x²) − 1/(120x⁴) + 1/(252x⁶) − 1/(240x⁸) + 1/(132x¹⁰) − 691/(32760x¹²)
	series := inv2 * (1.0/12 - inv2*(1.0/120-inv2*(1.0/252-inv2*(1.0/240-inv2*(1.0/132-inv2*691.0/32760)))))
	return acc + math.Log(x) - 0.5/x - series
}

// trigamma is ψ'(x), the derivative of the digamma function, for x > 0:
// the recurrence ψ'(x) = ψ'(x+1) + 1/x² up to x >= 10, then the asymptotic
// series 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹, accurate there to about 1e-15.
func trigamma(x float64) float64 {
	var acc float64
	for ; x < 10; x++ {
		acc += 1 / (x * x)
	}
	inv := 1 / x
	inv2 := inv * inv
	// 1/(6x³) − 1/(30x⁵) + 1/(42x⁷) − 1/(30x⁹) + 5/(66x¹¹) − 691/(2730x¹³)
	series := inv * inv2 * (1.0/6 - inv2*(1.0/30-inv2*(1.0/42-inv2*(1.0/30-inv2*(5.0/66-inv2*691.0/2730)))))
	return acc + inv + inv2/2 + series
}

// softplus is ln(1 + e^v) without overflow.
func softplus(v float64) float64 {
	if v > 0 {
		return v + math.Log1p(math.Exp(-v))
	}
	return math.Log1p(math.Exp(v))
}

// logAddExp is ln(e^p + e^q) without overflow.
func logAddExp(p, q float64) float64 {
	if p < q {
		p, q = q, p
	}
	if math.IsInf(p, -1) {
		return p
	}
	return p + math.Log1p(math.Exp(q-p))
}
