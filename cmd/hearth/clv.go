package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
)

// clvFlags are the flags hearth clv fit and predict share.
type clvFlags struct {
	summary, orders, period, end string
	asJSON                       bool
	horizon                      int
	discount                     float64
	given                        map[string]bool // the flags on the command line
}

func (c *cli) clvFlagSet(name, synopsis, about string, withJSON bool) (*flag.FlagSet, *clvFlags) {
	fs := c.flags(name, synopsis, about)
	f := &clvFlags{}
	fs.StringVar(&f.summary, "summary", "", "fit a summary `FILE.csv` (customer_id, frequency, recency, T, monetary_value) instead of the database")
	fs.StringVar(&f.orders, "orders", "", "fit an order `FILE.csv` (as hearth import orders reads it) instead of the database")
	fs.StringVar(&f.period, "period", "", "time unit: day, week or month, to summarise --orders in or that a --summary file is in (default clv.period)")
	fs.StringVar(&f.end, "end", "", "observation end for --orders, as YYYY-MM-DD (default: the day of the last order)")
	if withJSON {
		fs.BoolVar(&f.asJSON, "json", false, "print JSON: bgnbd.{r,alpha,a,b,loglik,...} and gammagamma.{p,q,gamma,loglik,...}")
	} else {
		fs.IntVar(&f.horizon, "horizon-months", 0, "months predicted CLV looks ahead (default clv.horizon_months)")
		fs.Float64Var(&f.discount, "discount-rate", 0, "discount rate per month (default clv.discount_rate)")
	}
	return fs, f
}

// clvScoreOptions are the CLV options of the configuration: the nightly
// run, hearth clv fit and hearth clv predict all score with them, so that
// each customer's predicted CLV is the same whichever computed it.
func clvScoreOptions(cfg config.Config) (clv.ScoreOptions, error) {
	period, err := clv.ParsePeriod(cfg.CLV.Period)
	if err != nil {
		return clv.ScoreOptions{}, configError{fmt.Errorf("clv.period: %w", err)}
	}
	return clv.ScoreOptions{Period: period, HorizonMonths: cfg.CLV.HorizonMonths, DiscountRate: cfg.CLV.DiscountRate,
		MarginRate: cfg.CLV.MarginRate, AcquisitionCost: cfg.CLV.AcquisitionCost, Location: cfg.Location()}, nil
}

// note records which flags fs was given, so that only those override the
// configuration.
func (f *clvFlags) note(fs *flag.FlagSet) {
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
}

