package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
)

// TestReportLift: hearth report lift finds a known difference on
// constructed data. Four customers outside the community spend 10, 20,
// 30 and 40 per 30 days; four members spend 20 more each (30 to 60), two
// at level 1 and two at level 2. The members joined 100 days ago, after
// a first order 120 days ago, and each spent 80 more in the 90 days
// after joining than in the 90 before.
func TestReportLift(t *testing.T) {
	dsn := storagetest.URL(t)
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO members (display_name, created_at) SELECT 'M' || i, $1::timestamptz - interval '100 days' FROM generate_series(1, 4) i`,
		`INSERT INTO member_standings (member_id, tier, priority, value_percentile, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
		 SELECT id, 'regular', 0, 0, 0, CASE WHEN id <= 2 THEN 1 ELSE 2 END, 0, 0, 0, $1 FROM members`,
		`INSERT INTO customers (id, member_id, linked_at) SELECT 'm' || id, id, $1 FROM members`,
		`INSERT INTO customers (id, created_at) SELECT 'o' || i, $1 FROM generate_series(1, 4) i`,
		// Before joining 20, 40, 60, 80; after 100 to 160: 120 to 240 over 120 days.
		`INSERT INTO orders (id, customer_id, ordered_at, amount, status, source)
		 SELECT 'mb' || i, 'm' || i, $1::timestamptz - interval '120 days', 20 * i, 'paid', 'csv' FROM generate_series(1, 4) i
		 UNION ALL SELECT 'ma' || i, 'm' || i, $1::timestamptz - interval '50 days', 80 + 20 * i, 'paid', 'csv' FROM generate_series(1, 4) i
		 UNION ALL SELECT 'o' || i, 'o' || i, $1::timestamptz - interval '120 days', 40 * i, 'paid', 'csv' FROM generate_series(1, 4) i`,
	} {
		if _, err := db.Exec(q, testNow); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	env := map[string]string{"DATABASE_URL": dsn}
	code, stdout, stderr := inProcess(t, env, "report", "lift", "--json")
	if code != 0 {
		t.Fatalf("report lift --json: %d %s", code, stderr)
	}
	var rep struct {
		digest.Lift
		Caveat string
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	want, err := digest.DefaultBootstrap.MeanDifference([]float64{30, 40, 50, 60}, []float64{10, 20, 30, 40})
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Community.SpendLift
	if got == nil || math.Abs(got.Estimate-20) > 1e-9 || math.Abs(got.Low-want.Low) > 1e-9 || math.Abs(got.High-want.High) > 1e-9 || got.Low >= 20 || got.High <= 20 {
		t.Errorf("community spend lift %+v, want 20 in [%g, %g]", got, want.Low, want.High)
	}
	if rep.Community.Customers != 4 || rep.Outside.Customers != 4 || len(rep.Levels) != 4 || rep.Levels[0].Customers != 2 || rep.Levels[1].Customers != 2 ||
		math.Abs(rep.Levels[1].SpendRate-55) > 1e-9 || rep.Community.Predicted != 0 || rep.Community.PredictedLift != nil {
		t.Errorf("groups: community %+v, outside %+v, levels %+v", rep.Community, rep.Outside, rep.Levels)
	}
	if j := rep.Joiners; j.Members != 4 || j.Before != 50 || j.After != 130 || j.Change == nil || j.Change.Estimate != 80 || j.Change.Low != 80 || j.Change.High != 80 {
		t.Errorf("joiners %+v, %+v; want 4, 50 before and 130 after, +80 for each", j, j.Change)
	}
	if !strings.Contains(rep.Caveat, "association, not proof of cause") || rep.Resamples != 2000 || !rep.AsOf.Equal(testNow) {
		t.Errorf("caveat %q, %d resamples, as of %s", rep.Caveat, rep.Resamples, rep.AsOf)
	}

	code, stdout, stderr = inProcess(t, env, "report", "lift")
	if code != 0 {
		t.Fatalf("report lift: %d %s", code, stderr)
	}
	for _, part := range []string{"Community and CLV (as of 2026-03-02)", "• In the community: 45.00 (4 customers) · +20.00 (95% CI",
		"• Not in the community: 25.00 (4 customers)", "• Level 2: 55.00 (2 customers) · +30.00 (95% CI",
		"• 4 members: 50.00 before, 130.00 after", "• Change: +80.00 (95% CI 80.00 to 80.00)",
		"This shows an association, not proof of cause"} {
		if !strings.Contains(stdout, part) {
			t.Errorf("report lacks %q:\n%s", part, stdout)
		}
	}
	if code, _, _ := inProcess(t, env, "report", "lift", "--weeks", "4"); code != 2 {
		t.Errorf("an unknown flag exits %d, want 2", code)
	}
}
