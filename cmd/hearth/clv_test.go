package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

// cdnowOrdersFile writes CDNOW's sample as an order file: one order per
// transaction line.
func cdnowOrdersFile(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "CDNOW_sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("order_id,customer_id,ordered_at,amount\n")
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.Fields(line)
		id, _ := strconv.Atoi(f[1])
		fmt.Fprintf(&b, "%d,%d,%s-%s-%s,%s\n", i+1, id, f[2][:4], f[2][4:6], f[2][6:], f[4])
	}
	return writeTemp(t, "cdnow_orders.csv", b.String())
}

type fitOutput struct {
	Customers int
	Notes     []string
	BGNBD     struct {
		R, Alpha, A, B, Loglik float64
		Converged              bool
	}
	GammaGamma struct{ P, Q, Gamma float64 }
}

func fitJSONOf(t *testing.T, env map[string]string, args ...string) fitOutput {
	t.Helper()
	code, stdout, stderr := inProcess(t, env, append([]string{"clv", "fit", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("clv fit %v: exit %d: %s", args, code, stderr)
	}
	var out fitOutput
	if err := json.Unmarshal([]byte(strings.ReplaceAll(stdout, "gammagamma", "GammaGamma")), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	return out
}

func near(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.6f, want %.6f", name, got, want)
	}
}

// TestCLVFitReproducesCDNOW: hearth clv fit on CDNOW's summary and on its
// transactions as an order file gives the published parameters.
func TestCLVFitReproducesCDNOW(t *testing.T) {
	out := fitJSONOf(t, nil, "--summary", filepath.Join("testdata", "cdnow_customers_summary_with_transactions.csv"))
	near(t, "r", out.BGNBD.R, 0.242593, 1e-4)
	near(t, "alpha", out.BGNBD.Alpha, 4.413532, 1e-4)
	near(t, "a", out.BGNBD.A, 0.792886, 1e-4)
	near(t, "b", out.BGNBD.B, 2.425752, 1e-4)
	near(t, "loglik", out.BGNBD.Loglik, -9582.43, 1e-6)
	near(t, "p", out.GammaGamma.P, 6.2488, 1e-4)
	near(t, "q", out.GammaGamma.Q, 3.7446, 1e-4)
	near(t, "gamma", out.GammaGamma.Gamma, 15.4477, 1e-4)
	if out.Customers != 2357 || !out.BGNBD.Converged {
		t.Errorf("customers %d, converged %t", out.Customers, out.BGNBD.Converged)
	}
	fromOrders := fitJSONOf(t, nil, "--orders", cdnowOrdersFile(t), "--period", "week", "--end", "1997-09-30")
	near(t, "r from orders", fromOrders.BGNBD.R, 0.2426, 1e-3)
	near(t, "p from orders", fromOrders.GammaGamma.P, 6.2488, 1e-3)

	code, stdout, _ := inProcess(t, nil, "clv", "fit", "--summary", filepath.Join("testdata", "cdnow_customers_summary_with_transactions.csv"))
	if code != 0 || !strings.Contains(stdout, "BG/NBD       r=0.2425") || !strings.Contains(stdout, "log-likelihood -9582.43, converged") {
		t.Errorf("text output:\n%s", stdout)
	}
}

// TestCLVPredictWritesTheCDNOWCLV: predictions for the CDNOW summary
// carry the published 12-month CLV of customers 1 and 6.
func TestCLVPredictWritesTheCDNOWCLV(t *testing.T) {
	code, stdout, stderr := inProcess(t, nil, "clv", "predict", "--summary", filepath.Join("testdata", "cdnow_customers_summary_with_transactions.csv"),
		"--horizon-months", "12", "--discount-rate", "0.01")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || len(rows) != 2358 || rows[0][8] != "clv" {
		t.Fatalf("%d rows, %v: %v", len(rows), err, rows[0])
	}
	for _, c := range []struct {
		row  int
		want float64
	}{{1, 36.28}, {6, 283.52}, {9, 43.35}} {
		got, _ := strconv.ParseFloat(rows[c.row][8], 64)
		near(t, "CLV of customer "+rows[c.row][0], got, c.want, 2e-3) // our month is 4.348 weeks, lifetimes' 4.345
	}
}

// TestCLVFitFromTheDatabaseSavesSnapshots: imported orders are scored by
// hearth clv fit, which saves a snapshot per customer and the model; clv
// predict reads the same orders without saving anything.
//
// Both compute predicted CLV the one way, discounted by clv.discount_rate:
// the CLV clv fit stores for a customer is the one clv predict writes.
func TestCLVFitFromTheDatabaseSavesSnapshots(t *testing.T) {
	dsn := storagetest.URL(t)
	env := map[string]string{"DATABASE_URL": dsn, "HEARTH_CLV_DISCOUNT_RATE": "0.05"}
	if code, _, stderr := inProcess(t, env, "import", "orders", cdnowOrdersFile(t)); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	// Customer 1 is a member who voted for an idea: the run values the
	// board's voters again, so the value view need not.
	execSQL(t, dsn, `WITH m AS (INSERT INTO members (display_name) VALUES ('Voter') RETURNING id),
	  c AS (UPDATE customers SET member_id = (SELECT id FROM m), linked_at = now() WHERE id = '1'),
	  i AS (INSERT INTO feedback_items (kind, title, platform, created_at, changed_at, votes)
	        VALUES ('idea', 'Dark mode', 'console', now(), now(), 1) RETURNING id)
	INSERT INTO feedback_votes (item_id, member_id, at) SELECT i.id, m.id, now() FROM i, m`)
	out := fitJSONOf(t, env)
	if out.Customers != 2357 || out.BGNBD.R == 0 {
		t.Fatalf("fit = %+v", out)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM feedback_items i, clv_snapshots s
	    WHERE s.customer_id = '1' AND s.predicted_clv > 0 AND i.voters_value = round(s.predicted_clv::numeric, 2)`); n != 1 {
		t.Errorf("the idea's voters' value is not customer 1's predicted CLV after the run")
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM feedback_valuation WHERE valued_at >= (SELECT max(computed_at) FROM clv_models)`); n != 1 {
		t.Errorf("the voters' valuation is older than the run")
	}
	if !slices.ContainsFunc(out.Notes, func(n string) bool {
		return strings.HasPrefix(n, "1218 customers have not bought a second time: BG/NBD sees nobody leave before a repeat purchase")
	}) {
		t.Errorf("no word on one-time buyers' P(alive): %q", out.Notes)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM clv_snapshots WHERE predicted_clv IS NOT NULL AND rfm_segment <> ''`); n != 2357 {
		t.Errorf("%d snapshots with predictions, want 2357", n)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM clv_models WHERE error = '' AND (bgnbd->>'converged')::bool`); n != 1 {
		t.Errorf("model rows: %d", n)
	}
	code, stdout, stderr := inProcess(t, env, "clv", "predict")
	if code != 0 || strings.Count(stdout, "\n") != 2358 || !strings.HasPrefix(stdout, "customer_id,orders,") {
		t.Errorf("predict from the database: exit %d, %d lines: %s", code, strings.Count(stdout, "\n"), stderr)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM clv_models`); n != 1 {
		t.Errorf("predict saved a model")
	}
	stored := queryFloat(t, dsn, `SELECT predicted_clv FROM clv_snapshots WHERE customer_id = '1'`)
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || rows[0][6] != "predicted_clv" || rows[1][0] != "1" {
		t.Fatalf("predict output: %v: %v", err, rows[:2])
	}
	predicted, _ := strconv.ParseFloat(rows[1][6], 64)
	if math.Abs(stored-predicted) > 1e-6 {
		t.Errorf("customer 1: clv fit stored a predicted CLV of %.6f, clv predict says %.6f", stored, predicted)
	}
}

func execSQL(t *testing.T, dsn, query string) {
	t.Helper()
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func queryFloat(t *testing.T, dsn, query string) float64 {
	t.Helper()
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v float64
	if err := db.Get(&v, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return v
}

// steadyOrdersFile is twelve customers who each bought on the first of
// every month of 2025 for about the same amount: data on which neither
// model converges (every customer alike, the parameters run off to
// infinity and the standard errors are NaN).
func steadyOrdersFile(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("order_id,customer_id,ordered_at,amount\n")
	for c := range 12 {
		for m := 1; m <= 12; m++ {
			fmt.Fprintf(&b, "s%d-%d,steady%02d,2025-%02d-01,%d.00\n", c, m, c, m, 20+c%3)
		}
	}
	return writeTemp(t, "steady.csv", b.String())
}

// TestCLVFitThatDoesNotConvergeKeepsEveryoneScored: a fit with NaN
// standard errors is printed (as JSON too, with null for them), the run is
// saved, and every customer is scored without predictions, with the reason
// said.
func TestCLVFitThatDoesNotConvergeKeepsEveryoneScored(t *testing.T) {
	file := steadyOrdersFile(t)
	code, stdout, stderr := inProcess(t, nil, "clv", "fit", "--orders", file, "--json")
	if code != 0 {
		t.Fatalf("clv fit --orders --json: exit %d: %s", code, stderr)
	}
	var out struct {
		BGNBD struct {
			Converged bool
			StdErr    map[string]*float64 `json:"std_err"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.BGNBD.Converged || out.BGNBD.StdErr["r"] != nil {
		t.Errorf("clv fit --json: %v: %s", err, stdout)
	}

	dsn := storagetest.URL(t)
	env := map[string]string{"DATABASE_URL": dsn}
	if code, _, stderr := inProcess(t, env, "import", "orders", file); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, stdout, stderr = inProcess(t, env, "clv", "fit")
	if code != 0 || !strings.Contains(stdout, "no predictions: the model fit did not converge") {
		t.Fatalf("clv fit: exit %d:\n%s%s", code, stdout, stderr)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM clv_snapshots WHERE predicted_clv IS NULL AND rfm_segment <> ''`); n != 12 {
		t.Errorf("%d customers scored without predictions, want 12", n)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM clv_models WHERE error LIKE 'the model fit did not converge%'`); n != 1 {
		t.Errorf("the run's reason is not stored")
	}
	if code, stdout, stderr = inProcess(t, env, "clv", "fit", "--json"); code != 0 || !json.Valid([]byte(stdout)) {
		t.Errorf("clv fit --json from the database: exit %d:\n%s%s", code, stdout, stderr)
	}
}

func TestCLVUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"clv", "fit", "--summary", "a.csv", "--orders", "b.csv"}, "give --summary or --orders, not both"},
		{[]string{"clv", "fit", "--orders", "b.csv", "--period", "fortnight"}, "--period"},
		{[]string{"clv", "fit", "--orders", "b.csv", "--end", "30/09/1997"}, "is not a date as YYYY-MM-DD"},
		{[]string{"clv", "fit", "--summary", writeTemp(t, "s.csv", "ID,frequency,T\n1,2,3\n")}, "no recency column"},
		{[]string{"clv", "predict", "--summary", writeTemp(t, "s.csv", "ID,frequency,recency,T\n1,2,3,4\n")}, "needs a monetary_value column"},
		{[]string{"clv", "frobnicate"}, "unknown subcommand"},
		{[]string{"clv", "predict", "--horizon-months", "0"}, "--horizon-months must be at least 1, not 0"},
		{[]string{"clv", "predict", "--discount-rate", "-0.5"}, "--discount-rate must be a monthly rate from 0 up to 1, not -0.5"},
	} {
		code, _, stderr := inProcess(t, nil, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %q", c.args, code, stderr, c.want)
		}
	}
}

