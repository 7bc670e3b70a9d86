package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestNightlyRunsAtTheConfiguredTimeAndZone: clv.refresh_at in
// clv.timezone (or the community's zone) decides the next run, and every
// replica computes the same slot for a day's run.
func TestNightlyRunsAtTheConfiguredTimeAndZone(t *testing.T) {
	cfg := config.Default()
	cfg.CLV.RefreshAt = "02:30"
	cfg.Community.Timezone = "Europe/Athens"
	job := nightlyCLVJob(cfg, nil)
	tt, err := job.Timetable()
	if err != nil {
		t.Fatal(err)
	}
	athens, _ := time.LoadLocation("Europe/Athens")
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC) // 03:00 in Athens: today's run has passed
	if got, want := tt.Next(now), time.Date(2026, 11, 24, 2, 30, 0, 0, athens); !got.Equal(want) {
		t.Errorf("next run %s, want %s", got, want)
	}
	early, late := time.Date(2026, 11, 24, 0, 29, 58, 0, time.UTC), time.Date(2026, 11, 24, 0, 30, 3, 0, time.UTC)
	if a, b := tt.SlotAt(early), tt.SlotAt(late); !a.Equal(b) || !a.Equal(time.Date(2026, 11, 24, 2, 30, 0, 0, athens)) {
		t.Errorf("slots %s and %s differ for one day's run", a, b)
	}
	cfg.CLV.Timezone = "America/New_York"
	if loc := nightlyCLVJob(cfg, nil).Location.String(); loc != "America/New_York" {
		t.Errorf("clv.timezone ignored: %s", loc)
	}
}

// TestHourlySlotIsTheSameOnEveryReplica: replicas whose clocks differ by
// seconds around the hour claim the same slot, so one of them prunes.
func TestHourlySlotIsTheSameOnEveryReplica(t *testing.T) {
	tt, err := outboxPruneJob(nil).Timetable()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 20, 0, 0, time.UTC)
	if got, want := tt.Next(now), time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("next run %s, want %s", got, want)
	}
	athens, _ := time.LoadLocation("Europe/Athens")
	early, late := time.Date(2026, 11, 23, 10, 59, 57, 0, time.UTC), time.Date(2026, 11, 23, 13, 0, 3, 0, athens)
	a, b := tt.SlotAt(early), tt.SlotAt(late)
	if !a.Equal(b) || !a.Equal(time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("slots %s and %s differ for one hour's run", a, b)
	}
}

// TestOutboxPruneDeletesWhatWasSentBeforeKeepSent: the hourly job, on an
// injected clock, deletes the messages sent more than outbox.keep_sent
// ago, the audit entries older than audit.keep and the activities older
// than engagement.keep_activities (their daily totals stay), and keeps
// the rest; a second replica's run of the same hour does nothing.
func TestOutboxPruneDeletesWhatWasSentBeforeKeepSent(t *testing.T) {
	store := storage.New(storagetest.New(t))
	now := func() time.Time { return time.Date(2026, 11, 23, 11, 0, 1, 0, time.UTC) }
	if _, err := store.DB().Exec(`INSERT INTO deliveries (platform, target_key, target, message, status, sent_at) VALUES
		('telegram', 't:1', '{}', '{"text": "eight days old"}', 'sent', $1::timestamptz - interval '8 days'),
		('telegram', 't:1', '{}', '{"text": "six days old"}', 'sent', $1::timestamptz - interval '6 days')`, now()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().Exec(`INSERT INTO audit_log (at, action) VALUES
		($1::timestamptz - interval '731 days', 'two years and a day'), ($1::timestamptz - interval '729 days', 'a day short of two years')`, now()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().Exec(`WITH m AS (INSERT INTO members (display_name) VALUES ('Ann') RETURNING id)
INSERT INTO activities (member_id, kind, at) SELECT id, 'message', $1::timestamptz - d * interval '1 day' FROM m, unnest(ARRAY[366, 364]) AS d`, now()); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	job := outboxPruneJob(pruneRecords(store, retentionOf(cfg), now, slog.New(slog.DiscardHandler)))
	tt, err := job.Timetable()
	if err != nil {
		t.Fatal(err)
	}
	for replica, wantRan := range []bool{true, false} {
		ran, err := store.RunScheduled(context.Background(), job.Name, tt.SlotAt(now()), job.Run)
		if err != nil || ran != wantRan {
			t.Fatalf("replica %d: ran %t (%v), want %t", replica, ran, err, wantRan)
		}
	}
	var left []string
	if err := store.DB().Select(&left, `SELECT message->>'text' FROM deliveries`); err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "six days old" {
		t.Errorf("left after the prune: %v, want the message of six days ago (keep_sent %s)", left, cfg.Outbox.KeepSent)
	}
	var audit []string
	if err := store.DB().Select(&audit, `SELECT action FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0] != "a day short of two years" {
		t.Errorf("audit left after the prune: %v, want the entry younger than audit.keep (%s)", audit, cfg.Audit.Keep)
	}
	var activities, rollups int
	if err := store.DB().QueryRow(`SELECT (SELECT count(*) FROM activities), (SELECT sum(n) FROM activity_days)`).Scan(&activities, &rollups); err != nil {
		t.Fatal(err)
	}
	if activities != 1 || rollups != 2 {
		t.Errorf("after the prune: %d activities and %d in the daily totals; want the one younger than engagement.keep_activities (%s), and both counted",
			activities, rollups, cfg.Engagement.KeepActivities)
	}
}
