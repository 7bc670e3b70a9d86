package support

import (
	"context"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Desk holds the rules of support: which questions open a ticket, what
// opening and closing one records, the order staff serve them in, and who
// may mark an answer helpful. It knows nothing about chats or SQL.
type Desk struct {
	store Store
	now   func() time.Time
}

// NewDesk returns the support desk.
func NewDesk(store Store, now func() time.Time) *Desk {
	return &Desk{store: store, now: now}
}

// MaxQuestion is the longest question a member may send, in characters.
const MaxQuestion = 2000

// Open opens a ticket for a member's question, trimmed, and queues it for
// staff; an empty or too long question is EInvalid.
func (d *Desk) Open(ctx context.Context, q Question) (Ticket, error) {
	text := strings.TrimSpace(q.Text)
	if err := checkQuestion(text); err != nil {
		return Ticket{}, err
	}
	t := Ticket{Member: q.Member, Name: q.Name, Platform: q.Platform, AskedIn: q.Where, Text: text, OpenedAt: d.now()}
	return d.store.OpenTicket(ctx, t, OpeningEffects)
}

// OpeningEffects is what opening a ticket causes: the audit entry of the
// question and the event that shows it to staff.
func OpeningEffects(t Ticket) Effects {
	return Effects{
		Audit: []community.AuditEntry{{At: t.OpenedAt, Actor: t.Member, Action: community.AuditQuestionAsked,
			Details: map[string]any{"platform": string(t.Platform), "where": t.AskedIn, "ticket": t.ID}}},
		Events: []community.Event{community.NewEvent(EventQuestionAsked, t.Question(), t.OpenedAt)},
	}
}

// Close marks a ticket answered by a staff member; a ticket closes once
// (EConflict after), and an unknown one is ENotFound.
func (d *Desk) Close(ctx context.Context, id int64, by community.MemberID) (Ticket, error) {
	t, closed, err := d.store.CloseTicket(ctx, id, by, d.now(), closingEffects)
	if err != nil {
		return t, err
	}
	if !closed {
		return t, community.Errorf(community.EConflict, "tickets.already_closed", map[string]any{"ID": id}, "ticket %d is already closed", id)
	}
	return t, nil
}

// closingEffects is what closing a ticket causes: an audit entry naming who
// answered whom.
func closingEffects(t Ticket) Effects {
	return Effects{Audit: []community.AuditEntry{{At: t.ClosedAt, Actor: t.ClosedBy, Action: community.AuditTicketClosed, Target: t.Member,
		Details: map[string]any{"ticket": t.ID}}}}
}

// Queue returns up to limit open tickets, of one member or (0) everyone's,
// in the order staff should serve them (QueueOrder).
func (d *Desk) Queue(ctx context.Context, member community.MemberID, limit int) ([]Ticket, error) {
	waiting, err := d.store.WaitingTickets(ctx, member)
	if err != nil {
		return nil, err
	}
	return FirstServed(waiting, limit), nil
}
