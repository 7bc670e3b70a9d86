package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/storage"
	"github.com/robfig/cron/v3"
)

// clvJob names the nightly CLV run in job_runs and its advisory lock.
const clvJob = "clv.refresh"

// nightly is a job that runs once a day at a time of day in a time zone.
type nightly struct {
	hour, minute int
	loc          *time.Location
}

// clvNightly reads when the nightly CLV run happens. It is valid after the
// configuration is validated.
func clvNightly(cfg config.Config) nightly {
	at, _ := time.Parse("15:04", cfg.CLV.RefreshAt)
	return nightly{hour: at.Hour(), minute: at.Minute(), loc: cfg.CLVLocation()}
}

// spec is the cron schedule of the job.
func (n nightly) spec() string { return fmt.Sprintf("%d %d * * *", n.minute, n.hour) }

// slot is the scheduled time of the run due on the day of now: the same
// on every replica whatever their clocks' small differences, so that only
// one of them runs it.
func (n nightly) slot(now time.Time) time.Time {
	y, m, d := now.In(n.loc).Date()
	return time.Date(y, m, d, n.hour, n.minute, 0, 0, n.loc)
}

// runNightly runs job every day at n's time until ctx ends; across replicas
// one of them runs each day's run.
func runNightly(ctx context.Context, n nightly, store *storage.Store, name string, job func(ctx context.Context) error, log *slog.Logger) error {
	c := cron.New(cron.WithLocation(n.loc))
	if _, err := c.AddFunc(n.spec(), func() {
		slot := n.slot(time.Now())
		start := time.Now()
		ran, err := store.RunScheduled(ctx, name, slot, job)
		switch {
		case err != nil:
			log.Error("scheduled job failed", "job", name, "slot", slot, "error", err)
		case ran:
			log.Info("scheduled job done", "job", name, "slot", slot, "took", time.Since(start).Round(time.Millisecond))
		default:
			log.Debug("scheduled job run by another replica", "job", name, "slot", slot)
		}
	}); err != nil {
		return fmt.Errorf("schedule %s: %w", name, err)
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}
