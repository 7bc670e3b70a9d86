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
INSERT INTO tickets (member_id, platform, asked_in, text, opened_at, urgency, first_response_due, resolution_due)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		int64(t.Member), t.Platform, t.AskedIn, t.Text, t.OpenedAt, urgencyOrLow(t.Urgency), t.FirstResponseDue, t.ResolutionDue); err != nil {
		return t, fmt.Errorf("open a ticket: %w", err)
	}
	return t, saveEffects(ctx, tx, effects(t))
}

// urgencyOrLow is a ticket's urgency as saved: one opened without triage
// is low.
func urgencyOrLow(u support.Urgency) string {
	if u == "" {
		return string(support.UrgencyLow)
	}
	return string(u)
}

type ticketRow struct {
	ID               int64           `db:"id"`
	Member           int64           `db:"member_id"`
	Name             string          `db:"display_name"`
	Platform         string          `db:"platform"`
	AskedIn          string          `db:"asked_in"`
	Text             string          `db:"text"`
	OpenedAt         time.Time       `db:"opened_at"`
	ClosedAt         sql.NullTime    `db:"closed_at"`
	ClosedBy         sql.NullInt64   `db:"closed_by"`
	Priority         sql.NullFloat64 `db:"priority"`
	Urgency          string          `db:"urgency"`
	FirstResponseDue time.Time       `db:"first_response_due"`
	ResolutionDue    time.Time       `db:"resolution_due"`
	FirstResponseAt  sql.NullTime    `db:"first_response_at"`
	Assignee         sql.NullInt64   `db:"assignee_id"`
	AssigneeName     sql.NullString  `db:"assignee_name"`
	Resolution       string          `db:"resolution"`
	ReopenedAt       sql.NullTime    `db:"reopened_at"`
}

func (r ticketRow) ticket() support.Ticket {
	return support.Ticket{ID: r.ID, Member: community.MemberID(r.Member), Name: r.Name, Platform: community.Platform(r.Platform),
		AskedIn: r.AskedIn, Text: r.Text, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt.Time,
		ClosedBy: community.MemberID(r.ClosedBy.Int64), Priority: r.Priority.Float64, Ranked: r.Priority.Valid,
		Urgency: support.Urgency(r.Urgency), FirstResponseDue: r.FirstResponseDue, ResolutionDue: r.ResolutionDue,
		FirstResponseAt: r.FirstResponseAt.Time, Assignee: community.MemberID(r.Assignee.Int64), AssigneeName: r.AssigneeName.String,
		Resolution: r.Resolution, ReopenedAt: r.ReopenedAt.Time}
}

const ticketsSQL = `
SELECT t.id, t.member_id, m.display_name, t.platform, t.asked_in, t.text, t.opened_at, t.closed_at, t.closed_by, st.priority,
    t.urgency, t.first_response_due, t.resolution_due, t.first_response_at, t.assignee_id, a.display_name AS assignee_name,
    t.resolution, t.reopened_at
FROM tickets t
JOIN members m ON m.id = t.member_id
LEFT JOIN member_standings st ON st.member_id = t.member_id
LEFT JOIN members a ON a.id = t.assignee_id
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

// ChangeTicket implements support.Store: the ticket is read locked, so
// that two staff members' changes of it are made one after the other.
func (s *Store) ChangeTicket(ctx context.Context, id int64, change func(support.Ticket) (support.Ticket, support.Effects, error)) (support.Ticket, error) {
	var t support.Ticket
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE`, id); err != nil {
			return fmt.Errorf("lock ticket %d: %w", id, err)
		}
		old, err := readTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		var effects support.Effects
		if t, effects, err = change(old); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
UPDATE tickets SET closed_at = $2, closed_by = NULLIF($3, 0), resolution = $4, first_response_at = $5,
    assignee_id = NULLIF($6, 0), reopened_at = $7, resolution_due = $8
WHERE id = $1`, id, nullTime(t.ClosedAt), int64(t.ClosedBy), t.Resolution, nullTime(t.FirstResponseAt),
			int64(t.Assignee), nullTime(t.ReopenedAt), t.ResolutionDue); err != nil {
			return fmt.Errorf("change ticket %d: %w", id, err)
		}
		return saveEffects(ctx, tx, effects)
	})
	if err != nil {
		return t, err
	}
	return s.Ticket(ctx, id)
}

// TicketCustomer implements support.Store.
func (s *Store) TicketCustomer(ctx context.Context, member community.MemberID, detractorSince time.Time) (support.Customer, error) {
	var row struct {
		Tier      sql.NullString `db:"tier"`
		Flags     sql.NullInt16  `db:"flags"`
		Detractor bool           `db:"detractor"`
	}
	err := s.db.GetContext(ctx, &row, `
SELECT st.tier, st.flags,
    EXISTS (SELECT 1 FROM nps_answers a WHERE a.member_id = m.id AND a.score <= 6 AND a.answered_at >= $2) AS detractor
FROM members m LEFT JOIN member_standings st ON st.member_id = m.id
WHERE m.id = $1`, int64(member), detractorSince)
	if err == sql.ErrNoRows {
		return support.Customer{}, nil // a member not saved yet: nothing known
	}
	if err != nil {
		return support.Customer{}, fmt.Errorf("member %d's standing: %w", member, err)
	}
	c := support.Customer{Ranked: row.Tier.Valid, Flags: community.Flags(row.Flags.Int16), Detractor: row.Detractor}
	if row.Tier.Valid {
		if c.Tier, err = community.ParseTier(row.Tier.String); err != nil {
			return support.Customer{}, fmt.Errorf("member %d's standing: %w", member, err)
		}
	}
	return c, nil
}

// RaiseAlert implements support.AlertStore: the alert's row and its
// effects in one transaction; an alert raised before (by this replica or
// another) saves nothing.
func (s *Store) RaiseAlert(ctx context.Context, a support.Alert, effects support.Effects) (bool, error) {
	raised := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO ticket_sla_alerts (ticket_id, clock, kind, due, raised_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING`, a.Ticket, string(a.Clock), string(a.Kind), a.Due, a.At)
		if err != nil {
			return fmt.Errorf("raise the %s %s of ticket %d: %w", a.Clock, a.Kind, a.Ticket, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		raised = true
		return saveEffects(ctx, tx, effects)
	})
	return raised, err
}
