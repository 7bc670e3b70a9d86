// Package clvtest holds the CLV run as it was before orders were streamed,
// every order in memory at once, and CDNOW's orders dressed as a shop's, so
// that tests can prove a streamed run gives exactly the same models and
// scores.
package clvtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
)

// ScoreInMemory is clv.Score as it was before ScoreEach: every order in
// one slice, historical CLV, summaries, RFM and the forecast each computed
// over all of them by the package's whole-slice functions.
func ScoreInMemory(orders []clv.Order, opt clv.ScoreOptions) (clv.ModelRun, []clv.CustomerScore, error) {
	run := clv.ModelRun{End: opt.End, Period: opt.Period}
	var kept []clv.Order
	for _, o := range orders {
		if !o.OrderedAt.After(opt.End) {
			kept = append(kept, o)
		} else if clv.IsPurchase(o) {
			run.Later++
		}
	}
	hist, err := clv.HistoricalCLV(kept, clv.HistoricalOptions{End: opt.End, MarginRate: opt.MarginRate, AcquisitionCost: opt.AcquisitionCost})
	if err != nil {
		return run, nil, err
	}
	txs := clv.Transactions(kept, func(o clv.Order) float64 { return clv.OrderMargin(o, opt.MarginRate) })
	summaries, err := clv.Summarize(txs, clv.SummaryOptions{Period: opt.Period, End: opt.End, Location: opt.Location})
	if err != nil {
		return run, nil, err
	}
	run.Customers = len(summaries)
	rfm := clv.ScoreRFM(summaries)
	scores := make([]clv.CustomerScore, len(summaries))
	index := make(map[string]int, len(summaries))
	for i, s := range summaries {
		r := rfm[i]
		scores[i] = clv.CustomerScore{CustomerID: s.CustomerID, RepeatPurchases: s.Frequency,
			Recency: r.Recency, Frequency: r.Frequency, Monetary: r.Monetary, Segment: string(r.Segment)}
		index[s.CustomerID] = i
	}
	for _, h := range hist {
		if i, ok := index[h.CustomerID]; ok {
			sc := &scores[i]
			sc.Orders, sc.First, sc.Last, sc.Revenue, sc.Historical = h.Orders, h.First, h.Last, h.Revenue, h.Value
		}
	}
	preds, err := clv.Forecast(summaries, opt, &run)
	if err != nil {
		return run, nil, err
	}
	for i, p := range preds {
		sc := &scores[i]
		sc.HasModel, sc.Predicted, sc.PAlive, sc.Expected = true, p.CLV, p.PAlive, p.ExpectedPurchases
	}
	return run, scores, nil
}

// Zone is the time zone the CDNOW orders' days are cut in: five hours
// behind UTC, so that an order's day there is often not its UTC day.
var Zone = time.FixedZone("UTC-5", -5*3600)

// CDNOWOrders is CDNOW's 1/10 sample (clv/testdata/CDNOW_sample.txt, 6,919
// purchases of 2,357 customers) as a shop's orders, each at its own second
// of its day: one in 17 with a margin of its own, one in 23 partly
// refunded, one in 41 refunded in full, one in 31 cancelled and one in 37
// refunded by status.
func CDNOWOrders(t testing.TB) []clv.Order {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "testdata", "CDNOW_sample.txt")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []clv.Order
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			t.Fatalf("%s:%d: %d fields", path, i+1, len(f))
		}
		day, err := time.Parse("20060102", f[2])
		if err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		amount, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		id, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		o := clv.Order{ID: fmt.Sprintf("cdnow-%d", i), CustomerID: strconv.Itoa(id), Amount: amount, Currency: "USD", Status: clv.StatusPaid,
			OrderedAt: day.Add(time.Duration(i*7%24)*time.Hour + time.Duration(i)*time.Second)}
		switch {
		case i%17 == 0:
			m := amount * 0.3
			o.Margin = &m
		case i%23 == 0:
			o.Refunded = amount / 4
		case i%41 == 0:
			o.Refunded = amount
		case i%31 == 0:
			o.Status = clv.StatusCancelled
		case i%37 == 0:
			o.Status = clv.StatusRefunded
		}
		out = append(out, o)
	}
	return out
}

// CompareRuns fails t unless the two runs and their scores are the same,
// bit for bit, times compared as instants.
func CompareRuns(t testing.TB, got clv.ModelRun, gotScores []clv.CustomerScore, want clv.ModelRun, wantScores []clv.CustomerScore) {
	t.Helper()
	if g, w := runText(got), runText(want); g != w {
		t.Errorf("run:\n got %s\nwant %s", g, w)
	}
	if len(gotScores) != len(wantScores) {
		t.Fatalf("%d scores, want %d", len(gotScores), len(wantScores))
	}
	wrong := 0
	for i := range gotScores {
		if g, w := scoreText(gotScores[i]), scoreText(wantScores[i]); g != w {
			if wrong++; wrong <= 3 {
				t.Errorf("score %d:\n got %s\nwant %s", i, g, w)
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d scores differ", wrong, len(gotScores))
	}
}

// runText writes a run with every float as the shortest text that reads
// back as the same bits (so NaN equals NaN), the models dereferenced and
// times in UTC.
func runText(r clv.ModelRun) string {
	s := fmt.Sprintf("computed %v end %v period %v customers %d later %d error %q", r.ComputedAt.UTC(), r.End.UTC(), r.Period,
		r.Customers, r.Later, r.Error)
	if r.BGNBD != nil {
		s += fmt.Sprintf(" bgnbd %+v", *r.BGNBD)
	}
	if r.GammaGamma != nil {
		s += fmt.Sprintf(" gammagamma %+v", *r.GammaGamma)
	}
	return s
}

// scoreText writes a score as runText writes a run.
func scoreText(s clv.CustomerScore) string {
	s.First, s.Last = s.First.UTC(), s.Last.UTC()
	return fmt.Sprintf("%+v", s)
}
