package feedback

import (
	"time"

	"github.com/hearthbot/hearth/community"
)

// The showcase's events: what the chat layer sends as a submission goes
// from a member's post to a reshare and, when its consent ends, back.
const (
	// EventShowcaseSubmitted: show staff the review card.
	EventShowcaseSubmitted = "showcase.submitted"
	// EventShowcaseReviewed: tell the author, privately, that staff
	// rejected their post (with the reason), or ask for their consent.
	EventShowcaseReviewed = "showcase.reviewed"
	// EventShowcaseReshare: reshare the post in the showcase places,
	// each message guarded by the consent (GuardShowcaseConsent).
	EventShowcaseReshare = "showcase.reshare"
	// EventShowcaseWithdrawn: a consent ended; delete Hearth's reshares,
	// tell staff which could not be deleted and to stop external uses,
	// and ask the author to renew an expired one.
	EventShowcaseWithdrawn = "showcase.withdrawn"
)

// GuardShowcaseConsent is the delivery guard of a reshare: its argument
// is the submission, whose consent is checked again right before each
// attempt to send (outbox.Message.Guard).
const GuardShowcaseConsent = "showcase.consent"

// AlbumWait is how long the review card of an album waits for the
// album's other photos, which a platform sends as messages of their own
// right after the first.
const AlbumWait = 3 * time.Second

// SubmissionRef is the payload of the submission events.
type SubmissionRef struct {
	Submission SubmissionID `json:"submission"`
}

// WithdrawReason says why a consent ended.
type WithdrawReason string

// The reasons a consent ends.
const (
	WithdrawRevoked WithdrawReason = "revoked" // its author revoked it
	WithdrawExpired WithdrawReason = "expired"
	WithdrawErased  WithdrawReason = "erased" // its author asked to be forgotten
)

// Withdrawal is the payload of EventShowcaseWithdrawn.
type Withdrawal struct {
	Submission SubmissionID   `json:"submission"`
	Consent    ConsentID      `json:"consent"`
	Reason     WithdrawReason `json:"reason"`
	// Reshare is the event the post was reshared from under this consent
	// (0: none), which the store fills in when it records the withdrawal:
	// its messages are taken down, not those of a later consent's.
	Reshare int64 `json:"reshare,omitempty"`
}

// SubmittedEvent is the event of a new submission.
func SubmittedEvent(id SubmissionID, at time.Time) community.Event {
	return community.NewEvent(EventShowcaseSubmitted, SubmissionRef{Submission: id}, at)
}

// ReshareEvent is the event of a consent given: the post is reshared.
func ReshareEvent(id SubmissionID, at time.Time) community.Event {
	return community.NewEvent(EventShowcaseReshare, SubmissionRef{Submission: id}, at)
}

// WithdrawnEvent is the event of a consent that ended.
func WithdrawnEvent(w Withdrawal, at time.Time) community.Event {
	return community.NewEvent(EventShowcaseWithdrawn, w, at)
}
