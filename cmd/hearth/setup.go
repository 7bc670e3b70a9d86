package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/localpg"
	"github.com/jmoiron/sqlx"
)

// newLogger logs to w at the configured level, as text on a terminal and
// JSON otherwise unless log.format says which.
func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.Format
	if format == "" {
		format = config.FormatJSON
		if isTerminal(w) {
			format = config.FormatText
		}
	}
	if format == config.FormatText {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// isTerminal reports whether a stream is a terminal.
func isTerminal(stream any) bool {
	f, ok := stream.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// database is Hearth's open database and, when no URL is configured, the
// private PostgreSQL serving it.
type database struct {
	*sqlx.DB
	dsn   string // for the outbox listener's own connection
	local *localpg.Server
	log   *slog.Logger
}

// openDatabase connects to database.url, or starts the private PostgreSQL in
// <data_dir>/pg when it is empty.
func openDatabase(ctx context.Context, cfg config.Database, log *slog.Logger) (*database, error) {
	d := &database{log: log}
	dsn := cfg.URL.Value()
	if dsn == "" {
		dir := filepath.Join(cfg.DataDir, "pg")
		log.Info("database.url is not set: using the local PostgreSQL", "dir", dir)
		local, err := localpg.Start(ctx, localpg.Options{Dir: dir, Log: log})
		if err != nil {
			return nil, err
		}
		d.local, dsn = local, local.DSN()
	}
	db, err := storage.Open(ctx, dsn, storage.PoolOptions{
		MaxOpenConns:    cfg.MaxOpenConns,
		MaxIdleConns:    cfg.MaxIdleConns,
		ConnMaxLifetime: cfg.ConnMaxLifetime,
		ConnectTimeout:  cfg.ConnectTimeout,
	}, log)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.DB, d.dsn = db, dsn
	return d, nil
}

// localStopped is closed if the private PostgreSQL stops under Hearth; it
// never is for an external database.
func (d *database) localStopped() <-chan struct{} {
	if d.local == nil || !d.local.Started() {
		return nil
	}
	return d.local.Exited()
}

// Close closes the pool and stops the private PostgreSQL if Hearth started it.
func (d *database) Close() {
	if d.DB != nil {
		d.DB.Close()
	}
	if d.local != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
		defer cancel()
		if err := d.local.Stop(ctx); err != nil {
			d.log.Warn("stopping the local PostgreSQL", "error", err)
		}
	}
}

// migrate applies pending migrations and logs each one.
func migrate(ctx context.Context, db *sqlx.DB, log *slog.Logger) (*storage.Migrator, []storage.Migration, error) {
	m, err := storage.NewMigrator(db, log)
	if err != nil {
		return nil, nil, err
	}
	applied, err := m.Up(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range applied {
		log.Info("applied migration", "name", a.Name, "took", a.Duration.Round(time.Millisecond).String())
	}
	return m, applied, nil
}

// openStore opens the database (starting the local PostgreSQL if need
// be) and applies pending migrations, for the commands that read or write
// it; done closes it.
func (c *cli) openStore(ctx context.Context, cfg config.Config) (*storage.Store, func(), error) {
	log := newLogger(cfg.Log, c.stderr)
	db, err := openDatabase(ctx, cfg.Database, log)
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := migrate(ctx, db.DB, log); err != nil {
		db.Close()
		return nil, nil, err
	}
	return storage.New(db.DB), func() { db.Close() }, nil
}
