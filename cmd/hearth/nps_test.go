package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
)

// TestNPSReport: hearth nps report prints what /nps shows, as text and
// as JSON, from a survey that asked four members and got a 10, a 9 and a
// VIP's 2: NPS (2-1)/3 = 33.3, CLV-weighted (100-300)/400 = -50, 75%.
func TestNPSReport(t *testing.T) {
	dsn := storagetest.URL(t)
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO members (display_name, created_at) VALUES ('Ann', $1), ('Ben', $1), ('Cy', $1), ('Dee', $1)`,
		`INSERT INTO nps_surveys (opened_at, closes_at) VALUES ($1::timestamptz - interval '2 days', $1::timestamptz + interval '5 days')`,
		`INSERT INTO nps_asks (survey_id, member_id, platform, asked_at) SELECT 1, id, 'telegram', $1::timestamptz - interval '2 days' FROM members`,
		`INSERT INTO nps_answers (survey_id, member_id, score, reason, tier, clv, platform, answered_at) VALUES
		   (1, 1, 10, '', 'regular', 100, 'telegram', $1::timestamptz - interval '1 day'),
		   (1, 2, 9, '', 'loyal', 0, 'telegram', $1::timestamptz - interval '1 day'),
		   (1, 3, 2, 'late parcel', 'vip', 300, 'telegram', $1::timestamptz - interval '1 hour')`,
	} {
		if _, err := db.Exec(q, testNow); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	env := map[string]string{"DATABASE_URL": dsn}
	code, stdout, stderr := inProcess(t, env, "nps", "report", "--json")
	if code != 0 {
		t.Fatalf("nps report --json: %d %s", code, stderr)
	}
	var rep struct {
		Overall      struct{ Score float64 }
		CLVWeighted  struct{ Score float64 } `json:"clv_weighted"`
		Asked        int
		ResponseRate float64 `json:"response_rate"`
		Trend        []struct{ Week int }
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if math.Abs(rep.Overall.Score-100.0/3) > 1e-9 || rep.CLVWeighted.Score != -50 || rep.Asked != 4 || rep.ResponseRate != 0.75 || len(rep.Trend) != 12 {
		t.Errorf("report %+v", rep)
	}
	code, stdout, stderr = inProcess(t, env, "nps", "report", "--weeks", "4")
	if code != 0 {
		t.Fatalf("nps report: %d %s", code, stderr)
	}
	for _, part := range []string{"NPS of the last 4 weeks", "NPS: 33.3", "Weighted by CLV: -50.0", "3 answers of 4 asked (75.0%)", "• 2 · Cy (VIP): late parcel"} {
		if !strings.Contains(stdout, part) {
			t.Errorf("report lacks %q:\n%s", part, stdout)
		}
	}
	if code, _, _ := inProcess(t, env, "nps", "report", "--weeks", "0"); code != 2 {
		t.Errorf("--weeks 0 exits %d, want 2", code)
	}
}