// TestCLVFitSaysWhyThinDataReadsOddly: orders dated ahead of the clock are
// left out with a word (not a bare "customers: 0"), and a run of two
// customers says why their RFM scores and tiers say little.
func TestCLVFitSaysWhyThinDataReadsOddly(t *testing.T) {
	dsn := storagetest.URL(t)
	env := map[string]string{"DATABASE_URL": dsn}
	ahead := testNow.Add(12 * time.Hour).Format(time.RFC3339) // accepted: within a day of the clock
	file := writeTemp(t, "ahead.csv", "order_id,customer_id,ordered_at,amount\n1,a,"+ahead+",10\n2,b,"+ahead+",20\n")
	if code, _, stderr := inProcess(t, env, "import", "orders", file); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, stdout, stderr := inProcess(t, env, "clv", "fit")
	if code != 0 {
		t.Fatalf("clv fit: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"customers: 0\n",
		"note: 2 paid orders dated after 2026-03-02 were left out (an order counts once its date has passed",
		"note: no paid order up to 2026-03-02: there is nobody to score yet"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("clv fit with every order ahead lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "saved the CLV of 0 customers") {
		t.Errorf("stderr: %q", stderr)
	}

	file = writeTemp(t, "two.csv", "order_id,customer_id,ordered_at,amount\n3,a,2026-01-05,10\n4,b,2026-02-05,20\n5,b,2026-02-20,20\n")
	if code, _, stderr := inProcess(t, env, "import", "orders", file); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	_, stdout, _ = inProcess(t, env, "clv", "fit")
	for _, want := range []string{"customers: 2\n",
		"note: only 2 customers: RFM scores rank customers in fifths of those scored together, so with fewer than 5 they say little",
		"note: only 0 customers are linked to members: tiers compare a linked customer's value with the others', " +
			"so nobody can be VIP by value (tiers.vip_percentile 90) until 5 are linked, nor Loyal (tiers.loyal_percentile 60) until 2 are"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("clv fit of two customers lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, stderr = inProcess(t, env, "clv", "predict"); code != 0 || !strings.Contains(stderr, "note: only 2 customers: RFM") {
		t.Errorf("clv predict: exit %d, stderr %q", code, stderr)
	}
}

// TestCLVFitSummaryForecastsAsTheNightlyRun: clv fit --summary fits with
// clv.Forecast, as the nightly run and --orders do: a file too thin for
// BG/NBD gets that one reason and no Gamma-Gamma fit, and a summary the
// models cannot use is refused, naming the file and the customer.
func TestCLVFitSummaryForecastsAsTheNightlyRun(t *testing.T) {
	thin := writeTemp(t, "thin.csv", "ID,frequency,recency,T,monetary_value\n1,2,3,4,10\n2,0,0,4,0\n")
	code, stdout, stderr := inProcess(t, nil, "clv", "fit", "--summary", thin)
	if want := "no predictions: clv: cannot fit BG/NBD to 2 customers: too few customers\n"; code != 0 || !strings.Contains(stdout, want) ||
		strings.Contains(stdout, "Gamma-Gamma") {
		t.Errorf("thin file: exit %d, %q%s; want %q alone", code, stdout, stderr, want)
	}
	unusable := writeTemp(t, "unusable.csv", "ID,frequency,recency,T\n1,2,3,4\n2,1,5,4\n")
	code, _, stderr = inProcess(t, nil, "clv", "fit", "--summary", unusable)
	if code == 0 || !strings.Contains(stderr, unusable) || !strings.Contains(stderr, `customer "2"`) {
		t.Errorf("unusable summary: exit %d, %q", code, stderr)
	}
}
