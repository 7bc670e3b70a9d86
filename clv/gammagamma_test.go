package clv_test

import (
	"errors"
	"math"
	"testing"

	"github.com/hearthbot/hearth/clv"
)

func TestFitGammaGammaReproducesCDNOWEstimates(t *testing.T) {
	s := readSummaries(t, "cdnow_customers_summary_with_transactions.csv", 0)
	fit, err := clv.FitGammaGamma(s)
	if err != nil {
		t.Fatal(err)
	}
	m := fit.Model
	if math.Abs(m.P-6.2488) > 5e-5 || math.Abs(m.Q-3.7446) > 5e-5 || math.Abs(m.Gamma-15.4477) > 5e-5 {
		t.Errorf("p, q, gamma = %.5f, %.5f, %.5f; want 6.2488, 3.7446, 15.4477", m.P, m.Q, m.Gamma)
	}
	if !fit.Info.Converged || fit.Info.Customers != 946 || fit.Info.Excluded != 0 {
		t.Errorf("fit info %+v: want converged over the 946 repeat buyers", fit.Info)
	}
	want := []float64{24.66, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17}
	for i, w := range want {
		got := m.ExpectedAverageValue(s[i].Frequency, s[i].MonetaryValue)
		if math.Abs(got-w) > 0.005 {
			t.Errorf("customer %s: expected average value %.4f, want %.2f", s[i].CustomerID, got, w)
		}
	}
	var ll float64
	for _, c := range s {
		if c.Frequency > 0 {
			ll += m.LogLikelihood(c.Frequency, c.MonetaryValue)
		}
	}
	if math.Abs(ll-fit.Info.LogLikelihood) > 1e-6*math.Abs(ll) {
		t.Errorf("fit log-likelihood %.4f, summed per customer %.4f", fit.Info.LogLikelihood, ll)
	}
	// lifetimes' GammaGammaFitter summary gives these standard errors.
	if se := fit.StdErr; !near(se.P, 1.189687, 1e-3) || !near(se.Q, 0.290166, 1e-3) || !near(se.Gamma, 4.159994, 1e-3) {
		t.Errorf("standard errors %+v, want p 1.189687, q 0.290166, gamma 4.159994", se)
	}
}

func TestFitGammaGammaExcludesNonPositiveValues(t *testing.T) {
	s := readSummaries(t, "cdnow_customers_summary_with_transactions.csv", 0)
	base, err := clv.FitGammaGamma(s)
	if err != nil {
		t.Fatal(err)
	}
	// Two zero-value and one negative repeat buyers change nothing but
	// the count of excluded customers.
	s = append(s,
		clv.Summary{CustomerID: "z1", Frequency: 2, Recency: 3, T: 30},
		clv.Summary{CustomerID: "z2", Frequency: 1, Recency: 3, T: 30},
		clv.Summary{CustomerID: "neg", Frequency: 1, Recency: 3, T: 30, MonetaryValue: -4})
	fit, err := clv.FitGammaGamma(s)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Info.Excluded != 3 || fit.Info.Customers != 946 || fit.Model != base.Model {
		t.Errorf("with non-positive values: %+v, want %+v with 3 excluded", fit, base)
	}
}

func TestFitGammaGammaRefusesUnusableData(t *testing.T) {
	none := []clv.Summary{{CustomerID: "a", T: 3}, {CustomerID: "b", T: 4}}
	zero := []clv.Summary{{CustomerID: "a", Frequency: 1, Recency: 1, T: 3}}
	few := []clv.Summary{{CustomerID: "a", Frequency: 1, Recency: 1, T: 3, MonetaryValue: 10}}
	for _, c := range []struct {
		name string
		s    []clv.Summary
		want error
	}{
		{"no repeat buyers", none, clv.ErrNoRepeatBuyers},
		{"only zero values", zero, clv.ErrNoPositiveValues},
		{"one repeat buyer", few, clv.ErrTooFewCustomers},
	} {
		_, err := clv.FitGammaGamma(c.s)
		var fe *clv.FitError
		if !errors.Is(err, c.want) || !errors.As(err, &fe) || fe.Model != "Gamma-Gamma" {
			t.Errorf("%s: error %v, want a Gamma-Gamma *FitError wrapping %v", c.name, err, c.want)
		}
	}
}
