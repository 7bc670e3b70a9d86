package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// Patience is how long a test waits for a fact before it fails: long
// enough for a loaded machine, never part of what a test asserts.
const Patience = 30 * time.Second

// pollEvery is how often a wait looks again.
const pollEvery = 10 * time.Millisecond

// Eventually waits until cond holds, failing the test after Patience with
// a message naming what it waited for. Tests wait for facts with it,
// never for a length of time.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	Await(t, cond, func() string { return what })
}

// Await is Eventually for a failure that tells more: what, called only
// when Patience ran out, says what was awaited and what was seen last.
func Await(t testing.TB, cond func() bool, what func() string) {
	t.Helper()
	for deadline := time.Now().Add(Patience); !cond(); time.Sleep(pollEvery) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", Patience, what())
		}
	}
}

// Count runs a query that counts rows.
func Count(t testing.TB, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// WaitCount waits until query counts want rows.
func WaitCount(t testing.TB, db *sqlx.DB, want int, query string, args ...any) {
	t.Helper()
	n := 0
	Await(t, func() bool { n = Count(t, db, query, args...); return n == want },
		func() string { return fmt.Sprintf("%s to count %d (it counts %d)", query, want, n) })
}

// The queries whose zero means nothing is left to do.
const (
	unhandledSQL = `SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL`
	inboxSQL     = `SELECT count(*) FROM inbox WHERE NOT erased`
	eventsSQL    = `SELECT count(*) FROM outbox_events WHERE status = 'pending'`
	pendingSQL   = `SELECT count(*) FROM deliveries WHERE status = 'pending'`
	dueSQL       = `SELECT count(*) FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now()`
)

// waitNone waits until each count query, in turn, counts no row.
func waitNone(t testing.TB, db *sqlx.DB, queries ...string) {
	t.Helper()
	for _, q := range queries {
		WaitCount(t, db, 0, q)
	}
}

// WaitInboxSettled waits until every recorded update is handled and the
// inbox is empty: a redelivered copy queued again counts as unhandled.
func WaitInboxSettled(t testing.TB, db *sqlx.DB) {
	t.Helper()
	waitNone(t, db, unhandledSQL, inboxSQL)
}

// WaitOutboxEmpty waits until every event is rendered and every delivery
// sent (or given up).
func WaitOutboxEmpty(t testing.TB, db *sqlx.DB) {
	t.Helper()
	waitNone(t, db, eventsSQL, pendingSQL)
}

// WaitOutboxIdle waits until the outbox has nothing due: what waits still
// (held for quiet hours, a retry) is not sent before it falls due.
func WaitOutboxIdle(t testing.TB, db *sqlx.DB) {
	t.Helper()
	waitNone(t, db, eventsSQL, dueSQL)
}

// WaitSettled waits until the inbox is settled and the outbox empty: once
// an update was recorded and handled, all it caused is in the outbox, so
// after this nothing more follows from what the test did. The checks that
// something did not happen come after it.
func WaitSettled(t testing.TB, db *sqlx.DB) {
	t.Helper()
	WaitInboxSettled(t, db)
	WaitOutboxEmpty(t, db)
}

// WaitHandled waits until the platform's update key was recorded, handled
// and has left the inbox, and the outbox has nothing due: what the update
// caused is sent, or waits for its time.
func WaitHandled(t testing.TB, db *sqlx.DB, platform, key string) {
	t.Helper()
	WaitCount(t, db, 1, `SELECT count(*) FROM inbound_updates WHERE platform = $1 AND update_key = $2 AND handled_at IS NOT NULL`,
		platform, key)
	WaitCount(t, db, 0, `SELECT count(*) FROM inbox WHERE platform = $1 AND update_key = $2 AND NOT erased`, platform, key)
	WaitOutboxIdle(t, db)
}

// WaitLockWaits waits until n statements on the test's database wait for
// a lock: the moment a test that orders two transactions lets the first go.
func WaitLockWaits(t testing.TB, db *sqlx.DB, n int) {
	t.Helper()
	Eventually(t, fmt.Sprintf("%d statements waiting for a lock", n), func() bool {
		return Count(t, db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) >= n
	})
}
