package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

var _ community.TicketStore = (*Store)(nil)

// RecordQuestion implements community.OnboardingStore: the ticket, its
// audit entry and the event telling staff, in one transaction.
func (s *Store) RecordQuestion(ctx context.Context, q community.Question) (int64, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &q.Ticket, `
INSERT INTO tickets (member_id, platform, asked_in, text, opened_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			int64(q.Member), q.Platform, q.Where, q.Text, q.At); err != nil {
			return fmt.Errorf("open a ticket: %w", err)
		}
		if err := writeAudit(ctx, tx, community.AuditEntry{At: q.At, Actor: q.Member, Action: community.AuditQuestionAsked,
			Details: map[string]any{"platform": string(q.Platform), "where": q.Where, "ticket": q.Ticket}}); err != nil {
			return err
		}
		return insertEvent(ctx, tx, community.NewEvent(community.EventQuestionAsked, q, q.At))
	})
	return q.Ticket, err
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

func (r ticketRow) ticket() community.Ticket {
	return community.Ticket{ID: r.ID, Member: community.MemberID(r.Member), Name: r.Name, Platform: community.Platform(r.Platform),
		AskedIn: r.AskedIn, Text: r.Text, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt.Time,
		ClosedBy: community.MemberID(r.ClosedBy.Int64), Priority: r.Priority.Float64}
}

const ticketsSQL = `
SELECT t.id, t.member_id, m.display_name, t.platform, t.asked_in, t.text, t.opened_at, t.closed_at, t.closed_by, st.priority
FROM tickets t
JOIN members m ON m.id = t.member_id
LEFT JOIN member_standings st ON st.member_id = t.member_id
`

// Ticket implements community.TicketStore.
func (s *Store) Ticket(ctx context.Context, id int64) (community.Ticket, error) {
	var r ticketRow
	err := s.db.GetContext(ctx, &r, ticketsSQL+`WHERE t.id = $1`, id)
	if err == sql.ErrNoRows {
		return community.Ticket{}, notFound("tickets.not_found", map[string]any{"ID": id}, "no ticket %d", id)
	}
	if err != nil {
		return community.Ticket{}, fmt.Errorf("ticket %d: %w", id, err)
	}
	return r.ticket(), nil
}

// OpenTickets implements community.TicketStore.
func (s *Store) OpenTickets(ctx context.Context, member community.MemberID, limit int) ([]community.Ticket, error) {
	var rows []ticketRow
	if err := s.db.SelectContext(ctx, &rows, ticketsSQL+`
WHERE t.closed_at IS NULL AND ($1 = 0 OR t.member_id = $1)
ORDER BY st.priority DESC NULLS LAST, t.opened_at, t.id
LIMIT $2`, int64(member), limit); err != nil {
		return nil, fmt.Errorf("open tickets: %w", err)
	}
	out := make([]community.Ticket, len(rows))
	for i, r := range rows {
		out[i] = r.ticket()
	}
	return out, nil
}

// CloseTicket implements community.TicketStore.
func (s *Store) CloseTicket(ctx context.Context, id int64, by community.MemberID, at time.Time) (community.Ticket, error) {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var member int64
		err := tx.GetContext(ctx, &member, `UPDATE tickets SET closed_at = $2, closed_by = $3 WHERE id = $1 AND closed_at IS NULL RETURNING member_id`,
			id, at, int64(by))
		if err == sql.ErrNoRows {
			var exists bool
			if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM tickets WHERE id = $1)`, id); err != nil {
				return fmt.Errorf("ticket %d: %w", id, err)
			}
			if !exists {
				return notFound("tickets.not_found", map[string]any{"ID": id}, "no ticket %d", id)
			}
			return community.Errorf(community.EConflict, "tickets.already_closed", map[string]any{"ID": id}, "ticket %d is already closed", id)
		}
		if err != nil {
			return fmt.Errorf("close ticket %d: %w", id, err)
		}
		return writeAudit(ctx, tx, community.AuditEntry{At: at, Actor: by, Action: community.AuditTicketClosed, Target: community.MemberID(member),
			Details: map[string]any{"ticket": id}})
	})
	if err != nil {
		return community.Ticket{}, err
	}
	return s.Ticket(ctx, id)
}
