package clv

import (
	"errors"
	"fmt"
	"math"
)

// CLVOptions says how far ahead discounted CLV looks and how it discounts.
// Nothing is implied: a model fitted in weeks and a horizon in months need
// PeriodsPerStep to say how many weeks a month is.
type CLVOptions struct {
	// Steps is the horizon in discounting steps, such as 12 for a year of
	// months.
	Steps int
	// PeriodsPerStep is how many of the model's periods make one step,
	// such as Week.PeriodsPerMonth() (4.348) or LifetimesWeeksPerMonth
	// (4.345) for monthly steps of a weekly model.
	PeriodsPerStep float64
	// DiscountRate is the discount rate per step, such as 0.01 for 1% a
	// month; 0 does not discount.
	DiscountRate float64
}

// MonthlyCLV is the CLVOptions for a horizon of whole months and a monthly
// discount rate, for models fitted in period p, with months of average
// calendar length (p.PeriodsPerMonth).
func MonthlyCLV(p Period, months int, monthlyRate float64) CLVOptions {
	return CLVOptions{Steps: months, PeriodsPerStep: p.PeriodsPerMonth(), DiscountRate: monthlyRate}
}

// Validate reports the first option that cannot be used.
func (o CLVOptions) Validate() error {
	switch {
	case o.Steps < 1:
		return fmt.Errorf("clv: the CLV horizon must be at least 1 step, not %d", o.Steps)
	case !(o.PeriodsPerStep > 0) || math.IsInf(o.PeriodsPerStep, 0):
		return fmt.Errorf("clv: periods per CLV step must be a positive number, not %v", o.PeriodsPerStep)
	case !(o.DiscountRate >= 0) || math.IsInf(o.DiscountRate, 0):
		return fmt.Errorf("clv: the discount rate must be a number >= 0, not %v", o.DiscountRate)
	}
	return nil
}

// Horizon is the length of the horizon in the model's periods.
func (o CLVOptions) Horizon() float64 { return float64(o.Steps) * o.PeriodsPerStep }

// DiscountedValue is the discounted value of a customer's expected future
// purchases, each worth value, over the horizon of opt:
//
//	Σ_{k=1..Steps} value · (E[Y(k·s)] − E[Y((k−1)·s)]) / (1+d)^k
//
// with s = PeriodsPerStep, d = DiscountRate and E[Y] the conditional
// expected purchases. It is what lifetimes' customer_lifetime_value
// computes, where a step is a month of 30 days, 4.345 weeks or 1 month.
// Options are not checked here; Predict checks them.
func (m BGNBD) DiscountedValue(x int, tx, T, value float64, opt CLVOptions) float64 {
	alive := m.PAlive(x, tx, T)
	var sum, prev float64
	discount := 1.0
	for k := 1; k <= opt.Steps; k++ {
		discount /= 1 + opt.DiscountRate
		cur := m.expectedWhileAlive(float64(k)*opt.PeriodsPerStep, x, T)
		sum += (cur - prev) * discount
		prev = cur
	}
	return value * alive * sum
}

// Prediction is what the models expect of one customer.
type Prediction struct {
	CustomerID string
	PAlive     float64 // probability the customer has not dropped out
	// ExpectedPurchases is the number of purchases expected over the
	// whole horizon.
	ExpectedPurchases float64
	// ExpectedAverageValue is the Gamma-Gamma expected value of one future
	// purchase.
	ExpectedAverageValue float64
	// CLV is the discounted value of the expected purchases over the
	// horizon, in the money of the transactions summarised (revenue or
	// margin).
	CLV float64
}

// Predict applies fitted models to every summary, in order, using every
// CPU: the probability each customer is alive, their expected purchases
// and average purchase value, and their discounted CLV over the horizon of
// opt. It fails on invalid options, on a Gamma-Gamma model whose population
// mean is infinite (q <= 1), and with a *SummaryError on an unusable
// summary.
func Predict(s []Summary, bg BGNBD, gg GammaGamma, opt CLVOptions) ([]Prediction, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if !(gg.Q > 1) {
		return nil, errors.New("clv: the Gamma-Gamma model has q <= 1, so its mean purchase value is infinite")
	}
	if _, err := checkSummaries(s); err != nil {
		return nil, err
	}
	out := make([]Prediction, len(s))
	horizon := opt.Horizon()
	parallel(len(s), func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			c := &s[i]
			value := gg.ExpectedAverageValue(c.Frequency, c.MonetaryValue)
			out[i] = Prediction{
				CustomerID:           c.CustomerID,
				PAlive:               bg.PAlive(c.Frequency, c.Recency, c.T),
				ExpectedPurchases:    bg.ConditionalExpectedPurchases(horizon, c.Frequency, c.Recency, c.T),
				ExpectedAverageValue: value,
				CLV:                  bg.DiscountedValue(c.Frequency, c.Recency, c.T, value, opt),
			}
		}
	})
	return out, nil
}
