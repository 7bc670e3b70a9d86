package main

import (
	"testing"
	"time"

	"github.com/hearthbot/hearth/config"
	"github.com/robfig/cron/v3"
)

// TestNightlyRunsAtTheConfiguredTimeAndZone: clv.refresh_at in
// clv.timezone (or the community's zone) decides the next run, and every
// replica computes the same slot for a day's run.
func TestNightlyRunsAtTheConfiguredTimeAndZone(t *testing.T) {
	cfg := config.Default()
	cfg.CLV.RefreshAt = "02:30"
	cfg.Community.Timezone = "Europe/Athens"
	n := clvNightly(cfg)
	sched, err := cron.ParseStandard(n.spec())
	if err != nil {
		t.Fatal(err)
	}
	athens, _ := time.LoadLocation("Europe/Athens")
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC) // 03:00 in Athens: today's run has passed
	if got, want := sched.Next(now.In(n.loc)), time.Date(2026, 11, 24, 2, 30, 0, 0, athens); !got.Equal(want) {
		t.Errorf("next run %s, want %s", got, want)
	}
	early, late := time.Date(2026, 11, 24, 0, 29, 58, 0, time.UTC), time.Date(2026, 11, 24, 0, 30, 3, 0, time.UTC)
	if a, b := n.slot(early), n.slot(late); !a.Equal(b) || !a.Equal(time.Date(2026, 11, 24, 2, 30, 0, 0, athens)) {
		t.Errorf("slots %s and %s differ for one day's run", a, b)
	}
	cfg.CLV.Timezone = "America/New_York"
	if loc := clvNightly(cfg).loc.String(); loc != "America/New_York" {
		t.Errorf("clv.timezone ignored: %s", loc)
	}
}
