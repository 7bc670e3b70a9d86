package storage_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

var quiet = slog.New(slog.DiscardHandler)

func openEmpty(t *testing.T) (*sqlx.DB, string) {
	t.Helper()
	dsn := storagetest.EmptyURL(t)
	db, err := storage.Open(context.Background(), dsn, storage.DefaultPoolOptions, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

func newMigrator(t *testing.T, db *sqlx.DB) *storage.Migrator {
	t.Helper()
	m, err := storage.NewMigrator(db, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMigrateAppliesEverythingOnceThenNothing(t *testing.T) {
	ctx := context.Background()
	db, _ := openEmpty(t)
	m := newMigrator(t, db)

	if err := m.Ready(ctx); err == nil {
		t.Fatal("Ready on an empty database: got nil, want a pending-migrations error")
	}
	applied, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[0].Name != "00001_init.sql" {
		t.Fatalf("first Up applied %+v, want 00001_init.sql first", applied)
	}
	again, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second Up applied %+v, want nothing", again)
	}
	if err := m.Ready(ctx); err != nil {
		t.Fatalf("Ready after Up: %v", err)
	}
	current, latest, err := m.Version(ctx)
	if err != nil || current != latest || current != applied[len(applied)-1].Version {
		t.Fatalf("version: current %d latest %d (%v), want both %d", current, latest, err, applied[len(applied)-1].Version)
	}
	status, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range status {
		if !s.Applied || s.AppliedAt.IsZero() {
			t.Errorf("status of %s: %+v, want applied with a time", s.Name, s)
		}
	}
}

// TestConcurrentMigrationsBothSucceed starts several migrators on one empty
// database at once, as replicas starting together do: all must succeed and
// each migration must be applied exactly once.
func TestConcurrentMigrationsBothSucceed(t *testing.T) {
	ctx := context.Background()
	_, dsn := openEmpty(t)
	const processes = 4
	var wg sync.WaitGroup
	errs := make([]error, processes)
	counts := make([]int, processes)
	for i := range processes {
		wg.Go(func() {
			db, err := storage.Open(ctx, dsn, storage.DefaultPoolOptions, quiet)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			m, err := storage.NewMigrator(db, quiet)
			if err != nil {
				errs[i] = err
				return
			}
			applied, err := m.Up(ctx)
			counts[i], errs[i] = len(applied), err
		})
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
		total += counts[i]
	}
	db, _ := openEmpty(t)
	want, err := newMigrator(t, db).Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(want) {
		t.Fatalf("migrations applied across %d migrators: %d, want each of the %d once", processes, total, len(want))
	}
}

// TestMigration32RepairsWhatAnUncountLost: under migration 00029's
// trigger, uncounting one of the two messages of a member's day dropped
// the day's rollups whole; 00032 sums such days again from the raw
// activities.
func TestMigration32RepairsWhatAnUncountLost(t *testing.T) {
	ctx := context.Background()
	db, _ := openEmpty(t)
	m := newMigrator(t, db)
	if err := storage.MigrateUpTo(ctx, m, 31); err != nil {
		t.Fatal(err)
	}
	db.MustExec(`INSERT INTO members (display_name, language) VALUES ('Bob', 'en')`)
	db.MustExec(`INSERT INTO chats (platform, platform_chat_id, kind, title) VALUES ('telegram', '-1001', 'group', 'Tea')`)
	db.MustExec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id)
SELECT (SELECT id FROM members), (SELECT id FROM chats), 'message', '2026-11-20 10:00Z'::timestamptz + i * interval '1 minute', 'm' || i
FROM generate_series(1, 2) i`)
	db.MustExec(`UPDATE activities SET uncounted_at = now(), uncounted_xid = pg_current_xact_id() WHERE message_id = 'm1'`)
	if n := storagetest.Count(t, db, `SELECT count(*) FROM activity_days`); n != 0 {
		t.Fatalf("%d rollups under 00029 after the uncount: the test shows nothing", n)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if n := storagetest.Count(t, db, `SELECT n FROM activity_days WHERE day = '2026-11-20' AND kind = 'message'`); n != 1 {
		t.Errorf("the member's day holds %d after the repair, want the one message still counted", n)
	}
	if n := storagetest.Count(t, db, `SELECT n FROM chat_activity_days WHERE day = '2026-11-20' AND kind = 'message'`); n != 1 {
		t.Errorf("the chat's day holds %d after the repair, want 1", n)
	}
	// And the trigger now takes one out, not the day.
	db.MustExec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id)
SELECT (SELECT id FROM members), (SELECT id FROM chats), 'message', '2026-11-21 10:00Z'::timestamptz + i * interval '1 minute', 'n' || i
FROM generate_series(1, 2) i`)
	db.MustExec(`UPDATE activities SET uncounted_at = now(), uncounted_xid = pg_current_xact_id() WHERE message_id = 'n1'`)
	if n := storagetest.Count(t, db, `SELECT n FROM activity_days WHERE day = '2026-11-21' AND kind = 'message'`); n != 1 {
		t.Errorf("one of two messages uncounted leaves %d in the day's rollup, want 1", n)
	}
}
