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
// Options that do not Validate give NaN.
func (m BGNBD) DiscountedValue(x int, tx, T, value float64, opt CLVOptions) float64 {
	if opt.Validate() != nil {
		return math.NaN()
	}
	purchases, _ := m.discountedPurchases(x, T, opt, make([]float64, 3*opt.Steps))
	return value * m.PAlive(x, tx, T) * purchases
}

// discountedPurchases is the discounted sum of the expected purchases of
// each step while alive, and the undiscounted total over the horizon;
// scratch holds 3·Steps numbers.
func (m BGNBD) discountedPurchases(x int, T float64, opt CLVOptions, scratch []float64) (discounted, total float64) {
	cum := scratch[:opt.Steps]
	m.expectedWhileAliveSteps(x, T, opt.PeriodsPerStep, cum, scratch[opt.Steps:])
	discount := 1.0
	for _, cur := range cum {
		discount /= 1 + opt.DiscountRate
		discounted += (cur - total) * discount
		total = cur
	}
	return discounted, total
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
	if err := canPredict(summarySlice(s), gg, opt); err != nil {
		return nil, err
	}
	out := make([]Prediction, len(s))
	predictRange(summarySlice(s), 0, bg, gg, opt, out)
	return out, nil
}

// canPredict is why Predict would fail on s, gg and opt, or nil.
func canPredict(s summarySet, gg GammaGamma, opt CLVOptions) error {
	if err := opt.Validate(); err != nil {
		return err
	}
	if !(gg.Q > 1) {
		return errors.New("clv: the Gamma-Gamma model has q <= 1, so its mean purchase value is infinite")
	}
	_, err := checkSummaries(s)
	return err
}

// predictRange predicts the customers of s from index lo into out, one
// each, using every CPU. canPredict must have accepted s, gg and opt.
func predictRange(s summarySet, lo int, bg BGNBD, gg GammaGamma, opt CLVOptions, out []Prediction) {
	parallel(len(out), func(from, to, _ int) {
		scratch := make([]float64, 3*opt.Steps)
		for i := from; i < to; i++ {
			c := s.summary(lo + i)
			alive := bg.PAlive(c.Frequency, c.Recency, c.T)
			value := gg.ExpectedAverageValue(c.Frequency, c.MonetaryValue)
			discounted, total := bg.discountedPurchases(c.Frequency, c.T, opt, scratch)
			out[i] = Prediction{
				CustomerID:           c.CustomerID,
				PAlive:               alive,
				ExpectedPurchases:    alive * total,
				ExpectedAverageValue: value,
				CLV:                  value * alive * discounted,
			}
		}
	})
}