// scoreOptions are the configuration's CLV options with the flags given
// applied.
func (f *clvFlags) scoreOptions(cfg config.Config) (clv.ScoreOptions, error) {
	o, err := clvScoreOptions(cfg)
	if err != nil {
		return o, err
	}
	if f.given["period"] {
		if o.Period, err = clv.ParsePeriod(f.period); err != nil {
			return o, usageError{"clv: --period: " + err.Error()}
		}
	}
	if f.given["horizon-months"] {
		if f.horizon < 1 {
			return o, usageError{fmt.Sprintf("clv: --horizon-months must be at least 1, not %d", f.horizon)}
		}
		o.HorizonMonths = f.horizon
	}
	if f.given["discount-rate"] {
		if !(f.discount >= 0 && f.discount < 1) {
			return o, usageError{fmt.Sprintf("clv: --discount-rate must be a monthly rate from 0 up to 1, not %g", f.discount)}
		}
		o.DiscountRate = f.discount
	}
	if f.end != "" { // the whole day counts
		day, err := time.ParseInLocation(time.DateOnly, f.end, cfg.Location())
		if err != nil {
			return o, usageError{fmt.Sprintf("clv: --end %q is not a date as YYYY-MM-DD", f.end)}
		}
		o.End = day.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	switch {
	case f.summary != "" && f.orders != "":
		return o, usageError{"clv: give --summary or --orders, not both"}
	case f.summary != "" && f.end != "":
		return o, usageError{"clv: --end applies to --orders; a summary file is already summarised"}
	}
	return o, nil
}

func (c *cli) clvFit(ctx context.Context, args []string) error {
	fs, f := c.clvFlagSet("clv fit", "[--summary FILE.csv | --orders FILE.csv [--period week] [--end DATE]] [--json] [--config FILE]",
		"Fit the BG/NBD and Gamma-Gamma models and print their parameters, log-likelihood\n"+
			"and diagnostics. With a file, nothing else is touched. Without one, it runs the\n"+
			"nightly CLV job now: it scores every customer from the stored orders and saves\n"+
			"the snapshots the rest of Hearth reads.", true)
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	f.note(fs)
	opt, err := f.scoreOptions(cfg)
	if err != nil {
		return err
	}
	var (
		run    clv.ModelRun
		scores *clv.Scores // nil for a summary file
		linked = -1        // customers linked to members; -1 when not from the database
	)
	switch {
	case f.summary != "":
		if run, err = fitSummaryFile(f.summary, opt); err != nil {
			return err
		}
	case f.orders != "":
		if run, scores, err = c.scoreOrderFile(f.orders, opt); err != nil {
			return err
		}
	default:
		if run, scores, linked, err = c.refreshFromDatabase(ctx, cfg, opt); err != nil {
			return err
		}
		defer fmt.Fprintf(c.stderr, "saved the CLV of %s\n", plural(scores.Len(), "customer", "customers"))
	}
	oneTime := 0
	if scores != nil {
		oneTime = scores.OneTimeBuyers()
	}
	notes := thinDataNotes(run, oneTime)
	if linked >= 0 {
		notes = append(notes, tierNotes(linked, cfg.TierRules())...)
	}
	if f.asJSON {
		return writeFitJSON(c.stdout, run, notes)
	}
	writeFitText(c.stdout, run, notes)
	return nil
}

// scoreOrderFile scores an order file up to opt.End (zero: the day of its
// last order), as the nightly run scores the stored orders.
func (c *cli) scoreOrderFile(path string, opt clv.ScoreOptions) (clv.ModelRun, *clv.Scores, error) {
	file, err := os.Open(path)
	if err != nil {
		return clv.ModelRun{}, nil, err
	}
	defer file.Close()
	orders, err := c.readAllOrders(path, file)
	if err != nil {
		return clv.ModelRun{}, nil, err
	}
	if opt.End.IsZero() {
		opt.End = lastOrder(orders)
	}
	run, scores, err := clv.ScoreEach(clv.OrdersByCustomer(orders), opt)
	if err != nil {
		return run, nil, fmt.Errorf("%s: %w", path, err)
	}
	return run, scores, nil
}

// refreshFromDatabase runs the CLV job now, waiting for a run in progress
// on another replica, and counts the customers linked to members.
func (c *cli) refreshFromDatabase(ctx context.Context, cfg config.Config, opt clv.ScoreOptions) (clv.ModelRun, *clv.Scores, int, error) {
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return clv.ModelRun{}, nil, 0, err
	}
	defer done()
	var run clv.ModelRun
	var scores *clv.Scores
	err = store.RunExclusive(ctx, clvJob, func(ctx context.Context) error {
		run, scores, err = refreshCLV(ctx, store, opt, c.now())
		return err
	})
	if err != nil {
		return run, nil, 0, err
	}
	linked, err := store.LinkedCustomers(ctx)
	return run, scores, linked, err
}

// refreshCLV links customers by the ids on their orders, then scores every
// customer and saves the run: the nightly job's work.
func refreshCLV(ctx context.Context, store *storage.Store, opt clv.ScoreOptions, now time.Time) (clv.ModelRun, *clv.Scores, error) {
	if _, err := store.LinkByOrderIDs(ctx); err != nil {
		return clv.ModelRun{}, nil, err
	}
	defer collectOften()()
	run, scores, err := clv.Refresh(ctx, store, opt, now)
	if err != nil {
		return run, scores, err
	}
	// The ideas board's value view sums its voters' worth: value them
	// again now, so that the first staff member to look does not wait.
	return run, scores, store.RevalueItems(ctx, now.Add(-feedback.Year))
}

// clvGCPercent is the GOGC a CLV run over the stored orders runs with. The
// run keeps about 100 bytes a customer while every order streams past as
// garbage: with the default GOGC of 100 the heap would grow to twice what
// it keeps between collections (a peak of 564 MB for 2.3 million customers,
// against 383 MB at 25). What it keeps holds no pointers, so collecting
// four times as often costs little.
const clvGCPercent = 25

// collectOften sets GOGC to clvGCPercent, unless it is lower or off, and
// returns the function that puts it back.
func collectOften() (restore func()) {
	old := debug.SetGCPercent(clvGCPercent)
	if old < clvGCPercent {
		debug.SetGCPercent(old)
	}
	return func() { debug.SetGCPercent(old) }
}

