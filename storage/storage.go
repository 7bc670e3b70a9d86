// Package storage keeps Hearth's data in PostgreSQL: it opens the database,
// applies the schema migrations and implements the domain's stores in plain
// SQL with sqlx and lib/pq.
package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hearthbot/hearth/config"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// PoolOptions tunes the connection pool and the wait for the database at
// start-up.
type PoolOptions struct {
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// ConnectTimeout bounds how long Open keeps retrying an unreachable
	// database (it may start after Hearth).
	ConnectTimeout time.Duration
}

// DefaultPoolOptions are sensible settings for one Hearth process.
var DefaultPoolOptions = PoolOptions{MaxOpenConns: 20, MaxIdleConns: 5, ConnMaxLifetime: 30 * time.Minute, ConnectTimeout: time.Minute}

// Open connects to PostgreSQL at dsn and waits, with growing pauses, until it
// answers or opt.ConnectTimeout has passed. Errors that retrying cannot fix
// (a malformed dsn, a wrong password, a missing database) fail at once. No
// error or log line ever shows the dsn's password.
func Open(ctx context.Context, dsn string, opt PoolOptions, log *slog.Logger) (*sqlx.DB, error) {
	where := config.RedactDSN(dsn)
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("database URL %s: %s", where, config.HideDSNPassword(err.Error(), dsn))
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(opt.MaxOpenConns)
	db.SetMaxIdleConns(opt.MaxIdleConns)
	db.SetConnMaxLifetime(opt.ConnMaxLifetime)
	if err := waitForDatabase(ctx, db, opt.ConnectTimeout, log); err != nil {
		db.Close()
		return nil, fmt.Errorf("database at %s: %s", where, config.HideDSNPassword(err.Error(), dsn))
	}
	return db, nil
}

func waitForDatabase(ctx context.Context, db *sqlx.DB, timeout time.Duration, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start, pause := time.Now(), 250*time.Millisecond
	for attempt := 1; ; attempt++ {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return err
		}
		log.Info("waiting for the database", "attempt", attempt, "error", err.Error())
		select {
		case <-ctx.Done():
			return fmt.Errorf("not reachable after %s (%d attempts): %w", time.Since(start).Round(time.Second), attempt, err)
		case <-time.After(pause):
		}
		pause = min(pause*2, 5*time.Second)
	}
}

// retryable tells apart a database that is not up yet (refused, starting,
// shutting down, too busy) from one that refuses us for a reason waiting will
// not change.
func retryable(err error) bool {
	if pqErr, ok := errors.AsType[*pq.Error](err); ok {
		switch pqErr.Code.Class() {
		case "28", "3D": // invalid authorization, invalid catalog (no such database)
			return false
		}
	}
	return !errors.Is(err, context.Canceled)
}
