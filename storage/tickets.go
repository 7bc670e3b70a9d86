package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
	"github.com/jmoiron/sqlx"
)

var _ support.Store = (*Store)(nil)

// OpenTicket implements support.Store: the ticket and the effects of
// opening it, in one transaction.
func (s *Store) OpenTicket(ctx context.Context, t support.Ticket, effects func(support.Ticket) support.Effects) (support.Ticket, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		t, err = openTicket(ctx, tx, t, effects)
		return err
	})
	if err != nil {
		return support.Ticket{}, err
	}
	return t, nil
}

// openTicket saves a new ticket and the effects of opening it in tx.
func openTicket(ctx context.Context, tx *sqlx.Tx, t support.Ticket, effects func(support.Ticket) support.Effects) (support.Ticket, error) {
	if err := tx.GetContext(ctx, &t.ID, `
INSERT INTO tickets (member_id, platform, asked_in, text, opened_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		int64(t.Member), t.Platform, t.AskedIn, t.Text, t.OpenedAt); err != nil {
		return t, fmt.Errorf("open a ticket: %w", err)
	}
	return t, saveEffects(ctx, tx, effects(t))
}

type ticketRow struct {
	ID       int64           `db:"id"`
	Member   int64           `db:"member_id"`
	Name     string          `db:"display_name"`
	Platform string          `db:"platform"`
	AskedIn  string          `db:"asked_in"`
	Text     string          `db:"text"`
	OpenedAt time.Time       `db:"opened_at"`
	ClosedAt sql.NullTime    `db:"closed_at"`
	ClosedBy sql.NullInt64   `db:"closed_by"`
	Priority sql.NullFloat64 `db:"priority"`
}

func (r ticketRow) ticket() support.Ticket {
	return support.Ticket{ID: r.ID, Member: community.MemberID(r.Member), Name: r.Name, Platform: community.Platform(r.Platform),
		AskedIn: r.AskedIn, Text: r.Text, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt.Time,
		ClosedBy: community.MemberID(r.ClosedBy.Int64), Priority: r.Priority.Float64, Ranked: r.Priority.Valid}
}

const ticketsSQL = `
SELECT t.id, t.member_id, m.display_name, t.platform, t.asked_in, t.text, t.opened_at, t.closed_at, t.closed_by, st.priority
FROM tickets t
JOIN members m ON m.id = t.member_id
LEFT JOIN member_standings st ON st.member_id = t.member_id
`

// Ticket returns one ticket with its member's name and priority now;
// ENotFound when there is none.
func (s *Store) Ticket(ctx context.Context, id int64) (support.Ticket, error) {
	return readTicket(ctx, s.db, id)
}

// readTicket reads one ticket; ENotFound when there is none.
func readTicket(ctx context.Context, q sqlx.QueryerContext, id int64) (support.Ticket, error) {
	var r ticketRow
	err := sqlx.GetContext(ctx, q, &r, ticketsSQL+`WHERE t.id = $1`, id)
	if err == sql.ErrNoRows {
		return support.Ticket{}, support.TicketNotFound(id)
	}
	if err != nil {
		return support.Ticket{}, fmt.Errorf("ticket %d: %w", id, err)
	}
	return r.ticket(), nil
}

// WaitingTickets implements support.Store.
func (s *Store) WaitingTickets(ctx context.Context, member community.MemberID) ([]support.Ticket, error) {
	var rows []ticketRow
	if err := s.db.SelectContext(ctx, &rows, ticketsSQL+`
WHERE t.closed_at IS NULL AND ($1 = 0 OR t.member_id = $1)`, int64(member)); err != nil {
		return nil, fmt.Errorf("open tickets: %w", err)
	}
	out := make([]support.Ticket, len(rows))
	for i, r := range rows {
		out[i] = r.ticket()
	}
	return out, nil
}

// CloseTicket implements support.Store: the close and its effects, which
// see the whole ticket as closed, in one transaction.
func (s *Store) CloseTicket(ctx context.Context, id int64, by community.MemberID, at time.Time, effects func(support.Ticket) support.Effects) (support.Ticket, bool, error) {
	var t support.Ticket
	closed := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET closed_at = $2, closed_by = $3 WHERE id = $1 AND closed_at IS NULL`, id, at, int64(by))
		if err != nil {
			return fmt.Errorf("close ticket %d: %w", id, err)
		}
		n, _ := res.RowsAffected()
		if t, err = readTicket(ctx, tx, id); err != nil {
			return err
		}
		if closed = n == 1; !closed {
			return nil // closed already: the ticket says by whom
		}
		return saveEffects(ctx, tx, effects(t))
	})
	return t, closed, err
}
