package support

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// Desk holds the rules of support: which questions open a ticket, how
// urgent each is and when it is due, what each change of a ticket
// records, the order staff serve them in, and who may mark an answer
// helpful. It knows nothing about chats or SQL.
type Desk struct {
	store  Store
	policy SLAPolicy
	now    func() time.Time
}

// NewDesk returns the support desk, with the DefaultSLAPolicy.
func NewDesk(store Store, now func() time.Time) *Desk {
	return &Desk{store: store, policy: DefaultSLAPolicy(), now: now}
}

// WithPolicy returns the desk keeping the SLA policy p.
func (d *Desk) WithPolicy(p SLAPolicy) *Desk {
	c := *d
	c.policy = p
	return &c
}

// Over returns the desk working through another store (a transaction's).
func (d *Desk) Over(store Store) *Desk {
	c := *d
	c.store = store
	return &c
}

// Policy is the desk's SLA policy.
func (d *Desk) Policy() SLAPolicy { return d.policy }

// Triage sets a new ticket's urgency, from where its member stands, and
// its due times.
func (d *Desk) Triage(ctx context.Context, t Ticket) (Ticket, error) {
	c, err := d.store.TicketCustomer(ctx, t.Member, t.OpenedAt.Add(-DetractorWithin))
	if err != nil {
		return t, err
	}
	return d.policy.Due(t, c), nil
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
	t, err := d.Triage(ctx, Ticket{Member: q.Member, Name: q.Name, Platform: q.Platform, AskedIn: q.Where, Text: text, OpenedAt: d.now()})
	if err != nil {
		return Ticket{}, err
	}
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

// MaxResolution is the longest resolution staff may write when closing
// a ticket, in characters.
const MaxResolution = 500

// Close marks a ticket answered by a staff member, with what they wrote
// about it (may be empty); closing answers it, if nobody had. A ticket
// closes once (EConflict after), and an unknown one is ENotFound.
func (d *Desk) Close(ctx context.Context, id int64, by community.MemberID, resolution string) (Ticket, error) {
	resolution = strings.TrimSpace(resolution)
	if n := utf8.RuneCountInString(resolution); n > MaxResolution {
		return Ticket{}, community.Errorf(community.EInvalid, "tickets.resolution_too_long", map[string]any{"Max": MaxResolution, "Length": n},
			"a resolution of %d characters; at most %d", n, MaxResolution)
	}
	if strings.ContainsRune(resolution, 0) || !utf8.ValidString(resolution) {
		return Ticket{}, community.Errorf(community.EInvalid, "tickets.bad_text", nil, "a resolution with a NUL or broken UTF-8")
	}
	now := d.now()
	return d.store.ChangeTicket(ctx, id, func(t Ticket) (Ticket, Effects, error) {
		if !t.Open() {
			return t, Effects{}, community.Errorf(community.EConflict, "tickets.already_closed", map[string]any{"ID": id}, "ticket %d is already closed", id)
		}
		t.ClosedAt, t.ClosedBy, t.Resolution = now, by, resolution
		if t.FirstResponseAt.IsZero() {
			t.FirstResponseAt = now
		}
		// The resolution stays on the ticket, staff-only: the audit entry,
		// which names the member, is in their export.
		details := map[string]any{"ticket": t.ID}
		return t, Effects{Audit: []community.AuditEntry{{At: now, Actor: by, Action: community.AuditTicketClosed, Target: t.Member, Details: details}},
			Events: []community.Event{community.NewEvent(EventTicketClosed, Closed{Ticket: t.ID, Member: t.Member, Text: t.Text, At: now}, now)}}, nil
	})
}

// Claim makes a staff member the open ticket's assignee; a ticket someone
// else claimed is EConflict (use Assign to hand it over).
func (d *Desk) Claim(ctx context.Context, id int64, by community.MemberID) (Ticket, error) {
	now := d.now()
	return d.store.ChangeTicket(ctx, id, func(t Ticket) (Ticket, Effects, error) {
		switch {
		case !t.Open():
			return t, Effects{}, community.Errorf(community.EConflict, "tickets.already_closed", map[string]any{"ID": id}, "ticket %d is closed", id)
		case t.Assignee == by:
			return t, Effects{}, community.Errorf(community.EConflict, "tickets.already_yours", map[string]any{"ID": id}, "ticket %d is already yours", id)
		case t.Assignee != 0:
			return t, Effects{}, community.Errorf(community.EConflict, "tickets.claimed_by", map[string]any{"ID": id, "Name": t.AssigneeName},
				"ticket %d is claimed by member %d", id, t.Assignee)
		}
		t.Assignee = by
		return t, Effects{Audit: []community.AuditEntry{{At: now, Actor: by, Action: AuditTicketClaimed, Target: t.Member,
			Details: map[string]any{"ticket": t.ID}}}}, nil
	})
}

// Assign hands an open ticket to a staff member (the caller checks that
// to is staff), whoever had it.
func (d *Desk) Assign(ctx context.Context, id int64, to, by community.MemberID) (Ticket, error) {
	now := d.now()
	return d.store.ChangeTicket(ctx, id, func(t Ticket) (Ticket, Effects, error) {
		if !t.Open() {
			return t, Effects{}, community.Errorf(community.EConflict, "tickets.already_closed", map[string]any{"ID": id}, "ticket %d is closed", id)
		}
		from := t.Assignee
		t.Assignee = to
		return t, Effects{Audit: []community.AuditEntry{{At: now, Actor: by, Action: AuditTicketAssigned, Target: t.Member,
			Details: map[string]any{"ticket": t.ID, "to": int64(to), "from": int64(from)}}}}, nil
	})
}

// Reopen opens a closed ticket again: its resolution is due its target's
// business time from now, and its resolution note is cleared.
func (d *Desk) Reopen(ctx context.Context, id int64, by community.MemberID) (Ticket, error) {
	now := d.now()
	return d.store.ChangeTicket(ctx, id, func(t Ticket) (Ticket, Effects, error) {
		if t.Open() {
			return t, Effects{}, community.Errorf(community.EConflict, "tickets.still_open", map[string]any{"ID": id}, "ticket %d is open", id)
		}
		t.ClosedAt, t.ClosedBy, t.Resolution, t.ReopenedAt = time.Time{}, 0, "", now
		t.CSAT, t.CSATComment, t.CSATAt = 0, "", time.Time{} // rated again when it closes again
		t.ResolutionDue = d.policy.Hours.Add(now, d.policy.Targets[t.Urgency].Resolution)
		return t, Effects{Audit: []community.AuditEntry{{At: now, Actor: by, Action: AuditTicketReopened, Target: t.Member,
			Details: map[string]any{"ticket": t.ID}}},
			Events: []community.Event{community.NewEvent(EventTicketReopened, Reopened{Ticket: t.ID, At: now}, now)}}, nil
	})
}

// Reopened is the payload of EventTicketReopened.
type Reopened struct {
	Ticket int64     `json:"ticket"`
	At     time.Time `json:"at"`
}

// EventTicketReopened reopens a ticket's threads in the staff chats.
const EventTicketReopened = "support.ticket_reopened"

// The audit actions of tickets besides their opening and closing.
const (
	AuditTicketClaimed  = "ticket.claimed"
	AuditTicketAssigned = "ticket.assigned"
	AuditTicketReopened = "ticket.reopened"
)

// Queue returns up to limit open tickets, of one member or (0) everyone's,
// in the order staff should serve them (QueueOrder).
func (d *Desk) Queue(ctx context.Context, member community.MemberID, limit int) ([]Ticket, error) {
	waiting, err := d.store.WaitingTickets(ctx, member)
	if err != nil {
		return nil, err
	}
	return FirstServed(waiting, limit), nil
}
