package feedback

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// fakeSweeper records the cut-offs it is given and answers with err.
type fakeSweeper struct {
	before []time.Time
	err    error
}

func (f *fakeSweeper) DropUnusedMedia(_ context.Context, before time.Time) (int, error) {
	f.before = append(f.before, before)
	if f.err != nil {
		return 0, f.err
	}
	return 3, nil
}

// TestMediaSweepJobDropsFilesUnusedForTheGrace: the hourly job asks the
// store to drop the files kept before now less the grace, at each run's
// own now, and passes the store's error on.
func TestMediaSweepJobDropsFilesUnusedForTheGrace(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	store := &fakeSweeper{}
	job := MediaSweepJob(store, func() time.Time { return now })
	if job.Name != "showcase.media_sweep" || job.Schedule != community.Every(time.Hour) {
		t.Fatalf("job %q on %q; want showcase.media_sweep every hour", job.Name, job.Schedule)
	}
	if err := community.CheckJobs([]community.Job{job}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	want := []time.Time{time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC), time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC)}
	if len(store.before) != 2 || !store.before[0].Equal(want[0]) || !store.before[1].Equal(want[1]) {
		t.Fatalf("cut-offs %v; want %v", store.before, want)
	}
	store.err = errors.New("database gone")
	if err := job.Run(ctx); !errors.Is(err, store.err) {
		t.Fatalf("run with the store failing: %v; want its error", err)
	}
}
