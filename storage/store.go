package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

// Store implements the domain's and the chat layer's stores on PostgreSQL.
type Store struct {
	db     *sqlx.DB
	outbox outboxConn // see onOutboxConn
}

// New returns a store on an open, migrated database.
func New(db *sqlx.DB) *Store { return &Store{db: db} }

// DB returns the underlying pool.
func (s *Store) DB() *sqlx.DB { return s.db }

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return fmt.Errorf("%w (rollback: %v)", err, rbErr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// The stores this package implements.
var (
	_ community.StaffStore  = (*Store)(nil)
	_ community.AccessStore = (*Store)(nil)
)
