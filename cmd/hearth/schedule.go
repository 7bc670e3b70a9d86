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

// schedule says when a job runs: a cron spec in a time zone, and the slot
// each run is for, the same on every replica.
type schedule interface {
	spec() string
	location() *time.Location
	slot(now time.Time) time.Time
}

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

func (n nightly) location() *time.Location { return n.loc }

// slot is the scheduled time of the run due on the day of now: the same
// on every replica whatever their clocks' small differences, so that only
// one of them runs it.
func (n nightly) slot(now time.Time) time.Time {
	y, m, d := now.In(n.loc).Date()
	return time.Date(y, m, d, n.hour, n.minute, 0, 0, n.loc)
}

// hourly is a job that runs at the start of every hour.
type hourly struct{}

func (hourly) spec() string             { return "0 * * * *" }
func (hourly) location() *time.Location { return time.UTC }

// slot is the hour a run is for, rounded to the nearest hour, so that
// replicas whose clocks differ by a few seconds agree on it.
func (hourly) slot(now time.Time) time.Time { return now.UTC().Round(time.Hour) }

// runNightly runs job every day at n's time until ctx ends; across replicas
// one of them runs each day's run.
func runNightly(ctx context.Context, n nightly, store *storage.Store, name string, job func(ctx context.Context) error, log *slog.Logger) error {
	return runScheduled(ctx, n, store, name, job, time.Now, log)
}

// runScheduled runs job on schedule s until ctx ends; across replicas one
// of them runs each slot's run. now is the clock the slots are read from.
func runScheduled(ctx context.Context, s schedule, store *storage.Store, name string, job func(ctx context.Context) error, now func() time.Time, log *slog.Logger) error {
	c := cron.New(cron.WithLocation(s.location()))
	if _, err := c.AddFunc(s.spec(), func() {
		slot := s.slot(now())
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

// outboxPruneJob names the hourly prune of sent messages in job_runs and
// its advisory lock.
const outboxPruneJob = "outbox.prune"

// How long the inbox keeps what it took in: the keys of handled updates
// (to recognise a platform's redelivery: Telegram keeps an update at most
// 24 hours) and the dead letters (for owners to look into).
const (
	keepHandledUpdates = 7 * 24 * time.Hour
	keepDeadUpdates    = 30 * 24 * time.Hour
)

// pruneOutbox is the hourly job that deletes the messages sent more than
// keep ago (outbox.keep_sent) by the clock now, and the events they came
// from; and what the inbox no longer needs.
func pruneOutbox(store *storage.Store, keep time.Duration, now func() time.Time, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		messages, events, err := store.PruneOutbox(ctx, now().Add(-keep))
		if messages+events > 0 {
			log.Info("deleted sent messages past outbox.keep_sent", "messages", messages, "events", events, "keep_sent", keep)
		}
		if err != nil {
			return err
		}
		updates, err := store.PruneInbox(ctx, now().Add(-keepHandledUpdates), now().Add(-keepDeadUpdates), 1000)
		if updates > 0 {
			log.Info("deleted the inbox's old records", "rows", updates)
		}
		return err
	}
}
