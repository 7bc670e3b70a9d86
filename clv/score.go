package clv

import (
	"errors"
	"iter"
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
// why in ModelRun.Error. Scores are sorted by customer id. It is ScoreEach
// over OrdersByCustomer(orders).
func Score(orders []Order, opt ScoreOptions) (ModelRun, []CustomerScore, error) {
	run, scores, err := ScoreEach(OrdersByCustomer(orders), opt)
	if err != nil {
		return run, nil, err
	}
	out := make([]CustomerScore, 0, scores.Len())
	for sc := range scores.All() {
		out = append(out, sc)
	}
	return run, out, nil
}

// ScoreEach is Score over orders that come one customer at a time, such as
// from a database cursor: it keeps a compact row per customer (80 bytes
// and the id, with no pointer for the garbage collector to follow) and
// never more than one customer's orders, so a run over millions of orders
// needs memory for its customers only. The scores are yielded
// from the rows, by customer id, when asked for.
func ScoreEach(orders CustomerOrders, opt ScoreOptions) (ModelRun, *Scores, error) {
	run := ModelRun{End: opt.End, Period: opt.Period}
	b, err := newRunBuilder(opt)
	if err != nil {
		return run, nil, err
	}
	if err := orders(b.add); err != nil {
		return run, nil, err
	}
	run.Later = b.later
	if err := b.table.sort(); err != nil {
		return run, nil, err
	}
	run.Customers = b.table.Len()
	b.table.scoreRFM()
	scores := &Scores{table: &b.table, acquisitionCost: opt.AcquisitionCost}
	ok, err := fitModels(&b.table, &run)
	if err != nil {
		return run, nil, err
	}
	if !ok {
		return run, scores, nil
	}
	scores.bg, scores.gg, scores.clv = run.BGNBD.Model, run.GammaGamma.Model, opt.CLVOptions()
	if err := canPredict(&b.table, scores.gg, scores.clv); err != nil {
		return run, nil, err
	}
	scores.hasModel = true
	return run, scores, nil
}

// Scores are the customers a run scored, kept as compact rows: All gives
// each one's CustomerScore, computing predictions as it goes.
type Scores struct {
	table           *customerTable
	acquisitionCost float64
	hasModel        bool // the models below can predict
	bg              BGNBD
	gg              GammaGamma
	clv             CLVOptions
}

// Len is the number of customers scored.
func (s *Scores) Len() int { return s.table.Len() }

// OneTimeBuyers counts the one-time buyers among the scores (see
// CustomerScore.OneTimeBuyer).
func (s *Scores) OneTimeBuyers() int {
	n := 0
	for i := range s.table.Len() {
		if s.table.row(i).frequency == 0 {
			n++
		}
	}
	return n
}

// predictBlock is how many customers All predicts at once, on every CPU.
const predictBlock = 1 << 15

// All yields every customer's score, by customer id.
func (s *Scores) All() iter.Seq[CustomerScore] {
	return func(yield func(CustomerScore) bool) {
		n := s.table.Len()
		var preds []Prediction
		if s.hasModel {
			preds = make([]Prediction, min(n, predictBlock))
		}
		for lo := 0; lo < n; lo += predictBlock {
			hi := min(lo+predictBlock, n)
			if s.hasModel {
				predictRange(s.table, lo, s.bg, s.gg, s.clv, preds[:hi-lo])
			}
			for i := lo; i < hi; i++ {
				sc := s.table.score(i, s.acquisitionCost)
				if s.hasModel {
					p := &preds[i-lo]
					sc.HasModel, sc.Predicted, sc.PAlive, sc.Expected = true, p.CLV, p.PAlive, p.ExpectedPurchases
				}
				if !yield(sc) {
					return
				}
			}
		}
	}
}

// CLVOptions is the horizon and discounting of predicted CLV: HorizonMonths
// months of the model's period, discounted by DiscountRate a month.
func (o ScoreOptions) CLVOptions() CLVOptions {
	return MonthlyCLV(o.Period, o.HorizonMonths, o.DiscountRate)
}

// Forecast fits both models to summaries and predicts every customer over
// the horizon of opt, discounted (opt.CLVOptions), as ScoreEach does for
// the nightly run, with the same functions: hearth clv predict uses it on
// summary files. It records the fitted models in run. A data set too thin for a
// fit, or a fit that did not converge, is recorded in run.Error, not
// returned, and gives no predictions.
func Forecast(summaries []Summary, opt ScoreOptions, run *ModelRun) ([]Prediction, error) {
	ok, err := fitModels(summarySlice(summaries), run)
	if err != nil || !ok {
		return nil, err
	}
	return Predict(summaries, run.BGNBD.Model, run.GammaGamma.Model, opt.CLVOptions())
}

// FitModels is Forecast without the predictions, for a caller that wants
// the models only (hearth clv fit): it records them in run and fails as
// Forecast would, at a fraction of the cost.
func FitModels(summaries []Summary, opt ScoreOptions, run *ModelRun) error {
	ok, err := fitModels(summarySlice(summaries), run)
	if err != nil || !ok {
		return err
	}
	return canPredict(summarySlice(summaries), run.GammaGamma.Model, opt.CLVOptions())
}

// fitModels fits both models to s, records them in run and reports
// whether they may predict. A data set too thin for a fit, or a fit that
// did not converge, is recorded in run.Error, not returned.
func fitModels(s summarySet, run *ModelRun) (bool, error) {
	bg, err := fitBGNBD(s)
	if err == nil {
		run.BGNBD = &bg
		var gg GammaGammaFit
		if gg, err = fitGammaGamma(s); err == nil {
			run.GammaGamma = &gg
		}
	}
	if _, thin := errors.AsType[*FitError](err); thin {
		run.Error = err.Error()
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, info := range []FitInfo{run.BGNBD.Info, run.GammaGamma.Info} {
		if !info.Converged { // parameters the data cannot pin down: no predictions from them
			run.Error = "the model fit did not converge: " + info.Status
			return false, nil
		}
	}
	return true, nil
}
