package clv_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/clv"
	"gonum.org/v1/gonum/mathext"
)

// cdnowBGNBD is the maximum-likelihood BG/NBD estimate on CDNOW's
// calibration summary published with lifetimes and in Fader, Hardie & Lee
// (2005).
var cdnowBGNBD = clv.BGNBD{R: 0.242593, Alpha: 4.413532, A: 0.792886, B: 2.425752}

// near reports whether got is within rel of want, relatively.
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func TestFitBGNBDReproducesCDNOWEstimates(t *testing.T) {
	fit, err := clv.FitBGNBD(readSummaries(t, "cdnow_customers_summary.csv", 0))
	if err != nil {
		t.Fatal(err)
	}
	got, want := fit.Model, cdnowBGNBD
	for _, p := range []struct {
		name      string
		got, want float64
	}{
		{"r", got.R, want.R}, {"alpha", got.Alpha, want.Alpha}, {"a", got.A, want.A}, {"b", got.B, want.B},
	} {
		if !near(p.got, p.want, 1e-4) {
			t.Errorf("%s = %.6f, want %.6f", p.name, p.got, p.want)
		}
	}
	if math.Abs(fit.Info.LogLikelihood-(-9582.43)) > 0.005 {
		t.Errorf("log-likelihood %.4f, want -9582.43", fit.Info.LogLikelihood)
	}
	if !fit.Info.Converged || fit.Info.Customers != 2357 {
		t.Errorf("fit info %+v: want converged over 2357 customers", fit.Info)
	}
	// lifetimes' BetaGeoFitter summary gives these standard errors.
	se := fit.StdErr
	if !near(se.R, 0.012557, 1e-3) || !near(se.Alpha, 0.378221, 1e-3) ||
		!near(se.A, 0.185719, 1e-3) || !near(se.B, 0.705345, 1e-3) {
		t.Errorf("standard errors %+v, want r 0.012557, alpha 0.378221, a 0.185719, b 0.705345", se)
	}
}

func TestBGNBDLogLikelihoodSumsToPublishedValue(t *testing.T) {
	var ll float64
	for _, s := range readSummaries(t, "cdnow_customers_summary.csv", 0) {
		ll += cdnowBGNBD.LogLikelihood(s.Frequency, s.Recency, s.T)
	}
	if math.Abs(ll-(-9582.43)) > 0.005 {
		t.Errorf("log-likelihood at the published estimate %.4f, want -9582.43", ll)
	}
}

func TestBGNBDPredictionsForCDNOWCustomer(t *testing.T) {
	m := clv.BGNBD{R: 0.2426, Alpha: 4.414, A: 0.7929, B: 2.426}
	if got := m.ConditionalExpectedPurchases(39, 2, 30.43, 38.86); math.Abs(got-1.2259) > 5e-5 {
		t.Errorf("E[Y(39) | 2, 30.43, 38.86] = %.5f, want 1.2259", got)
	}
	if got := m.PAlive(2, 30.43, 38.86); math.Abs(got-0.7266) > 5e-5 {
		t.Errorf("P(alive | 2, 30.43, 38.86) = %.5f, want 0.7266", got)
	}
}

func TestBGNBDExtremeHistoryStaysFinite(t *testing.T) {
	m := cdnowBGNBD
	if p := m.PAlive(1000, 10, 100); p != 0 {
		t.Errorf("P(alive | 1000, 10, 100) = %v, want 0", p)
	}
	e := m.ConditionalExpectedPurchases(39, 1000, 10, 100)
	if math.IsNaN(e) || math.IsInf(e, 0) || e < 0 || e > 1e-300 {
		t.Errorf("E[Y(39) | 1000, 10, 100] = %v, want a finite ~0", e)
	}
	// A customer who bought yesterday after 1000 purchases is very alive.
	if e := m.ConditionalExpectedPurchases(1, 1000, 99.9, 100); math.IsNaN(e) || e < 1 {
		t.Errorf("E[Y(1) | 1000, 99.9, 100] = %v, want a finite number above 1", e)
	}
}

