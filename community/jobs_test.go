package community

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func timetable(t *testing.T, s Schedule, loc *time.Location) Timetable {
	t.Helper()
	tt, err := Job{Name: "test", Schedule: s, Location: loc, Run: func(context.Context) error { return nil }}.Timetable()
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return tt
}

// TestNextSlotsAcrossTimeZonesAndDST: a cron spec is read in the job's
// zone; across a daylight-saving change a skipped time runs when the
// clocks jump over it and a repeated one runs once, at its first
// occurrence.
func TestNextSlotsAcrossTimeZonesAndDST(t *testing.T) {
	athens, newYork := zone(t, "Europe/Athens"), zone(t, "America/New_York")
	for _, c := range []struct {
		name     string
		schedule Schedule
		loc      *time.Location
		after    time.Time
		want     []time.Time
	}{
		{"night run, today's has passed", "30 2 * * *", athens, time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC), // 03:00 in Athens
			[]time.Time{time.Date(2026, 11, 24, 2, 30, 0, 0, athens), time.Date(2026, 11, 25, 2, 30, 0, 0, athens)}},
		{"no zone is UTC", "30 2 * * *", nil, time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC)}},
		{"spring forward skips 03:30 in Athens: run at 04:00", "30 3 * * *", athens, time.Date(2026, 3, 28, 12, 0, 0, 0, athens),
			[]time.Time{time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 3, 30, 0, 0, athens)}},
		{"fall back repeats 03:30 in Athens: run once", "30 3 * * *", athens, time.Date(2026, 10, 24, 12, 0, 0, 0, athens),
			[]time.Time{time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC)}},
		{"spring forward in New York", "0 2 * * *", newYork, time.Date(2026, 3, 7, 12, 0, 0, 0, newYork),
			[]time.Time{time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 2, 0, 0, 0, newYork)}},
		{"every 15 minutes across the skipped hour", "*/15 * * * *", athens, time.Date(2026, 3, 29, 2, 40, 0, 0, athens),
			[]time.Time{time.Date(2026, 3, 29, 2, 45, 0, 0, athens), time.Date(2026, 3, 29, 4, 0, 0, 0, athens), time.Date(2026, 3, 29, 4, 15, 0, 0, athens)}},
		{"hourly through the repeated hour", "0 * * * *", athens, time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC),
			[]time.Time{time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC)}},
		{"weekly digest on Monday morning", "0 9 * * MON", athens, time.Date(2026, 12, 5, 8, 0, 0, 0, athens), // a Saturday
			[]time.Time{time.Date(2026, 12, 7, 9, 0, 0, 0, athens), time.Date(2026, 12, 14, 9, 0, 0, 0, athens)}},
		{"day of month or day of week", "0 0 1 * MON", time.UTC, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}},
		{"yearly", "@yearly", time.UTC, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"leap day", "0 12 29 2 *", time.UTC, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			[]time.Time{time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(2032, 2, 29, 12, 0, 0, 0, time.UTC)}},
		{"every 20 seconds", Every(20 * time.Second), athens, time.Date(2026, 3, 29, 3, 59, 45, 0, time.UTC),
			[]time.Time{time.Date(2026, 3, 29, 4, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 4, 0, 20, 0, time.UTC)}},
	} {
		tt := timetable(t, c.schedule, c.loc)
		at := c.after
		for i, want := range c.want {
			at = tt.Next(at)
			if !at.Equal(want) {
				t.Errorf("%s: slot %d is %s, want %s", c.name, i+1, at, want.In(at.Location()))
				break
			}
		}
	}
}

// TestSlotAtIsTheSameOnEveryReplica: replicas whose clocks differ by
// seconds around a slot claim the same slot, so one of them runs it; the
// slot a time belongs to is the last one due, in the job's zone.
func TestSlotAtIsTheSameOnEveryReplica(t *testing.T) {
	athens := zone(t, "Europe/Athens")
	for _, c := range []struct {
		name        string
		schedule    Schedule
		loc         *time.Location
		early, late time.Time
		want        time.Time
	}{
		{"night run", "30 2 * * *", athens, time.Date(2026, 11, 24, 0, 29, 58, 0, time.UTC), time.Date(2026, 11, 24, 0, 30, 3, 0, time.UTC),
			time.Date(2026, 11, 24, 2, 30, 0, 0, athens)},
		{"hourly", "0 * * * *", time.UTC, time.Date(2026, 11, 23, 10, 59, 57, 0, time.UTC), time.Date(2026, 11, 23, 13, 0, 3, 0, athens),
			time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)},
		{"hourly, the same zone or another", "0 * * * *", athens, time.Date(2026, 11, 23, 10, 59, 57, 0, time.UTC), time.Date(2026, 11, 23, 11, 0, 3, 0, time.UTC),
			time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)},
		{"night run, late in the day", "30 2 * * *", athens, time.Date(2026, 11, 24, 21, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 21, 59, 0, 0, time.UTC),
			time.Date(2026, 11, 24, 2, 30, 0, 0, athens)},
		{"the repeated hour belongs to its first run", "30 3 * * *", athens, time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 45, 0, 0, time.UTC),
			time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"every 20 seconds", Every(20 * time.Second), athens, time.Date(2026, 11, 23, 10, 0, 17, 0, time.UTC), time.Date(2026, 11, 23, 10, 0, 34, 0, time.UTC),
			time.Date(2026, 11, 23, 10, 0, 20, 0, time.UTC)},
		{"every day is counted in UTC, not in the zone", Every(24 * time.Hour), athens, time.Date(2026, 11, 23, 23, 0, 0, 0, athens), time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
			time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
	} {
		tt := timetable(t, c.schedule, c.loc)
		if a, b := tt.SlotAt(c.early), tt.SlotAt(c.late); !a.Equal(b) || !a.Equal(c.want) {
			t.Errorf("%s: slots %s and %s, want both %s", c.name, a, b, c.want)
		}
	}
}

