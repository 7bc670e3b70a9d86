package botstest

import (
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"
)

// WantTicketMessages fails t unless the tickets' conversation, every
// message in order as "direction:text" ("in", "out" or "note"), is want.
func WantTicketMessages(t testing.TB, db *sqlx.DB, want ...string) {
	t.Helper()
	var rows []string
	if err := db.Select(&rows, `SELECT direction || ':' || text FROM ticket_messages ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows, want) {
		t.Errorf("ticket messages %q, want %q", rows, want)
	}
}
