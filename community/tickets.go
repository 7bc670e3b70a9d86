package community

import (
	"context"
	"time"
)

// Ticket is a member's question to staff, open until a staff member marks
// it answered.
type Ticket struct {
	ID       int64
	Member   MemberID
	Name     string // the member's display name
	Platform Platform
	AskedIn  string // the chat's title; "" for a private chat
	Text     string
	OpenedAt time.Time
	ClosedAt time.Time // zero while open
	ClosedBy MemberID  // 0 while open, or once the staff member is forgotten
	Priority float64   // the member's priority now, 0-100
}

// Open reports whether the ticket still waits for an answer.
func (t Ticket) Open() bool { return t.ClosedAt.IsZero() }

// Question is the ticket as its EventQuestionAsked payload: what staff
// are shown.
func (t Ticket) Question() Question {
	return Question{Ticket: t.ID, Member: t.Member, Name: t.Name, Platform: t.Platform, Where: t.AskedIn, Text: t.Text, At: t.OpenedAt}
}

// TicketStore keeps tickets.
type TicketStore interface {
	// Ticket returns one ticket; ENotFound when there is none.
	Ticket(ctx context.Context, id int64) (Ticket, error)
	// OpenTickets returns up to limit open tickets, of one member or (0)
	// everyone's, the highest priority first and then the oldest.
	OpenTickets(ctx context.Context, member MemberID, limit int) ([]Ticket, error)
	// CloseTicket marks a ticket answered by a staff member, with an
	// audit entry; EConflict when it was already closed, ENotFound when
	// there is no such ticket.
	CloseTicket(ctx context.Context, id int64, by MemberID, at time.Time) (Ticket, error)
}
