package clv

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mathext"
)

func TestHyp2f1MatchesGonum(t *testing.T) {
	for _, c := range [][4]float64{
		{0.2426, 2.426, 2.2185, 0.47},
		{2.2426, 4.426, 4.2185, 0.47},
		{2.4185, -0.2071, 31.2185, 0.9},
		{1.5, 0.5, -0.5, 0.3}, // c < 0: terms change sign
		{0.5, 1, 1.5, 0.99},
		{3, 4, 5, 0},
	} {
		a, b, cc, z := c[0], c[1], c[2], c[3]
		logAbs, sign := hyp2f1(a, b, cc, z)
		got, want := sign*math.Exp(logAbs), mathext.Hypergeo(a, b, cc, z)
		if math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("2F1(%v, %v; %v; %v) = %.15g, gonum %.15g", a, b, cc, z, got, want)
		}
	}
}

func TestHyp2f1HugeArgumentsStayInLogSpace(t *testing.T) {
	// 2F1(a, b; b; z) = (1−z)^−a, about e^3150 here: far beyond float64.
	a, b, z := 10000.0, 10002.4, 0.27
	logAbs, sign := hyp2f1(a, b, b, z)
	if want := -a * math.Log1p(-z); sign != 1 || math.Abs(logAbs-want) > 1e-9*want {
		t.Errorf("ln 2F1(%v, %v; %v; %v) = %v (sign %v), want %v", a, b, b, z, logAbs, sign, want)
	}
}

func TestHyp2f1RefusesWhereItHasNoValue(t *testing.T) {
	for _, c := range [][4]float64{{1, 1, -2, 0.5}, {1, 1, 0, 0.5}, {1, 1, 2, 1}, {1, 1, 2, -0.1}} {
		if logAbs, _ := hyp2f1(c[0], c[1], c[2], c[3]); !math.IsNaN(logAbs) {
			t.Errorf("2F1%v = e^%v, want NaN", c, logAbs)
		}
	}
}

func TestExpectedPurchasesAtAEqualToOne(t *testing.T) {
	// The formula divides 0 by 0 at a = 1; its neighbours agree.
	m := BGNBD{R: 0.24, Alpha: 4.4, A: 1, B: 2.4}
	lo, hi := m, m
	lo.A, hi.A = 1-1e-4, 1+1e-4
	for _, x := range []int{0, 3} {
		got := m.ConditionalExpectedPurchases(39, x, 20, 38)
		want := (lo.ConditionalExpectedPurchases(39, x, 20, 38) + hi.ConditionalExpectedPurchases(39, x, 20, 38)) / 2
		if math.IsNaN(got) || math.Abs(got-want) > 1e-6 {
			t.Errorf("x=%d: E[Y(39)] at a=1 is %v, its neighbours give %v", x, got, want)
		}
	}
}

func TestHyp2f1ManyMatchesOneAtATime(t *testing.T) {
	zs := []float64{0, 0.05, 0.3, 0.47, 0.8, 0.95}
	for _, c := range [][3]float64{
		{2.4185, -0.2071, 2.2185}, {2.4185, -0.2071, 31.2185}, {1.5, 0.5, -0.5}, {0.5, 1, 1.5}, {-3, 2, 4},
	} {
		out, pows := make([]float64, len(zs)), make([]float64, len(zs))
		if !hyp2f1Many(c[0], c[1], c[2], zs, pows, out) {
			t.Errorf("2F1(%v, %v; %v; z) refused", c[0], c[1], c[2])
			continue
		}
		for i, z := range zs {
			logAbs, sign := hyp2f1(c[0], c[1], c[2], z)
			if want := sign * math.Exp(logAbs); math.Abs(out[i]-want) > 1e-13*math.Max(1, math.Abs(want)) {
				t.Errorf("2F1(%v, %v; %v; %v) = %.16g together, %.16g alone", c[0], c[1], c[2], z, out[i], want)
			}
		}
	}
	out, pows := make([]float64, 2), make([]float64, 2)
	for _, c := range []struct {
		a, b, c float64
		zs      []float64
	}{
		{1, 1, -2, []float64{0.1, 0.2}},    // pole
		{1, 1, 2, []float64{0.1, 1}},       // z = 1
		{900, 900, 1, []float64{0.1, 0.5}}, // coefficients beyond 1e250
	} {
		if hyp2f1Many(c.a, c.b, c.c, c.zs, pows, out) {
			t.Errorf("2F1(%v, %v; %v; %v) accepted, want a refusal", c.a, c.b, c.c, c.zs)
		}
	}
}

func TestExpectedWhileAliveStepsMatchesOneStepAtATime(t *testing.T) {
	for _, m := range []BGNBD{
		{R: 0.24, Alpha: 4.4, A: 0.79, B: 2.4}, {R: 0.24, Alpha: 4.4, A: 1, B: 2.4}, {R: 3, Alpha: 0.5, A: 5, B: 0.3},
		{R: 6.8e6, Alpha: 3.4e7, A: 8.1e4, B: 5e-4}, // run off: a Poisson rate of 0.2 and no dropout
	} {
		for _, x := range []int{0, 1, 7, 1000} {
			cum, scratch := make([]float64, 12), make([]float64, 24)
			m.expectedWhileAliveSteps(x, 38.86, 4.345, cum, scratch)
			for k, got := range cum {
				want := m.expectedWhileAlive(float64(k+1)*4.345, x, 38.86)
				if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
					t.Errorf("%+v, x=%d, step %d: %.16g together, %.16g alone", m, x, k+1, got, want)
				}
			}
		}
	}
}
