package clv

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mathext"
)

// checkDerivs compares a likelihood's analytic gradient with central
// differences of its value, and its Hessian with central differences of
// its gradient, at theta.
func checkDerivs(t *testing.T, name string, lik likelihood, theta []float64) {
	t.Helper()
	at := lik(theta)
	for i := range theta {
		h := 1e-5 * theta[i]
		up, down := slices.Clone(theta), slices.Clone(theta)
		up[i] += h
		down[i] -= h
		du, dd := lik(up), lik(down)
		if num := (du.ll - dd.ll) / (2 * h); !closeTo(at.g[i], num) {
			t.Errorf("%s at %v: ∂ℓ/∂θ%d analytic %.9g, numeric %.9g", name, theta, i, at.g[i], num)
		}
		for j := range theta {
			num := (du.g[j] - dd.g[j]) / (2 * h)
			if ana := at.h[min(i, j)][max(i, j)]; !closeTo(ana, num) {
				t.Errorf("%s at %v: ∂²ℓ/∂θ%d∂θ%d analytic %.9g, numeric %.9g", name, theta, i, j, ana, num)
			}
		}
	}
}

// closeTo allows for the error of a central difference.
func closeTo(analytic, numeric float64) bool {
	return math.Abs(analytic-numeric) <= 1e-6*math.Max(1, math.Abs(numeric))
}

// testSummaries are 3000 varied customers with repeated histories, so that
// both single and weighted rows occur.
func testSummaries() []Summary {
	var s []Summary
	for i := range 3000 {
		x := i % 7
		T := 20 + float64(i%53)*0.37
		tx := 0.0
		if x > 0 {
			tx = T * float64(i%11) / 11
			if i%3 == 0 {
				tx = T * float64(i%1009) / 1009
			}
		}
		s = append(s, Summary{Frequency: x, Recency: tx, T: T, MonetaryValue: 5 + float64(i%17)})
	}
	return s
}

func TestLikelihoodDerivativesMatchFiniteDifferences(t *testing.T) {
	s := testSummaries()
	repeat, err := checkSummaries(summarySlice(s))
	if err != nil {
		t.Fatal(err)
	}
	bg := compressBGNBD(summarySlice(s), repeat)
	for _, theta := range [][]float64{{1, 2.7, 1, 1}, {0.25, 4.4, 0.8, 2.4}, {2.7, 0.4, 7.4, 0.15}} {
		checkDerivs(t, "BG/NBD", bg.likelihood, theta)
	}
	gg := &ggData{}
	for _, c := range s {
		if c.Frequency > 0 {
			gg.add(c.Frequency, c.MonetaryValue)
		}
	}
	gg.group()
	for _, theta := range [][]float64{{1, 2, 7.4}, {6.2, 3.7, 15.4}, {0.4, 20, 1}} {
		checkDerivs(t, "Gamma-Gamma", gg.likelihood, theta)
	}
}

func TestBGNBDLikelihoodMatchesPerCustomerSum(t *testing.T) {
	s := testSummaries()
	repeat, _ := checkSummaries(summarySlice(s))
	m := BGNBD{R: 0.25, Alpha: 4.4, A: 0.8, B: 2.4}
	var want float64
	for _, c := range s {
		want += m.LogLikelihood(c.Frequency, c.Recency, c.T)
	}
	got := compressBGNBD(summarySlice(s), repeat).likelihood([]float64{m.R, m.Alpha, m.A, m.B}).ll
	if math.Abs(got-want) > 1e-9*math.Abs(want) {
		t.Errorf("compressed log-likelihood %.10g, per customer %.10g", got, want)
	}
}

func TestDigammaAndTrigamma(t *testing.T) {
	for _, x := range []float64{1e-3, 0.2426, 1, 2.5, 9.99, 10, 37.5, 1e4} {
		if got, want := digamma(x), mathext.Digamma(x); math.Abs(got-want) > 1e-10*math.Max(1, math.Abs(want)) {
			t.Errorf("digamma(%g) = %.15g, gonum says %.15g", x, got, want)
		}
		h := 1e-4 * x
		num := (lgamma(x+h) - lgamma(x-h)) / (2 * h)
		if got := digamma(x); math.Abs(got-num) > 1e-7*math.Max(1, math.Abs(num)) {
			t.Errorf("digamma(%g) = %.12g, numeric derivative of lgamma %.12g", x, got, num)
		}
		num = (digamma(x+h) - digamma(x-h)) / (2 * h)
		if got := trigamma(x); math.Abs(got-num) > 1e-7*num {
			t.Errorf("trigamma(%g) = %.12g, numeric derivative of digamma %.12g", x, got, num)
		}
	}
	// ψ(1) = −γ (Euler's constant) and ψ'(1) = π²/6.
	if got, want := digamma(1), -0.5772156649015329; math.Abs(got-want) > 1e-14 {
		t.Errorf("digamma(1) = %.16g, want %.16g", got, want)
	}
	if got, want := trigamma(1), math.Pi*math.Pi/6; math.Abs(got-want) > 1e-14 {
		t.Errorf("trigamma(1) = %.16g, want π²/6 = %.16g", got, want)
	}
}