// TestPeriodicJobsRunAtStartCalendarJobsWait: Every runs the slot under
// way when a replica starts; a cron spec waits for its time.
func TestPeriodicJobsRunAtStartCalendarJobsWait(t *testing.T) {
	if !timetable(t, Every(time.Minute), nil).Periodic() {
		t.Error("Every(1m) is not periodic")
	}
	for _, s := range []Schedule{"0 * * * *", "@daily", "*/5 * * * *"} {
		if timetable(t, s, nil).Periodic() {
			t.Errorf("%s is periodic", s)
		}
	}
}

// TestCheckJobsNamesEveryProblem: a list of jobs is refused with a message
// naming each job and what is wrong with it.
func TestCheckJobsNamesEveryProblem(t *testing.T) {
	run := func(context.Context) error { return nil }
	good := []Job{{Name: "clv.refresh", Schedule: "0 3 * * *", Location: zone(t, "Europe/Athens"), Run: run},
		{Name: "moderation.expire", Schedule: Every(time.Minute), Run: run}, {Name: "digest", Schedule: "@weekly", Run: run}}
	if err := CheckJobs(good); err != nil {
		t.Errorf("good jobs refused: %v", err)
	}
	for _, c := range []struct {
		jobs []Job
		want []string
	}{
		{[]Job{good[0], good[0]}, []string{"job clv.refresh: the name is taken by another job"}},
		{[]Job{{Schedule: "@daily", Run: run}}, []string{"job 1 has no name"}},
		{[]Job{{Name: "a", Schedule: "@daily"}}, []string{"job a has nothing to run"}},
		{[]Job{{Name: "a", Schedule: "61 * * * *", Run: run}}, []string{`job a: schedule "61 * * * *" is not a cron spec`}},
		{[]Job{{Name: "a", Schedule: "0 3 * *", Run: run}}, []string{`job a: schedule "0 3 * *" is not a cron spec`}},
		{[]Job{{Name: "a", Schedule: "CRON_TZ=Europe/Athens 0 3 * * *", Run: run}}, []string{"give the time zone as the job's Location"}},
		{[]Job{{Name: "a", Schedule: "0 0 30 2 *", Run: run}}, []string{`"0 0 30 2 *" names no day that exists`}},
		{[]Job{{Name: "a", Schedule: Every(0), Run: run}}, []string{"the period must be at least 1s"}},
		{[]Job{{Name: "a", Schedule: "@every soon", Run: run}}, []string{`"@every soon" is not a period`}},
		{[]Job{{Name: "a", Schedule: "", Run: run}, {Name: "a", Schedule: "@daily"}},
			[]string{`job a: schedule "" is not a cron spec`, "job a: the name is taken", "job a has nothing to run"}},
	} {
		err := CheckJobs(c.jobs)
		if err == nil {
			t.Errorf("%+v accepted, want %q", c.jobs, c.want)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	}
}

// TestServicesProvideTheirJobs: the standings recompute and the sanctions'
// expiry are jobs of their services, on the period given, and running one
// does the service's work (and passes its failure on).
func TestServicesProvideTheirJobs(t *testing.T) {
	ctx := context.Background()
	s, store := recomputeWorld()
	job := s.Job(10 * time.Minute)
	if job.Name != "standings.recompute" || CheckJobs([]Job{job}) != nil {
		t.Fatalf("standings job %q: %v", job.Name, CheckJobs([]Job{job}))
	}
	if err := job.Run(ctx); err != nil || len(store.saved) == 0 {
		t.Errorf("running it: %v, %d standings saved", err, len(store.saved))
	}
	store.failing = "RecomputeStandings"
	if err := job.Run(ctx); !errors.Is(err, errStandingsDown) {
		t.Errorf("a store failing: %v", err)
	}

	w := newModWorld(DefaultModerationRules())
	if _, err := w.mod.Ban(ctx, Act{By: modAlice, Member: modBob, Groups: []Group{w.dc}, For: time.Hour}); err != nil {
		t.Fatal(err)
	}
	expire := w.mod.Job(time.Minute)
	if expire.Name != "moderation.expire" || CheckJobs([]Job{job, expire}) != nil {
		t.Fatalf("moderation job %q: %v", expire.Name, CheckJobs([]Job{job, expire}))
	}
	w.now = w.now.Add(2 * time.Hour)
	w.platforms.calls = nil
	if err := expire.Run(ctx); err != nil || len(w.platforms.calls) != 1 {
		t.Errorf("running it: %v, calls %v; want Bob's Discord ban lifted", err, w.platforms.calls)
	}
}
