package feedback

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
)

// MediaSweeper is what the sweep of unused media needs from persistence.
type MediaSweeper interface {
	// DropUnusedMedia deletes the files kept before that no submission
	// holds and returns how many went.
	DropUnusedMedia(ctx context.Context, before time.Time) (int, error)
}

// The sweep of unused media: how often it runs, and how long a file no
// submission holds is kept. A file is kept first and submitted next: the
// grace spares it in between.
const (
	MediaSweepEvery = time.Hour
	MediaSweepGrace = 24 * time.Hour
)

// MediaSweepJob drops, every hour, the kept files no submission has held
// for MediaSweepGrace (a post that was refused, a submission that failed).
func MediaSweepJob(store MediaSweeper, now func() time.Time) community.Job {
	return community.Job{Name: "showcase.media_sweep", Schedule: community.Every(MediaSweepEvery), Run: func(ctx context.Context) error {
		_, err := store.DropUnusedMedia(ctx, now().Add(-MediaSweepGrace))
		return err
	}}
}
