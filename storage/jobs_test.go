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
