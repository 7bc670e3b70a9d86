package clv_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/clv"
)

// fitCDNOW fits both models to CDNOW's calibration summary with spend.
func fitCDNOW(t *testing.T) ([]clv.Summary, clv.BGNBD, clv.GammaGamma) {
	t.Helper()
	s := readSummaries(t, "cdnow_customers_summary_with_transactions.csv", 0)
	bg, err := clv.FitBGNBD(s)
	if err != nil {
		t.Fatal(err)
	}
	gg, err := clv.FitGammaGamma(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, bg.Model, gg.Model
}

func TestPredictReproducesLifetimesCLV(t *testing.T) {
	s, bg, gg := fitCDNOW(t)
	// lifetimes: customer_lifetime_value(bgf, ..., time=12, discount_rate=0.01, freq="W").
	opt := clv.CLVOptions{Steps: 12, PeriodsPerStep: clv.LifetimesWeeksPerMonth, DiscountRate: 0.01}
	p, err := clv.Predict(s, bg, gg, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{36.28, 4.64, 8.34, 8.34, 8.34, 283.52, 6.88, 8.34, 43.35, 8.34}
	for i, w := range want {
		if got := p[i].CLV; math.Abs(got-w) > 0.005 {
			t.Errorf("customer %s: CLV %.4f, want %.2f", p[i].CustomerID, got, w)
		}
	}
	c := p[0] // x=2, t_x=30.43, T=38.86, m̄=22.35
	if c.CustomerID != "1" || math.Abs(c.PAlive-bg.PAlive(2, 30.43, 38.86)) > 1e-15 ||
		math.Abs(c.ExpectedPurchases-bg.ConditionalExpectedPurchases(12*4.345, 2, 30.43, 38.86)) > 1e-15 ||
		math.Abs(c.ExpectedAverageValue-24.66) > 0.005 {
		t.Errorf("customer 1: %+v", c)
	}
}

func TestDiscountedValueWithoutDiscountIsExpectedPurchasesTimesValue(t *testing.T) {
	m := clv.BGNBD{R: 0.2426, Alpha: 4.414, A: 0.7929, B: 2.426}
	opt := clv.CLVOptions{Steps: 5, PeriodsPerStep: 7.8}
	got := m.DiscountedValue(2, 30.43, 38.86, 10, opt)
	want := 10 * m.ConditionalExpectedPurchases(39, 2, 30.43, 38.86)
	if math.Abs(got-want) > 1e-12 {
		t.Errorf("undiscounted value %.15g, want 10 × E[Y(39)] = %.15g", got, want)
	}
	opt.DiscountRate = 0.05
	if d := m.DiscountedValue(2, 30.43, 38.86, 10, opt); !(d < got && d > got/math.Pow(1.05, 5)) {
		t.Errorf("discounted at 5%% a step: %v, want between %v and %v", d, got/math.Pow(1.05, 5), got)
	}
	if d := m.DiscountedValue(2, 30.43, 38.86, 10, clv.CLVOptions{Steps: -1, PeriodsPerStep: 1}); !math.IsNaN(d) {
		t.Errorf("with -1 steps: %v, want NaN", d)
	}
}

func TestMonthlyCLVUsesCalendarMonths(t *testing.T) {
	for _, c := range []struct {
		p    clv.Period
		want float64
	}{{clv.Day, 30.4375}, {clv.Week, 30.4375 / 7}, {clv.Month, 1}} {
		o := clv.MonthlyCLV(c.p, 12, 0.01)
		if o.Steps != 12 || o.DiscountRate != 0.01 || math.Abs(o.PeriodsPerStep-c.want) > 1e-12 {
			t.Errorf("MonthlyCLV(%v, 12, 0.01) = %+v, want %v periods a step", c.p, o, c.want)
		}
	}
}

func TestPredictRefusesBadInput(t *testing.T) {
	bg := clv.BGNBD{R: 0.2426, Alpha: 4.414, A: 0.7929, B: 2.426}
	gg := clv.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.45}
	good := clv.CLVOptions{Steps: 12, PeriodsPerStep: 4.345, DiscountRate: 0.01}
	s := []clv.Summary{{CustomerID: "a", Frequency: 1, Recency: 2, T: 5, MonetaryValue: 3}}
	for _, c := range []struct {
		name string
		opt  clv.CLVOptions
		gg   clv.GammaGamma
		s    []clv.Summary
		want string
	}{
		{"no steps", clv.CLVOptions{PeriodsPerStep: 1}, gg, s, "at least 1 step"},
		{"no periods per step", clv.CLVOptions{Steps: 12}, gg, s, "periods per CLV step"},
		{"negative discount", clv.CLVOptions{Steps: 1, PeriodsPerStep: 1, DiscountRate: -0.1}, gg, s, "discount rate"},
		{"q below 1", good, clv.GammaGamma{P: 1, Q: 0.9, Gamma: 1}, s, "q <= 1"},
		{"recency after T", good, gg, []clv.Summary{{CustomerID: "b", Frequency: 1, Recency: 9, T: 5}}, `customer "b"`},
	} {
		if _, err := clv.Predict(c.s, bg, c.gg, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}
