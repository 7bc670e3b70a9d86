package support

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// A ticket is a conversation: the member's messages reach staff, staff's
// replies reach the member, and staff's internal notes stay with staff.
// Each message is kept with the ticket (its transcript) and keyed by the
// chat update it came from, so that an update handled twice (a restart,
// another replica) is relayed once.

// Direction says who a ticket message is from and who sees it.
type Direction string

// The directions.
const (
	FromMember Direction = "in"   // the member's, shown to staff
	FromStaff  Direction = "out"  // a staff member's, relayed to the member
	StaffNote  Direction = "note" // a staff member's, for staff only
)

// ReopenWithin is how long after a ticket closed a message from its
// member reopens it rather than being a new question.
const ReopenWithin = 7 * 24 * time.Hour

// MaxRelayText is the longest message relayed, in characters.
const MaxRelayText = 4000

// MaxRelayFiles is the most files one message carries: Telegram's
// largest album and Discord's attachments per message.
const MaxRelayFiles = 10

// NotePrefix starts a staff message that is an internal note.
const NotePrefix = "!"

// Message is one message of a ticket's conversation.
type Message struct {
	ID         int64
	Ticket     int64
	Direction  Direction
	Author     community.MemberID
	AuthorName string
	Text       string
	Files      []Attachment
	At         time.Time
	// Source is the chat update the message came from ("platform:id"):
	// one update is one message, however often it is handled.
	Source string
}

// Attachment is a file sent on a ticket (a photo, a document), kept by
// Hearth so that it can be passed on, and read again with the transcript.
type Attachment struct {
	Hash string `json:"hash"` // hex SHA-256 of the kept file
	Type string `json:"type"` // its MIME type, from its first bytes
	Name string `json:"name,omitempty"`
	Size int64  `json:"size"`
}

// Said is what someone wrote on a ticket: text, files, or both, and the
// chat update it came from.
type Said struct {
	Text   string
	Files  []Attachment
	Source string
}

// Relayed is a ticket message on its way: to the staff chats (a member's,
// EventRelayToStaff) or to the member (a staff reply, EventRelayToMember).
type Relayed struct {
	Ticket     int64              `json:"ticket"`
	Member     community.MemberID `json:"member"`
	Name       string             `json:"name"` // the member's
	Author     string             `json:"author"`
	Urgency    Urgency            `json:"urgency,omitempty"`
	Text       string             `json:"text"`
	Files      []Attachment       `json:"files,omitempty"`
	At         time.Time          `json:"at"`
	Reopened   bool               `json:"reopened,omitempty"`
	FirstReply bool               `json:"first_reply,omitempty"`
}

// The relay's events; EventRelayUndelivered tells staff a reply did not
// reach its member (they blocked Hearth, or never opened a private chat).
const (
	EventRelayToStaff     = "support.relay_to_staff"
	EventRelayToMember    = "support.relay_to_member"
	EventRelayUndelivered = "support.relay_undelivered"
)

// RelayStore is what the relay needs from persistence.
type RelayStore interface {
	// MemberTicket returns the member's open ticket (the latest), else
	// their ticket closed last if it closed at or after closedSince;
	// false when there is none.
	MemberTicket(ctx context.Context, member community.MemberID, closedSince time.Time) (Ticket, bool, error)
	// PostedTicket returns the ticket that Hearth's message in a staff
	// chat was about (its question, a member's message on it, an SLA
	// alert); false when it was about none.
	PostedTicket(ctx context.Context, platform community.Platform, chat, message string) (int64, bool, error)
	// AddMessage saves a ticket message, with change applied to its
	// ticket (locked) and the effects change returns, in one transaction,
	// unless a message from the same Source was saved before: then it
	// saves nothing and reports false.
	AddMessage(ctx context.Context, m Message, change func(Ticket) (Ticket, Effects, error)) (Message, bool, error)
	// Messages returns a ticket's messages in order.
	Messages(ctx context.Context, ticket int64) ([]Message, error)
	// Ticket returns one ticket; ENotFound when there is none.
	Ticket(ctx context.Context, id int64) (Ticket, error)
}

// checkSaid refuses an empty, too long or unsavable message, and one of
// too many files.
func checkSaid(said Said) error {
	switch n, files := utf8.RuneCountInString(said.Text), len(said.Files); {
	case n == 0 && files == 0:
		return community.Errorf(community.EInvalid, "relay.empty", nil, "an empty message")
	case files > MaxRelayFiles:
		return community.Errorf(community.EInvalid, "relay.too_many_files", map[string]any{"Max": MaxRelayFiles, "Count": files},
			"a message of %d files; at most %d", files, MaxRelayFiles)
	case n > MaxRelayText:
		return community.Errorf(community.EInvalid, "relay.too_long", map[string]any{"Max": MaxRelayText, "Length": n},
			"a message of %d characters; at most %d", n, MaxRelayText)
	case strings.ContainsRune(said.Text, 0) || !utf8.ValidString(said.Text):
		return community.Errorf(community.EInvalid, "relay.bad_text", nil, "a message with a NUL or broken UTF-8")
	}
	return nil
}