func TestBGNBDParametersRunOffStillPredict(t *testing.T) {
	// r and α in the millions with r/α = 0.2: every customer buys at 0.2 a
	// period; a/(a+b) near 1 after b ≈ 0 would mean dropping out at once,
	// but a/(b+x−1) is what counts for x > 1.
	m := clv.BGNBD{R: 6.8e6, Alpha: 3.4e7, A: 8.1e4, B: 5e-4}
	for _, h := range [][3]float64{{0, 0, 10}, {1, 5, 10}, {30, 9.9, 10}} {
		x, tx, T := int(h[0]), h[1], h[2]
		p, e := m.PAlive(x, tx, T), m.ConditionalExpectedPurchases(39, x, tx, T)
		if math.IsNaN(p) || p < 0 || p > 1 || math.IsNaN(e) || math.IsInf(e, 0) || e < 0 {
			t.Errorf("history %v: P(alive) %v, E[Y(39)] %v: want a probability and a finite count", h, p, e)
		}
	}
	if e := m.ExpectedPurchases(39); math.IsNaN(e) || e < 0 || e > 39*0.2 {
		t.Errorf("E[X(39)] = %v, want between 0 and 39 × 0.2", e)
	}
}

func TestFitsSayWhenTheDataDoNotPinTheModelDown(t *testing.T) {
	// Twenty customers with one and the same history: nothing tells how
	// customers differ, and the estimates run off towards a limit model.
	s := make([]clv.Summary, 20)
	for i := range s {
		s[i] = clv.Summary{CustomerID: "c", Frequency: 1, Recency: 5, T: 10, MonetaryValue: 10}
	}
	bg, err := clv.FitBGNBD(s)
	if err != nil {
		t.Fatal(err)
	}
	gg, err := clv.FitGammaGamma(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range []clv.FitInfo{bg.Info, gg.Info} {
		if info.Converged || !strings.Contains(info.Status, "not positive definite") {
			t.Errorf("fit info %+v: want not converged, saying why", info)
		}
	}
}

func TestFitBGNBDRefusesDataWithoutRepeatBuyers(t *testing.T) {
	s := make([]clv.Summary, 20)
	for i := range s {
		s[i] = clv.Summary{CustomerID: "c", T: float64(10 + i)}
	}
	_, err := clv.FitBGNBD(s)
	var fe *clv.FitError
	if !errors.Is(err, clv.ErrNoRepeatBuyers) || !errors.As(err, &fe) || fe.Customers != 20 {
		t.Fatalf("error %v, want a *FitError for no repeat buyers over 20 customers", err)
	}
	_, err = clv.FitBGNBD(s[:3])
	if !errors.Is(err, clv.ErrTooFewCustomers) {
		t.Fatalf("error %v, want too few customers", err)
	}
	s[4].Recency = 50
	_, err = clv.FitBGNBD(s)
	var se *clv.SummaryError
	if !errors.As(err, &se) || se.Index != 4 {
		t.Fatalf("error %v, want a *SummaryError for summary 4", err)
	}
}

func TestBGNBDExpectationsMatchTextbookFormulas(t *testing.T) {
	m := cdnowBGNBD
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	for _, tt := range []float64{1, 39, 52, 200} {
		z := tt / (alpha + tt)
		want := (a + b - 1) / (a - 1) * (1 - math.Pow(alpha/(alpha+tt), r)*mathext.Hypergeo(r, b, a+b-1, z))
		if got := m.ExpectedPurchases(tt); !near(got, want, 1e-10) {
			t.Errorf("E[X(%v)] = %.12g, formula %.12g", tt, got, want)
		}
		for _, h := range [][3]float64{{0, 0, 38.86}, {2, 30.43, 38.86}, {7, 20, 35}, {25, 37.5, 38}} {
			x, tx, T := h[0], h[1], h[2]
			z := tt / (alpha + T + tt)
			bracket := 1 - math.Pow((alpha+T)/(alpha+T+tt), r+x)*mathext.Hypergeo(r+x, b+x, a+b+x-1, z)
			want := (a + b + x - 1) / (a - 1) * bracket * m.PAlive(int(x), tx, T)
			if got := m.ConditionalExpectedPurchases(tt, int(x), tx, T); !near(got, want, 1e-9) {
				t.Errorf("E[Y(%v) | %v, %v, %v] = %.12g, formula %.12g", tt, x, tx, T, got, want)
			}
		}
	}
}
