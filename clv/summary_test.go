package clv_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
)

func TestSummarizeRebuildsCDNOWSummary(t *testing.T) {
	txs := readCDNOWSample(t)
	got, err := clv.Summarize(txs, clv.SummaryOptions{Period: clv.Week, End: cdnowEnd})
	if err != nil {
		t.Fatal(err)
	}
	want := readSummaries(t, "cdnow_customers_summary_with_transactions.csv", 0)
	if len(got) != len(want) {
		t.Fatalf("%d summaries, want %d", len(got), len(want))
	}
	byID := make(map[string]clv.Summary, len(got))
	var orders, days int
	var total float64
	for i, s := range got {
		if i > 0 && got[i-1].CustomerID >= s.CustomerID {
			t.Fatalf("summaries not sorted by customer id: %q before %q", got[i-1].CustomerID, s.CustomerID)
		}
		byID[s.CustomerID] = s
		orders += s.Orders
		days += s.Frequency + 1
		total += s.Total
	}
	// The README's totals up to 1997-09-30.
	if orders != 4960 || days != 4814 || math.Abs(total-173115.55) > 0.005 {
		t.Errorf("%d transactions on %d customer-days worth %.2f, want 4960 on 4814 worth 173115.55", orders, days, total)
	}
	// The files round to 2 decimals, halves up or down as their binary
	// value fell: allow half a cent.
	rounds := func(v, to float64) bool { return math.Abs(v-to) <= 0.005+1e-9 }
	for _, w := range want {
		g := byID[w.CustomerID]
		if g.Frequency != w.Frequency || !rounds(g.Recency, w.Recency) || !rounds(g.T, w.T) ||
			!rounds(g.MonetaryValue, w.MonetaryValue) {
			t.Errorf("customer %s: got x=%d t_x=%.4f T=%.4f m=%.4f, want %d %.2f %.2f %.2f", w.CustomerID,
				g.Frequency, g.Recency, g.T, g.MonetaryValue, w.Frequency, w.Recency, w.T, w.MonetaryValue)
		}
	}
}

// day is midnight UTC of a day of 2024 plus hours.
func day(month time.Month, d, hours int) time.Time {
	return time.Date(2024, month, d, hours, 0, 0, 0, time.UTC)
}

func TestSummarizeMergesSamePeriodPurchases(t *testing.T) {
	txs := []clv.Transaction{
		{CustomerID: "b", At: day(1, 10, 9), Value: 5},
		{CustomerID: "a", At: day(1, 1, 9), Value: 10},
		{CustomerID: "a", At: day(1, 1, 18), Value: 2}, // same day as the first: not a repeat
		{CustomerID: "a", At: day(1, 8, 10), Value: 20},
		{CustomerID: "a", At: day(1, 8, 11), Value: 4}, // merged with the one above
		{CustomerID: "a", At: day(1, 22, 23), Value: 30},
		{CustomerID: "a", At: day(2, 1, 0), Value: 99}, // after End's day
	}
	end := day(1, 29, 12)
	cases := []struct {
		period clv.Period
		want   clv.Summary
	}{
		{clv.Day, clv.Summary{CustomerID: "a", Frequency: 2, Recency: 21, T: 28, MonetaryValue: 27}},
		{clv.Week, clv.Summary{CustomerID: "a", Frequency: 2, Recency: 3, T: 4, MonetaryValue: 27}},
		// In months everything up to End is January: one purchase period.
		{clv.Month, clv.Summary{CustomerID: "a", Frequency: 0, Recency: 0, T: 0, MonetaryValue: 0}},
	}
	for _, c := range cases {
		got, err := clv.Summarize(txs, clv.SummaryOptions{Period: c.period, End: end})
		if err != nil {
			t.Fatal(err)
		}
		a := got[0]
		if a.CustomerID != "a" || a.Frequency != c.want.Frequency || a.Recency != c.want.Recency ||
			a.T != c.want.T || a.MonetaryValue != c.want.MonetaryValue {
			t.Errorf("%v: %+v, want %+v", c.period, a, c.want)
		}
		if a.Orders != 5 || a.Total != 66 || !a.First.Equal(day(1, 1, 9)) || !a.Last.Equal(day(1, 22, 23)) {
			t.Errorf("%v: orders %d total %v first %v last %v, want 5, 66, Jan 1 09:00, Jan 22 23:00",
				c.period, a.Orders, a.Total, a.First, a.Last)
		}
		if len(got) != 2 || got[1].CustomerID != "b" || got[1].Frequency != 0 {
			t.Errorf("%v: customers %+v, want a then b with no repeat", c.period, got)
		}
	}
}

func TestSummarizeMonthsAreCalendarMonths(t *testing.T) {
	txs := []clv.Transaction{
		{CustomerID: "a", At: day(1, 31, 12), Value: 1},
		{CustomerID: "a", At: day(2, 1, 12), Value: 2},
		{CustomerID: "a", At: day(2, 28, 12), Value: 3},
		{CustomerID: "a", At: day(4, 2, 12), Value: 4},
	}
	got, err := clv.Summarize(txs, clv.SummaryOptions{Period: clv.Month, End: day(6, 30, 0)})
	if err != nil {
		t.Fatal(err)
	}
	want := clv.Summary{CustomerID: "a", Frequency: 2, Recency: 3, T: 5, MonetaryValue: 4.5}
	if g := got[0]; g.Frequency != want.Frequency || g.Recency != want.Recency || g.T != want.T || g.MonetaryValue != want.MonetaryValue {
		t.Errorf("got %+v, want %+v", g, want)
	}
}

