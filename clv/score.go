package clv

import (
	"errors"
	"fmt"
	"time"
)

// CustomerScore is one customer's value after a CLV run: what Hearth
// stores and the rest of Hearth reads.
type CustomerScore struct {
	CustomerID string
	Orders     int       // paid orders counted
	First      time.Time // first paid order
	Last       time.Time // latest paid order
	Revenue    float64   // paid, net of refunds
	Historical float64   // margin to date minus the acquisition cost
	// RepeatPurchases is the number of purchase days (Month: months)
	// after the first: the summary's frequency. See OneTimeBuyer.
	RepeatPurchases int

	// The predictions, valid when HasModel: no model could be fitted
	// when the data were too thin.
	HasModel  bool
	Predicted float64 // discounted CLV over the horizon
	PAlive    float64 // probability the customer still buys
	Expected  float64 // expected purchases over the horizon

	Recency, Frequency, Monetary int    // RFM scores, 1-5
	Segment                      string // RFM segment, such as "Champions"
}

// ModelRun describes one CLV run: the models fitted (nil when the data
// could not support one, with the reason in Error) and the data they saw.
type ModelRun struct {
	ComputedAt time.Time
	End        time.Time // observation end
	Period     Period
	Customers  int
	// Later is how many paid orders were placed after End and left out
	// (orders dated ahead, such as by a shop whose clock runs fast).
	Later      int
	BGNBD      *BGNBDFit
	GammaGamma *GammaGammaFit
	Error      string
}

// ScoreOptions says how a CLV run counts money and time.
type ScoreOptions struct {
	End      time.Time      // observation end: later orders are left out
	Location *time.Location // where calendar days are cut; nil means UTC
	Period   Period         // the models' time unit
	// HorizonMonths and DiscountRate (per month) shape predicted CLV.
	HorizonMonths int
	DiscountRate  float64
	// MarginRate and AcquisitionCost shape historical CLV; MarginRate also
	// turns orders without a margin of their own into profit.
	MarginRate      float64
	AcquisitionCost float64
}

// Score runs the whole CLV pipeline over a shop's orders: historical CLV,
// summaries, RFM, and the BG/NBD and Gamma-Gamma fits with each customer's
// prediction, all in money of margin (profit). Orders placed after opt.End
// are left out and counted in ModelRun.Later. When the data cannot support
// a fit the run still scores every customer, without predictions, and says
// why in ModelRun.Error. Scores are sorted by customer id.
func Score(orders []Order, opt ScoreOptions) (ModelRun, []CustomerScore, error) {
	run := ModelRun{End: opt.End, Period: opt.Period}
	orders, run.Later = placedBy(orders, opt.End)
	hist, err := HistoricalCLV(orders, HistoricalOptions{End: opt.End, MarginRate: opt.MarginRate, AcquisitionCost: opt.AcquisitionCost})
	if err != nil {
		return run, nil, err
	}
	txs := Transactions(orders, func(o Order) float64 { return OrderMargin(o, opt.MarginRate) })
	summaries, err := Summarize(txs, SummaryOptions{Period: opt.Period, End: opt.End, Location: opt.Location})
	if err != nil {
		return run, nil, err
	}
	run.Customers = len(summaries)
	rfm := ScoreRFM(summaries)
	scores := make([]CustomerScore, len(summaries))
	index := make(map[string]int, len(summaries))
	for i, s := range summaries {
		r := rfm[i]
		scores[i] = CustomerScore{CustomerID: s.CustomerID, RepeatPurchases: s.Frequency,
			Recency: r.Recency, Frequency: r.Frequency, Monetary: r.Monetary, Segment: string(r.Segment)}
		index[s.CustomerID] = i
	}
	for _, h := range hist {
		if i, ok := index[h.CustomerID]; ok {
			sc := &scores[i]
			sc.Orders, sc.First, sc.Last, sc.Revenue, sc.Historical = h.Orders, h.First, h.Last, h.Revenue, h.Value
		}
	}
	if err := predictScores(summaries, scores, opt, &run); err != nil {
		return run, nil, err
	}
	return run, scores, nil
}

// placedBy returns the orders placed by end, and how many purchases were
// placed after it. The orders are not modified.
func placedBy(orders []Order, end time.Time) ([]Order, int) {
	later := 0
	for _, o := range orders {
		if o.OrderedAt.After(end) && IsPurchase(o) {
			later++
		}
	}
	if later == 0 {
		return orders, 0
	}
	kept := make([]Order, 0, len(orders)-later)
	for _, o := range orders {
		if !o.OrderedAt.After(end) {
			kept = append(kept, o)
		}
	}
	return kept, later
}

// CLVOptions is the horizon and discounting of predicted CLV: HorizonMonths
// months of the model's period, discounted by DiscountRate a month.
func (o ScoreOptions) CLVOptions() CLVOptions {
	return MonthlyCLV(o.Period, o.HorizonMonths, o.DiscountRate)
}

// Forecast fits both models to summaries and predicts every customer over
// the horizon of opt, discounted (opt.CLVOptions): the one computation of
// predicted CLV, behind the nightly run, hearth clv fit and hearth clv
// predict. It records the fitted models in run. A data set too thin for a
// fit, or a fit that did not converge, is recorded in run.Error, not
// returned, and gives no predictions.
func Forecast(summaries []Summary, opt ScoreOptions, run *ModelRun) ([]Prediction, error) {
	bg, err := FitBGNBD(summaries)
	if err == nil {
		run.BGNBD = &bg
		var gg GammaGammaFit
		if gg, err = FitGammaGamma(summaries); err == nil {
			run.GammaGamma = &gg
		}
	}
	if _, thin := errors.AsType[*FitError](err); thin {
		run.Error = err.Error()
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, info := range []FitInfo{run.BGNBD.Info, run.GammaGamma.Info} {
		if !info.Converged { // parameters the data cannot pin down: no predictions from them
			run.Error = "the model fit did not converge: " + info.Status
			return nil, nil
		}
	}
	return Predict(summaries, run.BGNBD.Model, run.GammaGamma.Model, opt.CLVOptions())
}

// predictScores forecasts every customer and fills in their predictions;
// without a model (run.Error says why) the scores have none.
func predictScores(summaries []Summary, scores []CustomerScore, opt ScoreOptions, run *ModelRun) error {
	preds, err := Forecast(summaries, opt, run)
	if err != nil {
		return err
	}
	for i, p := range preds {
		sc := &scores[i]
		if sc.CustomerID != p.CustomerID {
			return fmt.Errorf("clv: prediction %d is for %q, not %q", i, p.CustomerID, sc.CustomerID)
		}
		sc.HasModel, sc.Predicted, sc.PAlive, sc.Expected = true, p.CLV, p.PAlive, p.ExpectedPurchases
	}
	return nil
}
