package storage

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles holds the schema as numbered plain SQL files
// (migrations/00001_init.sql, ...), applied in order with goose.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrator applies and inspects the schema migrations of one database.
// Concurrent Up calls from several processes are safe: they take turns under
// a PostgreSQL advisory lock held for the session.
type Migrator struct {
	provider *goose.Provider
}

// Migration is one migration file and what happened to it.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time     // zero unless Applied
	Duration  time.Duration // how long Up took to apply it
}

// NewMigrator prepares the embedded migrations for db. log receives goose's
// own messages at debug level.
func NewMigrator(db *sqlx.DB, log *slog.Logger) (*Migrator, error) {
	files, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	// Poll for the lock every second for up to five minutes: a second process
	// starting alongside waits for the first to finish, then finds nothing to do.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db.DB, files,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(log.With("component", "migrations")),
	)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return &Migrator{provider: provider}, nil
}

// Up applies every pending migration and returns those it applied (none when
// the schema is already current).
func (m *Migrator) Up(ctx context.Context) ([]Migration, error) {
	results, err := m.provider.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	applied := make([]Migration, 0, len(results))
	for _, r := range results {
		applied = append(applied, Migration{
			Version:  r.Source.Version,
			Name:     path.Base(r.Source.Path),
			Applied:  true,
			Duration: r.Duration,
		})
	}
	return applied, nil
}

// Status lists every migration, applied or pending, in order.
func (m *Migrator) Status(ctx context.Context) ([]Migration, error) {
	statuses, err := m.provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]Migration, 0, len(statuses))
	for _, s := range statuses {
		out = append(out, Migration{
			Version:   s.Source.Version,
			Name:      path.Base(s.Source.Path),
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Version returns the schema version of the database and the newest version
// this build knows.
func (m *Migrator) Version(ctx context.Context) (current, latest int64, err error) {
	current, latest, err = m.provider.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("schema version: %w", err)
	}
	return current, latest, nil
}

// Ready reports whether the database answers and has every migration
// applied; the error says which is not the case.
func (m *Migrator) Ready(ctx context.Context) error {
	if err := m.provider.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	pending, err := m.provider.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("check migrations: %w", err)
	}
	if pending {
		current, latest, _ := m.Version(ctx)
		return fmt.Errorf("migrations pending: schema at version %d of %d", current, latest)
	}
	return nil
}