func TestSummarizeCutsDaysInItsLocation(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	// 23:30 UTC on Jan 1 is already Jan 2 in Athens.
	txs := []clv.Transaction{
		{CustomerID: "a", At: day(1, 1, 20), Value: 1},
		{CustomerID: "a", At: day(1, 1, 23).Add(30 * time.Minute), Value: 1},
	}
	for _, c := range []struct {
		loc  *time.Location
		want int
	}{{nil, 0}, {athens, 1}} {
		got, err := clv.Summarize(txs, clv.SummaryOptions{Period: clv.Day, End: day(1, 10, 0), Location: c.loc})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Frequency != c.want {
			t.Errorf("location %v: frequency %d, want %d", c.loc, got[0].Frequency, c.want)
		}
	}
}

func TestSummarizeRefusesMissingOptionsAndBadTransactions(t *testing.T) {
	good := []clv.Transaction{{CustomerID: "a", At: day(1, 1, 0), Value: 1}}
	if _, err := clv.Summarize(good, clv.SummaryOptions{End: day(2, 1, 0)}); !errors.Is(err, clv.ErrNoPeriod) {
		t.Errorf("no period: error %v, want ErrNoPeriod", err)
	}
	for _, c := range []struct {
		name string
		txs  []clv.Transaction
		opt  clv.SummaryOptions
		want string
	}{
		{"no end", good, clv.SummaryOptions{Period: clv.Day}, "End"},
		{"no customer", []clv.Transaction{{At: day(1, 1, 0)}}, clv.SummaryOptions{Period: clv.Day, End: day(2, 1, 0)}, "transaction 0 has no customer"},
		{"NaN value", []clv.Transaction{{CustomerID: "x", Value: math.NaN()}}, clv.SummaryOptions{Period: clv.Day, End: day(2, 1, 0)}, `customer "x"`},
	} {
		if _, err := clv.Summarize(c.txs, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	for s, want := range map[string]clv.Period{"day": clv.Day, " Week ": clv.Week, "MONTH": clv.Month} {
		if got, err := clv.ParsePeriod(s); err != nil || got != want || !got.Valid() {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if p, err := clv.ParsePeriod("fortnight"); err == nil || p.Valid() {
		t.Errorf("ParsePeriod(fortnight) = %v, %v; want an error", p, err)
	}
	if got := clv.Week.String(); got != "week" {
		t.Errorf("Week.String() = %q", got)
	}
}

func TestTransactionsFromOrdersCountPurchasesOnly(t *testing.T) {
	margin := 6.0
	at := day(3, 1, 0)
	orders := []clv.Order{
		{ID: "1", CustomerID: "a", OrderedAt: at, Amount: 20, Status: clv.StatusPaid, Margin: &margin},
		{ID: "2", CustomerID: "a", OrderedAt: at, Amount: 20, Refunded: 5},                          // paid (empty status), partly refunded
		{ID: "3", CustomerID: "a", OrderedAt: at, Amount: 20, Refunded: 20, Status: clv.StatusPaid}, // nothing kept
		{ID: "4", CustomerID: "a", OrderedAt: at, Amount: 20, Status: clv.StatusCancelled},
		{ID: "5", CustomerID: "a", OrderedAt: at, Amount: 20, Status: clv.StatusRefunded},
		{ID: "6", CustomerID: "a", OrderedAt: at, Amount: 0, Status: clv.StatusPaid}, // free: still a purchase
	}
	revenue := clv.Transactions(orders, clv.Order.Value)
	if len(revenue) != 3 || revenue[0].Value != 20 || revenue[1].Value != 15 || revenue[2].Value != 0 || !revenue[0].At.Equal(at) {
		t.Errorf("revenue transactions %+v, want values 20, 15 and 0", revenue)
	}
	profit := clv.Transactions(orders, func(o clv.Order) float64 { return clv.OrderMargin(o, 0.5) })
	if len(profit) != 3 || profit[0].Value != 6 || profit[1].Value != 7.5 || profit[2].Value != 0 {
		t.Errorf("margin transactions %+v, want values 6, 7.5 and 0", profit)
	}
}

func TestModelsFitTheirOwnCDNOWSummaries(t *testing.T) {
	s, err := clv.Summarize(readCDNOWSample(t), clv.SummaryOptions{Period: clv.Week, End: cdnowEnd})
	if err != nil {
		t.Fatal(err)
	}
	bg, err := clv.FitBGNBD(s)
	if err != nil {
		t.Fatal(err)
	}
	gg, err := clv.FitGammaGamma(s)
	if err != nil {
		t.Fatal(err)
	}
	// Unrounded times move the estimates a little from the published ones.
	b, g := bg.Model, gg.Model
	if !near(b.R, 0.2426, 5e-4) || !near(b.Alpha, 4.414, 5e-4) || !near(b.A, 0.7929, 5e-4) || !near(b.B, 2.426, 5e-4) ||
		!near(g.P, 6.2488, 5e-4) || !near(g.Q, 3.7446, 5e-4) || !near(g.Gamma, 15.4477, 5e-4) {
		t.Errorf("BG/NBD %+v, Gamma-Gamma %+v: want the published estimates within 0.05%%", b, g)
	}
}
