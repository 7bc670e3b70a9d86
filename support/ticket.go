// Package support answers members' questions: the tickets they open, the
// queue staff serve them from (the most valuable members first), and the
// credit a helpful answer earns its author.
package support

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Ticket is a member's question to staff, open until a staff member marks
// it answered.
type Ticket struct {
	ID       int64
	Member   community.MemberID
	Name     string // the member's display name
	Platform community.Platform
	AskedIn  string // the chat's title; "" for a private chat
	Text     string
	OpenedAt time.Time
	ClosedAt time.Time          // zero while open
	ClosedBy community.MemberID // 0 while open, or once the staff member is forgotten
	// Priority is the member's priority now, 0-100, once Ranked: their
	// standing has been computed.
	Priority float64
	Ranked   bool
	// Urgency and the two due times are set when the ticket opens (or
	// reopens), from the SLA policy; FirstResponseAt when staff first
	// answer.
	Urgency          Urgency
	FirstResponseDue time.Time
	ResolutionDue    time.Time
	FirstResponseAt  time.Time
	Assignee         community.MemberID // 0 while nobody claimed it
	AssigneeName     string
	Resolution       string    // what staff wrote when closing it
	ReopenedAt       time.Time // zero unless reopened
	OpenTier         string    // the member's tier when it opened; "" when not ranked
	// CSAT is the member's satisfaction, 1-5 (0 until they answer), with
	// their comment and when they last answered.
	CSAT        int
	CSATComment string
	CSATAt      time.Time
}

// Due is the ticket's next due time: its first response's until staff
// answered, then its resolution's.
func (t Ticket) Due() time.Time {
	if t.FirstResponseAt.IsZero() {
		return t.FirstResponseDue
	}
	return t.ResolutionDue
}

// Open reports whether the ticket still waits for an answer.
func (t Ticket) Open() bool { return t.ClosedAt.IsZero() }

// Question is the ticket as its EventQuestionAsked payload: what staff
// are shown.
func (t Ticket) Question() Question {
	return Question{Ticket: t.ID, Member: t.Member, Name: t.Name, Platform: t.Platform, Where: t.AskedIn, Text: t.Text, At: t.OpenedAt,
		Urgency: t.Urgency, FirstResponseDue: t.FirstResponseDue, Tier: t.OpenTier}
}

// Question is a member's question to staff, the payload of
// EventQuestionAsked.
type Question struct {
	Ticket   int64              `json:"ticket,omitempty"` // the ticket it opened
	Member   community.MemberID `json:"member"`
	Name     string             `json:"name"`
	Platform community.Platform `json:"platform"`
	Where    string             `json:"where,omitempty"` // the chat's title
	Text     string             `json:"text"`
	At       time.Time          `json:"at"`
	// Urgency and FirstResponseDue are the ticket's, when it has them.
	Urgency          Urgency   `json:"urgency,omitempty"`
	FirstResponseDue time.Time `json:"first_response_due,omitzero"`
	Tier             string    `json:"tier,omitempty"` // the member's when the ticket opened
}

// EventQuestionAsked shows a member's question to staff. Its name is
// older than the support domain and stays as stored events know it.
const EventQuestionAsked = "onboarding.question"

// Effects are what a change of a ticket causes, saved with it in one
// transaction: entries for the audit log and events for the outbox.
type Effects = community.Effects

// Store is what support needs from persistence. storage implements it.
type Store interface {
	// OpenTicket saves a new ticket and the effects of opening it, which
	// effects builds from the ticket with its id, in one transaction; it
	// returns the ticket with its id.
	OpenTicket(ctx context.Context, t Ticket, effects func(Ticket) Effects) (Ticket, error)
	// WaitingTickets returns every open ticket, of one member or (0)
	// everyone's, with the member's priority now, in no particular order.
	WaitingTickets(ctx context.Context, member community.MemberID) ([]Ticket, error)
	// ChangeTicket runs change on a ticket, locked, and saves the ticket
	// it returns (its assignee, closing, resolution, first response,
	// reopening and resolution due time) with its effects, in one
	// transaction; an error from change saves nothing. ENotFound when
	// there is no such ticket.
	ChangeTicket(ctx context.Context, id int64, change func(Ticket) (Ticket, Effects, error)) (Ticket, error)
	// TicketCustomer returns what a ticket of member is triaged from:
	// their standing, and whether they answered an NPS survey with 0-6
	// since detractorSince.
	TicketCustomer(ctx context.Context, member community.MemberID, detractorSince time.Time) (Customer, error)
	// Answer returns the recorded message of chat; ENotFound when Hearth
	// never recorded it.
	Answer(ctx context.Context, chat community.ChatID, message string) (Answer, error)
	// RecordHelpful saves the credit of a helpful answer, once per
	// message; it reports false when the message was credited already.
	RecordHelpful(ctx context.Context, c Credit) (bool, error)
}

// TicketNotFound: no ticket id.
func TicketNotFound(id int64) error {
	return community.Errorf(community.ENotFound, "tickets.not_found", map[string]any{"ID": id}, "no ticket %d", id)
}

// AnswerNotRecorded: the message marked helpful was never recorded.
func AnswerNotRecorded(chat community.ChatID, message string) error {
	return community.Errorf(community.ENotFound, "helpful.unknown", nil, "message %s of chat %d is not recorded", message, chat)
}