// FromMemberToStaff relays a member's private message to staff when they
// have an open ticket, or one closed within ReopenWithin (which reopens
// it); false when they have neither (the message is a new question). A
// message from a Source relayed before is relayed once (and still true).
func (d *Desk) FromMemberToStaff(ctx context.Context, store RelayStore, member community.MemberID, said Said) (MemberRelay, bool, error) {
	now := d.now()
	t, ok, err := d.TicketToRelay(ctx, store, member)
	if err != nil || !ok {
		return MemberRelay{}, false, err
	}
	said.Text = strings.TrimSpace(said.Text)
	if err := checkSaid(said); err != nil {
		return MemberRelay{}, true, err
	}
	var out MemberRelay
	m := Message{Ticket: t.ID, Direction: FromMember, Author: member, AuthorName: t.Name, Text: said.Text, Files: said.Files, At: now, Source: said.Source}
	out.Message, _, err = store.AddMessage(ctx, m, func(t Ticket) (Ticket, Effects, error) {
		var e Effects
		reopened := !t.Open()
		out.Reopened = reopened
		if reopened {
			t.ClosedAt, t.ClosedBy, t.Resolution, t.ReopenedAt = time.Time{}, 0, "", now
			t.CSAT, t.CSATComment, t.CSATAt = 0, "", time.Time{}
			t.ResolutionDue = d.policy.Hours.Add(now, d.policy.Targets[t.Urgency].Resolution)
			e.Audit = []community.AuditEntry{{At: now, Actor: member, Action: AuditTicketReopened, Target: member,
				Details: map[string]any{"ticket": t.ID, "by_member": true}}}
		}
		e.Events = []community.Event{community.NewEvent(EventRelayToStaff, Relayed{Ticket: t.ID, Member: t.Member, Name: t.Name,
			Author: t.Name, Urgency: t.Urgency, Text: said.Text, Files: said.Files, At: now, Reopened: reopened}, now)}
		return t, e, nil
	})
	return out, true, err
}

// TicketToRelay returns the ticket a member's message goes to: their open
// ticket, else one closed within ReopenWithin; false when they have none.
func (d *Desk) TicketToRelay(ctx context.Context, store RelayStore, member community.MemberID) (Ticket, bool, error) {
	return store.MemberTicket(ctx, member, d.now().Add(-ReopenWithin))
}

// MemberRelay is a member's message relayed to staff, and whether it
// reopened its ticket.
type MemberRelay struct {
	Message  Message
	Reopened bool
}

// FromStaffToMember relays a staff member's reply on a ticket to its
// member (the ticket's first reply answers it, for the SLA); a reply
// starting with NotePrefix is an internal note, kept and never relayed.
// A closed ticket is EConflict: /reopen it first.
func (d *Desk) FromStaffToMember(ctx context.Context, store RelayStore, ticket int64, by community.MemberID, byName string, said Said) (Message, error) {
	said.Text = strings.TrimSpace(said.Text)
	dir := FromStaff
	if rest, ok := strings.CutPrefix(said.Text, NotePrefix); ok {
		dir, said.Text = StaffNote, strings.TrimSpace(rest)
	}
	return d.addStaffMessage(ctx, store, ticket, by, byName, dir, said)
}

// Note keeps an internal note on a ticket, for staff only.
func (d *Desk) Note(ctx context.Context, store RelayStore, ticket int64, by community.MemberID, byName string, said Said) (Message, error) {
	said.Text = strings.TrimSpace(said.Text)
	return d.addStaffMessage(ctx, store, ticket, by, byName, StaffNote, said)
}

func (d *Desk) addStaffMessage(ctx context.Context, store RelayStore, ticket int64, by community.MemberID, byName string, dir Direction, said Said) (Message, error) {
	if err := checkSaid(said); err != nil {
		return Message{}, err
	}
	now := d.now()
	m := Message{Ticket: ticket, Direction: dir, Author: by, AuthorName: byName, Text: said.Text, Files: said.Files, At: now, Source: said.Source}
	m, _, err := store.AddMessage(ctx, m, func(t Ticket) (Ticket, Effects, error) {
		if dir == StaffNote {
			return t, Effects{}, nil
		}
		if !t.Open() {
			return t, Effects{}, community.Errorf(community.EConflict, "relay.closed", map[string]any{"ID": t.ID}, "ticket %d is closed", t.ID)
		}
		first := t.FirstResponseAt.IsZero()
		if first {
			t.FirstResponseAt = now
		}
		return t, Effects{Events: []community.Event{community.NewEvent(EventRelayToMember, Relayed{Ticket: t.ID, Member: t.Member, Name: t.Name,
			Author: byName, Urgency: t.Urgency, Text: said.Text, Files: said.Files, At: now, FirstReply: first}, now)}}, nil
	})
	return m, err
}
