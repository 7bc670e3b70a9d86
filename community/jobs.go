package community

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is work a domain does on a calendar or on a period: the nightly CLV
// run, lifting ended sanctions, a weekly digest. One scheduler runs every
// job; across replicas one of them runs each of a job's slots.
type Job struct {
	Name     string // unique; names the job's runs and its lock
	Schedule Schedule
	// Location is the time zone a cron spec's times are read in, the
	// community's as a rule; nil means UTC. Every ignores it.
	Location *time.Location
	Run      func(ctx context.Context) error
}

// Schedule says when a job runs: a standard cron spec of five fields
// (minute hour day-of-month month day-of-week, such as "30 2 * * *" or
// "0 9 * * MON") or a descriptor (@daily, @weekly, @hourly...), read in the
// job's Location; or Every(d).
type Schedule string

// everyPrefix starts the schedule Every writes.
const everyPrefix = "@every "

// Every is the schedule of a job that runs every d: at the multiples of d
// counted from Go's zero time, so that every replica agrees on them, and
// once when a replica starts if no replica ran the period under way.
func Every(d time.Duration) Schedule { return Schedule(everyPrefix + d.String()) }

// ClockSkew is how far apart replicas' clocks may be: a time this close
// before a slot already belongs to that slot.
const ClockSkew = 5 * time.Second

// Timetable is a job's schedule made ready to compute its slots: the times
// the job is due, each run by one replica.
type Timetable struct {
	period time.Duration // Every; zero for a cron spec
	spec   *cron.SpecSchedule
	loc    *time.Location
}

// Timetable reads j's schedule; the error says what is wrong with it.
func (j Job) Timetable() (Timetable, error) {
	s := strings.TrimSpace(string(j.Schedule))
	if rest, ok := strings.CutPrefix(s, everyPrefix); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		switch {
		case err != nil:
			return Timetable{}, fmt.Errorf("%q is not a period such as @every 10m", s)
		case d < time.Second:
			return Timetable{}, fmt.Errorf("%q: the period must be at least 1s", s)
		}
		return Timetable{period: d}, nil
	}
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		return Timetable{}, fmt.Errorf("%q: give the time zone as the job's Location, not in the spec", s)
	}
	parsed, err := cron.ParseStandard(s)
	if err != nil {
		return Timetable{}, fmt.Errorf("%q is not a cron spec: %w", s, err)
	}
	spec, ok := parsed.(*cron.SpecSchedule)
	if !ok {
		return Timetable{}, fmt.Errorf("%q is not a cron spec", s)
	}
	tt := Timetable{spec: spec, loc: j.Location}
	if tt.loc == nil {
		tt.loc = time.UTC
	}
	if tt.Next(time.Time{}).IsZero() {
		return Timetable{}, fmt.Errorf("%q names no day that exists", s)
	}
	return tt, nil
}

// Periodic reports whether the job runs every period (Every), rather than
// at times of the calendar: a periodic job runs the slot under way when a
// replica starts; a calendar job waits for its next time.
func (tt Timetable) Periodic() bool { return tt.period > 0 }

// Next is the first slot after t; zero if there is none within eight years.
func (tt Timetable) Next(t time.Time) time.Time {
	if tt.Periodic() {
		return t.Truncate(tt.period).Add(tt.period)
	}
	return tt.nextCalendar(t)
}

// SlotAt is the slot a run at t is for: the last slot at t or before, or
// the one that is due within ClockSkew of t, so that replicas whose clocks
// differ by seconds agree on it. Zero if there is none within eight years.
func (tt Timetable) SlotAt(t time.Time) time.Time {
	t = t.Add(ClockSkew)
	if tt.Periodic() {
		return t.Truncate(tt.period)
	}
	return tt.lastCalendar(t)
}

// CheckJobs reports what is wrong with a list of jobs: a name missing or
// given twice, a job with nothing to run, a schedule that cannot be read.
func CheckJobs(jobs []Job) error {
	var problems []error
	seen := make(map[string]bool, len(jobs))
	for i, j := range jobs {
		name := j.Name
		switch {
		case name == "":
			name = fmt.Sprintf("job %d", i+1)
			problems = append(problems, fmt.Errorf("%s has no name", name))
		case seen[name]:
			problems = append(problems, fmt.Errorf("job %s: the name is taken by another job", name))
		}
		seen[j.Name] = true
		if j.Run == nil {
			problems = append(problems, fmt.Errorf("job %s has nothing to run", name))
		}
		if _, err := j.Timetable(); err != nil {
			problems = append(problems, fmt.Errorf("job %s: schedule %w", name, err))
		}
	}
	return errors.Join(problems...)
}

// Job is the recompute of every member's standing, every period.
func (s *Standings) Job(every time.Duration) Job {
	return Job{Name: "standings.recompute", Schedule: Every(every), Run: func(ctx context.Context) error {
		_, err := s.Recompute(ctx)
		return err
	}}
}

// Job lifts the sanctions whose end has come and renews capped mutes,
// every period.
func (m *Moderation) Job(every time.Duration) Job {
	return Job{Name: "moderation.expire", Schedule: Every(every), Run: func(ctx context.Context) error {
		_, err := m.Expire(ctx)
		return err
	}}
}
