package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestScheduledJobRunsOncePerSlot: the first claimant of a slot runs the
// job, a second one (another replica) does not, a new slot runs again, and
// a failure is recorded with the run. A job running elsewhere is skipped.
func TestScheduledJobRunsOncePerSlot(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	slot := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	runs := 0
	job := func(context.Context) error { runs++; return nil }
	for range 2 {
		if _, err := s.RunScheduled(ctx, "clv", slot, job); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Fatalf("ran %d times for one slot", runs)
	}
	ran, err := s.RunScheduled(ctx, "clv", slot.Add(24*time.Hour), func(context.Context) error { return errors.New("no orders") })
	if !ran || err == nil {
		t.Fatalf("next slot: ran %t, err %v", ran, err)
	}
	if n := count(t, s, `SELECT count(*) FROM job_runs WHERE job = 'clv' AND finished_at IS NOT NULL AND error = 'no orders'`); n != 1 {
		t.Error("the failure was not recorded")
	}

	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s.RunExclusive(ctx, "clv", func(context.Context) error { close(started); <-release; return nil })
	}()
	<-started
	ran, err = s.RunScheduled(ctx, "clv", slot.Add(48*time.Hour), job)
	if ran || err != nil {
		t.Errorf("while a manual run holds the lock: ran %t, %v", ran, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestJobRunsArePruned: a job's runs older than a week go when a new slot
// is claimed; other jobs' runs stay.
func TestJobRunsArePruned(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	slot := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	nop := func(context.Context) error { return nil }
	for _, r := range []struct {
		job  string
		slot time.Time
	}{{"captcha", slot.AddDate(0, 0, -8)}, {"captcha", slot.AddDate(0, 0, -6)}, {"clv", slot.AddDate(0, 0, -30)}, {"captcha", slot}} {
		if _, err := s.RunScheduled(ctx, r.job, r.slot, nop); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM job_runs WHERE job = 'captcha'`); n != 2 {
		t.Errorf("captcha runs kept: %d, want the last week's 2", n)
	}
	if n := count(t, s, `SELECT count(*) FROM job_runs WHERE job = 'clv'`); n != 1 {
		t.Errorf("clv runs: %d, want 1", n)
	}
}
