package storage

import (
	"context"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

// OrderIDMatchesSQL lets the agreement test read the facts the order-id
// linking rule decides from.
const OrderIDMatchesSQL = orderIDMatchesSQL

// DecideInBatchesOf makes standings runs decide n members at a time, until
// the test ends.
func DecideInBatchesOf(t interface{ Cleanup(func()) }, n int) {
	old := decideBatch
	decideBatch = n
	t.Cleanup(func() { decideBatch = old })
}

// DriftBudgetOf makes standings runs decide again at most n members only
// because their percentiles drifted, until the test ends.
func DriftBudgetOf(t interface{ Cleanup(func()) }, n int) {
	old := driftBudget
	driftBudget = n
	t.Cleanup(func() { driftBudget = old })
}

// The outbox's statements, for the benchmarks to EXPLAIN.
const (
	ClaimDeliveriesSQL = claimDeliveriesSQL
	NextDueSQL         = nextDueSQL
)

// What an erasure looks the member up with, for the tests to run and
// EXPLAIN.
const (
	EventsNamingSQL    = eventsNamingSQL
	AuditNamingSQL     = auditNamingSQL
	PrivateChatsSQL    = privateChatsSQL
	AuditUsersSQL      = auditUsersSQL
	AuditByAccountsSQL = auditByAccountsSQL
)

// CopyEvents queues events in one transaction as a standings run does.
func (s *Store) CopyEvents(ctx context.Context, events []community.Event) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error { return copyEvents(ctx, tx, events) })
}

// InsertEvent queues one event in a transaction of its own.
func (s *Store) InsertEvent(ctx context.Context, e community.Event) error {
	return insertEvent(ctx, s.db, e)
}

// MigrateUpTo applies the migrations up to version, for tests of what a
// migration does to data written under the ones before.
func MigrateUpTo(ctx context.Context, m *Migrator, version int64) error {
	_, err := m.provider.UpTo(ctx, version)
	return err
}