// fitSummaryFile reads a summary file and fits the models to it with
// clv.FitModels, as the nightly run does: the models, or why there are
// none (run.Error).
func fitSummaryFile(path string, opt clv.ScoreOptions) (clv.ModelRun, error) {
	summaries, _, err := readSummaryFile(path)
	if err != nil {
		return clv.ModelRun{}, err
	}
	run := clv.ModelRun{Customers: len(summaries)}
	if err := clv.FitModels(summaries, opt, &run); err != nil {
		return run, fmt.Errorf("%s: %w", path, err)
	}
	return run, nil
}

// forecastSummaryFile reads a summary file and forecasts its customers
// with clv.Forecast, as the nightly run does: the models, or why there are
// none (run.Error), and the predictions. A file without monetary_value is
// refused: predictions need it.
func forecastSummaryFile(path string, opt clv.ScoreOptions) (clv.ModelRun, []clv.Summary, []clv.Prediction, error) {
	summaries, monetary, err := readSummaryFile(path)
	if err != nil {
		return clv.ModelRun{}, nil, nil, err
	}
	if !monetary {
		return clv.ModelRun{}, nil, nil, fmt.Errorf("%s: predicting CLV needs a monetary_value column", path)
	}
	run := clv.ModelRun{Customers: len(summaries)}
	preds, err := clv.Forecast(summaries, opt, &run)
	if err != nil {
		return run, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return run, summaries, preds, nil
}

func writeFitText(w io.Writer, run clv.ModelRun, notes []string) {
	fmt.Fprintf(w, "customers: %d\n", run.Customers)
	if bg := run.BGNBD; bg != nil {
		m, se := bg.Model, bg.StdErr
		fmt.Fprintf(w, "BG/NBD       r=%.6f alpha=%.6f a=%.6f b=%.6f\n", m.R, m.Alpha, m.A, m.B)
		fmt.Fprintf(w, "  std. err.  r=%.6f alpha=%.6f a=%.6f b=%.6f\n", se.R, se.Alpha, se.A, se.B)
		writeFitInfo(w, bg.Info)
	}
	if gg := run.GammaGamma; gg != nil {
		m, se := gg.Model, gg.StdErr
		fmt.Fprintf(w, "Gamma-Gamma  p=%.6f q=%.6f gamma=%.6f\n", m.P, m.Q, m.Gamma)
		fmt.Fprintf(w, "  std. err.  p=%.6f q=%.6f gamma=%.6f\n", se.P, se.Q, se.Gamma)
		writeFitInfo(w, gg.Info)
	}
	if run.Error != "" {
		fmt.Fprintf(w, "no predictions: %s\n", run.Error)
	}
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

func writeFitInfo(w io.Writer, info clv.FitInfo) {
	converged := "converged"
	if !info.Converged {
		converged = "NOT converged (" + info.Status + ")"
	}
	fmt.Fprintf(w, "  log-likelihood %.2f, %s after %s, %s", info.LogLikelihood, converged,
		plural(info.Iterations, "iteration", "iterations"), plural(info.Customers, "customer", "customers"))
	if info.Excluded > 0 {
		fmt.Fprintf(w, " (%d left out: non-positive values)", info.Excluded)
	}
	fmt.Fprintln(w)
}

// fitJSON is the --json form of a model: parameters, log-likelihood and
// diagnostics side by side. A number JSON cannot hold (the NaN standard
// errors of a fit that did not converge) is null.
func fitJSON(params map[string]float64, stdErr map[string]float64, info clv.FitInfo) map[string]any {
	out := map[string]any{"loglik": jsonNumber(info.LogLikelihood), "converged": info.Converged, "iterations": info.Iterations,
		"customers": info.Customers, "excluded": info.Excluded, "status": info.Status}
	se := make(map[string]any, len(stdErr))
	for k, v := range stdErr {
		se[k] = jsonNumber(v)
	}
	out["std_err"] = se
	for k, v := range params {
		out[k] = jsonNumber(v)
	}
	return out
}

// jsonNumber is v, or nil (null) for NaN and infinities.
func jsonNumber(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func writeFitJSON(w io.Writer, run clv.ModelRun, notes []string) error {
	out := map[string]any{"customers": run.Customers}
	if run.Error != "" {
		out["error"] = run.Error
	}
	if len(notes) > 0 {
		out["notes"] = notes
	}
	if bg := run.BGNBD; bg != nil {
		out["bgnbd"] = fitJSON(map[string]float64{"r": bg.Model.R, "alpha": bg.Model.Alpha, "a": bg.Model.A, "b": bg.Model.B},
			map[string]float64{"r": bg.StdErr.R, "alpha": bg.StdErr.Alpha, "a": bg.StdErr.A, "b": bg.StdErr.B}, bg.Info)
	}
	if gg := run.GammaGamma; gg != nil {
		out["gammagamma"] = fitJSON(map[string]float64{"p": gg.Model.P, "q": gg.Model.Q, "gamma": gg.Model.Gamma},
			map[string]float64{"p": gg.StdErr.P, "q": gg.StdErr.Q, "gamma": gg.StdErr.Gamma}, gg.Info)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func (c *cli) clvPredict(ctx context.Context, args []string) error {
	fs, f := c.clvFlagSet("clv predict", "[--summary FILE.csv | --orders FILE.csv [--period week] [--end DATE]] [--horizon-months N] [--discount-rate R] [--config FILE]",
		"Write each customer's predictions as CSV on standard output: P(alive), expected\n"+
			"purchases and discounted CLV over the horizon. With --orders or from the database\n"+
			"(the stored orders; nothing is saved), also historical CLV and the RFM segment.", false)
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	f.note(fs)
	opt, err := f.scoreOptions(cfg)
	if err != nil {
		return err
	}
	if f.summary != "" {
		return c.predictSummaries(f.summary, opt)
	}
	var scores *clv.Scores
	var run clv.ModelRun
	if f.orders != "" {
		run, scores, err = c.scoreOrderFile(f.orders, opt)
	} else {
		defer collectOften()()
		run, scores, err = c.scoreFromDatabase(ctx, cfg, opt)
	}
	if err != nil {
		return err
	}
	if run.Error != "" {
		fmt.Fprintf(c.stderr, "no predictions: %s\n", run.Error)
	}
	for _, n := range thinDataNotes(run, scores.OneTimeBuyers()) {
		fmt.Fprintf(c.stderr, "note: %s\n", n)
	}
	return writeScoresCSV(c.stdout, scores.All())
}

// lastOrder is when the latest of orders was placed: the default
// observation end of an order file.
func lastOrder(orders []clv.Order) time.Time {
	var last time.Time
	for _, o := range orders {
		if o.OrderedAt.After(last) {
			last = o.OrderedAt
		}
	}
	return last
}

// scoreFromDatabase scores the stored orders without saving anything.
func (c *cli) scoreFromDatabase(ctx context.Context, cfg config.Config, opt clv.ScoreOptions) (clv.ModelRun, *clv.Scores, error) {
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return clv.ModelRun{}, nil, err
	}
	defer done()
	opt.End = c.now()
	return clv.ScoreEach(func(yield func([]clv.Order) error) error { return store.EachCustomerOrders(ctx, yield) }, opt)
}

// predictSummaries fits a summary file and writes its predictions.
func (c *cli) predictSummaries(path string, opt clv.ScoreOptions) error {
	run, summaries, preds, err := forecastSummaryFile(path, opt)
	if err != nil {
		return err
	}
	if run.Error != "" {
		return fmt.Errorf("%s: no predictions: %s", path, run.Error)
	}
	w := csv.NewWriter(c.stdout)
	w.Write([]string{"customer_id", "frequency", "recency", "T", "monetary_value", "p_alive", "expected_purchases", "expected_average_value", "clv"})
	for i, p := range preds {
		s := summaries[i]
		w.Write([]string{s.CustomerID, strconv.Itoa(s.Frequency), num(s.Recency), num(s.T), num(s.MonetaryValue),
			num(p.PAlive), num(p.ExpectedPurchases), num(p.ExpectedAverageValue), num(p.CLV)})
	}
	w.Flush()
	return w.Error()
}

func writeScoresCSV(out io.Writer, scores iter.Seq[clv.CustomerScore]) error {
	w := csv.NewWriter(out)
	w.Write([]string{"customer_id", "orders", "first_order", "last_order", "revenue", "historical_clv", "predicted_clv",
		"p_alive", "expected_purchases", "rfm_recency", "rfm_frequency", "rfm_monetary", "segment"})
	for s := range scores {
		predicted, alive, expected := "", "", ""
		if s.HasModel {
			predicted, alive, expected = num(s.Predicted), num(s.PAlive), num(s.Expected)
		}
		w.Write([]string{s.CustomerID, strconv.Itoa(s.Orders), s.First.UTC().Format(time.RFC3339), s.Last.UTC().Format(time.RFC3339),
			num(s.Revenue), num(s.Historical), predicted, alive, expected,
			strconv.Itoa(s.Recency), strconv.Itoa(s.Frequency), strconv.Itoa(s.Monetary), s.Segment})
	}
	w.Flush()
	return w.Error()
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
