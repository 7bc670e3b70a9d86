package support

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// Closed tells a member their ticket is closed and asks how satisfied
// they are: the payload of EventTicketClosed.
type Closed struct {
	Ticket int64              `json:"ticket"`
	Member community.MemberID `json:"member"`
	Text   string             `json:"text"` // the question, to remind them which
	At     time.Time          `json:"at"`
}

// EventTicketClosed asks the member of a closed ticket for their CSAT.
const EventTicketClosed = "support.ticket_closed"

// MaxCSATComment is the longest comment a member may add to their CSAT,
// in characters.
const MaxCSATComment = 1000

// Rate records a member's satisfaction with their closed ticket, 1 to 5;
// answering again changes it. Only the ticket's member may (EForbidden),
// only once it is closed (EConflict).
func (d *Desk) Rate(ctx context.Context, id int64, member community.MemberID, score int) (Ticket, error) {
	if score < 1 || score > 5 {
		return Ticket{}, community.Errorf(community.EInvalid, "csat.bad_score", nil, "a CSAT of %d; want 1-5", score)
	}
	now := d.now()
	return d.store.ChangeTicket(ctx, id, func(t Ticket) (Ticket, Effects, error) {
		if err := mayRate(t, member); err != nil {
			return t, Effects{}, err
		}
		t.CSAT, t.CSATAt = score, now
		return t, Effects{}, nil
	})
}

// Comment adds the member's comment to their CSAT (replacing one they
// wrote before); empty or too long comments are EInvalid.
func (d *Desk) Comment(ctx context.Context, id int64, member community.MemberID, comment string) (Ticket, error) {
	comment = strings.TrimSpace(comment)
	switch n := utf8.RuneCountInString(comment); {
	case n == 0:
		return Ticket{}, community.Errorf(community.EInvalid, "csat.comment_empty", nil, "an empty comment")
	case n > MaxCSATComment:
		return Ticket{}, community.Errorf(community.EInvalid, "csat.comment_too_long", map[string]any{"Max": MaxCSATComment, "Length": n},
			"a comment of %d characters; at most %d", n, MaxCSATComment)
	case strings.ContainsRune(comment, 0) || !utf8.ValidString(comment):
		return Ticket{}, community.Errorf(community.EInvalid, "csat.bad_text", nil, "a comment with a NUL or broken UTF-8")
	}
	now := d.now()
	return d.store.ChangeTicket(ctx, id, func(t Ticket) (Ticket, Effects, error) {
		if err := mayRate(t, member); err != nil {
			return t, Effects{}, err
		}
		t.CSATComment, t.CSATAt = comment, now
		return t, Effects{}, nil
	})
}

// mayRate refuses a CSAT from anyone but the ticket's member, or before
// the ticket was ever closed (a ticket the member's "thank you" reopened
// may still be rated for the help they got).
func mayRate(t Ticket, member community.MemberID) error {
	if t.Member != member {
		return community.Errorf(community.EForbidden, "csat.not_yours", nil, "member %d rating ticket %d of member %d", member, t.ID, t.Member)
	}
	if t.Open() && t.ReopenedAt.IsZero() {
		return community.Errorf(community.EConflict, "csat.still_open", map[string]any{"ID": t.ID}, "ticket %d is open", t.ID)
	}
	return nil
}
