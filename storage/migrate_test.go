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
