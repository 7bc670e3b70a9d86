package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
)

// runJobs runs every feature job on its interval until ctx ends, the first
// time at once. Each slot (the time truncated to the interval) is run by
// one replica.
func runJobs(ctx context.Context, jobs []bots.Job, store *storage.Store, log *slog.Logger) {
	for _, job := range jobs {
		go func() {
			tick := time.NewTicker(job.Every)
			defer tick.Stop()
			for {
				runSlot(ctx, job, store, log)
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
}

func runSlot(ctx context.Context, job bots.Job, store *storage.Store, log *slog.Logger) {
	slot := time.Now().Truncate(job.Every)
	start := time.Now()
	ran, err := store.RunScheduled(ctx, job.Name, slot, job.Run)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("scheduled job failed", "job", job.Name, "slot", slot, "error", err)
	case ran:
		log.Debug("scheduled job done", "job", job.Name, "slot", slot, "took", time.Since(start).Round(time.Millisecond))
	}
}
