package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// fakeClock is a test's clock: it moves only when the test advances it,
// and tells the test when the schedulers are asleep.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers map[chan struct{}]time.Time
	changed  chan struct{} // closed, and replaced, when sleepers change
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, sleepers: map[chan struct{}]time.Time{}, changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) bool {
	c.mu.Lock()
	if !c.now.Before(t) {
		c.mu.Unlock()
		return true
	}
	wake := make(chan struct{})
	c.sleepers[wake] = t
	c.signal()
	c.mu.Unlock()
	select {
	case <-wake:
		return true
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.sleepers, wake)
		c.signal()
		c.mu.Unlock()
		return false
	}
}

// signal tells awaitSleepers that sleepers changed; c.mu is held.
func (c *fakeClock) signal() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// advance sets the clock to now and wakes whoever sleeps until then.
func (c *fakeClock) advance(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
	for wake, t := range c.sleepers {
		if !now.Before(t) {
			delete(c.sleepers, wake)
			close(wake)
		}
	}
	c.signal()
}

// awaitSleepers waits until n jobs sleep until their next slot: each has
// done with the slots that came before.
func (c *fakeClock) awaitSleepers(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		c.mu.Lock()
		count, changed := len(c.sleepers), c.changed
		c.mu.Unlock()
		if count == n {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("%d jobs wait for their next slot, want %d", count, n)
		}
	}
}

// TestTwoReplicasRunEachSlotOnce: two schedulers on one database, with
// the same jobs and clock, run each slot of each job once between them: a
// periodic job's slot under way at start, then its next one, and a night
// job at its time in its zone, on the night the clocks go forward too.
func TestTwoReplicasRunEachSlotOnce(t *testing.T) {
	athens, _ := time.LoadLocation("Europe/Athens")
	clock := newFakeClock(time.Date(2026, 3, 28, 21, 50, 0, 0, time.UTC)) // 23:50 in Athens
	var hourly, nightly atomic.Int32
	jobs := []community.Job{
		{Name: "test.hourly", Schedule: community.Every(time.Hour), Run: func(context.Context) error { hourly.Add(1); return nil }},
		{Name: "test.nightly", Schedule: "30 3 * * *", Location: athens, Run: func(context.Context) error { nightly.Add(1); return nil }},
	}
	replicas := startReplicas(t, clock, jobs, 2)
	clock.awaitSleepers(t, 4)
	if h, n := hourly.Load(), nightly.Load(); h != 1 || n != 0 {
		t.Fatalf("at start: the hourly job ran %d times, the nightly one %d; want 1 (the hour under way) and 0", h, n)
	}
	clock.advance(time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC))
	clock.awaitSleepers(t, 4)
	clock.advance(time.Date(2026, 3, 29, 4, 0, 0, 0, athens)) // 03:30 does not exist that night
	clock.awaitSleepers(t, 4)
	clock.advance(time.Date(2026, 3, 30, 3, 30, 0, 0, athens))
	clock.awaitSleepers(t, 4)

	runs := finishedRuns(t, replicas[0])
	want := []jobRun{
		{"test.hourly", time.Date(2026, 3, 28, 21, 0, 0, 0, time.UTC)}, {"test.hourly", time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC)},
		{"test.hourly", time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC)}, // the slots the clock jumped over are not caught up
		{"test.nightly", time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)}, {"test.hourly", time.Date(2026, 3, 29, 2, 0, 0, 0, time.UTC)},
		{"test.nightly", time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC)},
	}
	if h, n := hourly.Load(), nightly.Load(); int(h)+int(n) != len(runs) || n != 2 {
		t.Errorf("the jobs ran %d (hourly) and %d (nightly) times, job_runs has %d runs", h, n, len(runs))
	}
	if !slices.EqualFunc(runs, want, func(a, b jobRun) bool { return a.Job == b.Job && a.Slot.Equal(b.Slot) }) {
		t.Errorf("runs %+v, want %+v", runs, want)
	}
}

// startReplicas starts n schedulers of jobs on clock, each with a
// connection pool of its own to one fresh database, as replicas would.
func startReplicas(t *testing.T, clock *fakeClock, jobs []community.Job, n int) []*storage.Store {
	t.Helper()
	dsn := storagetest.URL(t)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	var replicas []*storage.Store
	for range n {
		db, err := storage.Open(ctx, dsn, storage.DefaultPoolOptions, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		store := storage.New(db)
		done, err := (&scheduler{slots: store, clock: clock, log: slog.New(slog.DiscardHandler)}).start(ctx, jobs)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stop(); <-done })
		replicas = append(replicas, store)
	}
	return replicas
}

// jobRun is a run recorded in job_runs.
type jobRun struct {
	Job  string
	Slot time.Time
}

// finishedRuns are the runs that finished without an error, by slot.
func finishedRuns(t *testing.T, store *storage.Store) []jobRun {
	t.Helper()
	var runs []jobRun
	if err := store.DB().Select(&runs, `SELECT job, slot FROM job_runs WHERE finished_at IS NOT NULL AND error = '' ORDER BY slot, job`); err != nil {
		t.Fatal(err)
	}
	return runs
}

// TestSchedulerRefusesJobsItCannotRun: a job list with a name twice or a
// schedule that cannot be read stops hearth run before anything runs.
func TestSchedulerRefusesJobsItCannotRun(t *testing.T) {
	run := func(context.Context) error { return nil }
	s := &scheduler{clock: newFakeClock(time.Now()), log: slog.New(slog.DiscardHandler)}
	_, err := s.start(t.Context(), []community.Job{{Name: "a", Schedule: "@daily", Run: run}, {Name: "a", Schedule: "at noon", Run: run}})
	if err == nil || !strings.Contains(err.Error(), "job a: the name is taken") || !strings.Contains(err.Error(), `job a: schedule "at noon"`) {
		t.Errorf("start: %v", err)
	}
}

// TestSystemClockSleepsUntilATimeOrTheEnd: a time passed needs no sleep,
// and a sleep ends with its context.
func TestSystemClockSleepsUntilATimeOrTheEnd(t *testing.T) {
	if !(systemClock{}).SleepUntil(t.Context(), time.Now().Add(-time.Second)) {
		t.Error("a time passed was not reached")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if (systemClock{}).SleepUntil(ctx, time.Now().Add(time.Hour)) {
		t.Error("the sleep outlived its context")
	}
}
