package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/storage"
)

// scheduler runs every scheduled job of Hearth, the nightly CLV run and
// every feature's jobs alike, each on its timetable until its context
// ends. Across replicas one of them runs each slot of a job: the slot is
// claimed in job_runs under the job's advisory lock.
type scheduler struct {
	slots slotClaimer
	clock clock
	log   *slog.Logger
}

// slotClaimer runs a job's slot unless a replica has claimed it
// (storage.Store.RunScheduled), reporting whether it ran.
type slotClaimer interface {
	RunScheduled(ctx context.Context, job string, slot time.Time, fn func(ctx context.Context) error) (bool, error)
}

// clock is the scheduler's time: the system's, or a test's.
type clock interface {
	Now() time.Time
	// SleepUntil waits until the clock reads t, or ctx ends: it reports
	// whether t came.
	SleepUntil(ctx context.Context, t time.Time) bool
}

// systemClock is the clock of the machine.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) SleepUntil(ctx context.Context, t time.Time) bool {
	for { // a wall clock set back while we sleep is waited for again
		d := time.Until(t)
		if d <= 0 {
			return true
		}
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return false
		case <-timer.C:
		}
	}
}

// start checks jobs and runs each of them on its timetable until ctx
// ends. The returned channel closes when every job has stopped.
func (s *scheduler) start(ctx context.Context, jobs []community.Job) (<-chan struct{}, error) {
	if err := community.CheckJobs(jobs); err != nil {
		return nil, fmt.Errorf("scheduled jobs: %w", err)
	}
	var wg sync.WaitGroup
	for _, job := range jobs {
		tt, _ := job.Timetable() // checked above
		wg.Go(func() { s.runJob(ctx, job, tt) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done, nil
}

// runJob runs job's slots as they come, one after the other. A periodic
// job first runs the slot under way; a run that outlasts the next slots
// skips them.
func (s *scheduler) runJob(ctx context.Context, job community.Job, tt community.Timetable) {
	now := s.clock.Now()
	slot := tt.Next(now)
	if tt.Periodic() {
		slot = tt.SlotAt(now)
	}
	for !slot.IsZero() && s.clock.SleepUntil(ctx, slot) {
		s.runSlot(ctx, job, tt, slot)
		slot = tt.Next(latest(slot, s.clock.Now()))
	}
}

// runSlot runs job's slot here unless another replica does, and logs how
// it went: the runs of a periodic job in debug, as they come every minute
// or so.
func (s *scheduler) runSlot(ctx context.Context, job community.Job, tt community.Timetable, slot time.Time) {
	start := time.Now()
	ran, err := s.slots.RunScheduled(ctx, job.Name, slot, job.Run)
	switch {
	case err != nil && ctx.Err() != nil: // stopping: the run was cut short
	case err != nil:
		s.log.Error("scheduled job failed", "job", job.Name, "slot", slot, "error", err)
	case ran && tt.Periodic():
		s.log.Debug("scheduled job done", "job", job.Name, "slot", slot, "took", time.Since(start).Round(time.Millisecond))
	case ran:
		s.log.Info("scheduled job done", "job", job.Name, "slot", slot, "took", time.Since(start).Round(time.Millisecond))
	default:
		s.log.Debug("scheduled job run by another replica", "job", job.Name, "slot", slot)
	}
}

// latest is the later of a and b.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// hearthJobs are the jobs of Hearth's own: the nightly CLV run and the
// hourly prune of the outbox, the inbox and the audit log. The domain services and the
// features bring theirs (chat.Jobs).
func hearthJobs(cfg config.Config, store *storage.Store, clvOptions clv.ScoreOptions, log *slog.Logger) []community.Job {
	return []community.Job{
		nightlyCLVJob(cfg, func(ctx context.Context) error {
			_, _, err := refreshCLV(ctx, store, clvOptions, time.Now())
			return err
		}),
		outboxPruneJob(pruneRecords(store, retentionOf(cfg), time.Now, log)),
	}
}

// clvJob names the nightly CLV run in job_runs and its advisory lock.
const clvJob = "clv.refresh"

// nightlyCLVJob is the CLV run every night at clv.refresh_at in
// clv.timezone (or the community's zone). cfg must be validated.
func nightlyCLVJob(cfg config.Config, run func(ctx context.Context) error) community.Job {
	at, _ := time.Parse("15:04", cfg.CLV.RefreshAt)
	return community.Job{Name: clvJob, Schedule: community.Schedule(fmt.Sprintf("%d %d * * *", at.Minute(), at.Hour())),
		Location: cfg.CLVLocation(), Run: run}
}

// outboxPruneJob is run at the start of every hour (UTC).
func outboxPruneJob(run func(ctx context.Context) error) community.Job {
	return community.Job{Name: "outbox.prune", Schedule: "0 * * * *", Location: time.UTC, Run: run}
}

// How long the inbox keeps what it took in: the keys of handled updates
// (to recognise a platform's redelivery: Telegram keeps an update at most
// 24 hours) and the dead letters (for owners to look into).
const (
	keepHandledUpdates = 7 * 24 * time.Hour
	keepDeadUpdates    = 30 * 24 * time.Hour
)

// retention is how long the hourly prune keeps each kind of record.
type retention struct {
	Sent       time.Duration // outbox.keep_sent
	Audit      time.Duration // audit.keep
	Activities time.Duration // engagement.keep_activities
}

func retentionOf(cfg config.Config) retention {
	return retention{Sent: cfg.Outbox.KeepSent, Audit: cfg.Audit.Keep, Activities: cfg.Engagement.KeepActivities}
}

// pruneRecords is the hourly job that deletes, by the clock now, the
// messages sent more than keep.Sent ago and the events they came from;
// what the inbox no longer needs; the audit entries older than
// keep.Audit; and the activities older than keep.Activities.
func pruneRecords(store *storage.Store, keep retention, now func() time.Time, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		messages, events, err := store.PruneOutbox(ctx, now().Add(-keep.Sent))
		if messages+events > 0 {
			log.Info("deleted sent messages past outbox.keep_sent", "messages", messages, "events", events, "keep_sent", keep.Sent)
		}
		if err != nil {
			return err
		}
		updates, err := store.PruneInbox(ctx, now().Add(-keepHandledUpdates), now().Add(-keepDeadUpdates), 1000)
		if updates > 0 {
			log.Info("deleted the inbox's old records", "rows", updates)
		}
		if err != nil {
			return err
		}
		entries, err := store.PruneAudit(ctx, now().Add(-keep.Audit))
		if entries > 0 {
			log.Info("deleted audit entries past audit.keep", "entries", entries, "keep", keep.Audit)
		}
		if err != nil {
			return err
		}
		activities, err := store.PruneActivities(ctx, now().Add(-keep.Activities))
		if activities > 0 {
			log.Info("deleted activities past engagement.keep_activities", "activities", activities, "keep", keep.Activities)
		}
		return err
	}
}
