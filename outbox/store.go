package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Store is what a dispatcher needs from persistence. Claims are
// short leases taken with FOR UPDATE SKIP LOCKED, so several replicas can
// share one outbox. Each claim has a token; the dispatcher renews the
// leases it works under, and a lease that runs out (its process died) is
// free for any dispatcher to claim again. Marks made under a claim that
// another dispatcher has since taken over fail with ErrClaimLost.
type Store interface {
	// ClaimEvents claims up to limit due events, oldest first.
	ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]Event, error)
	// RenderedEvent queues the event's messages and marks it rendered, in
	// one transaction.
	RenderedEvent(ctx context.Context, e Event, out []Outgoing) error
	FailedEvent(ctx context.Context, e Event, failure Failure) error
	// ClaimDeliveries claims due deliveries to at most chats chats (the
	// ones whose oldest waiting message became due first), at most
	// perChat to one chat, and never one behind an older delivery to the
	// same chat that is not due or is claimed: each chat's messages go out
	// in order, across replicas too.
	ClaimDeliveries(ctx context.Context, platforms []community.Platform, chats, perChat int, lease time.Duration) ([]Delivery, error)
	// RenewClaims extends to lease from now the leases of the items still
	// held under the given claims.
	RenewClaims(ctx context.Context, events, deliveries []ClaimRef, lease time.Duration) error
	// ReleaseDeliveries gives back claimed deliveries that were not tried.
	ReleaseDeliveries(ctx context.Context, dels []Delivery) error
	// PartsSent records the ids of the parts of d the platform accepted so
	// far, at once.
	PartsSent(ctx context.Context, d Delivery, sentIDs []string) error
	// Delivered marks a delivery sent, whatever its claim.
	Delivered(ctx context.Context, id int64, sentIDs []string) error
	FailedDelivery(ctx context.Context, d Delivery, sentIDs []string, failure Failure) error
	// NextDue is when the next pending event or delivery for platforms is
	// due; ok is false when nothing is pending.
	NextDue(ctx context.Context, platforms []community.Platform) (at time.Time, ok bool, err error)
}

// Event is a domain event (a community.Event once written with its
// change) claimed for rendering.
type Event struct {
	ID       int64
	Kind     string
	Payload  json.RawMessage
	Attempts int    // including this one
	Claim    string // the token of the claim this attempt works under
}

// Decode reads an event's payload into a T; a payload that does not
// decode never will, so the error is permanent.
func Decode[T any](e Event) (T, error) {
	var v T
	if err := json.Unmarshal(e.Payload, &v); err != nil {
		return v, Permanent(fmt.Errorf("%s event %d: %w", e.Kind, e.ID, err))
	}
	return v, nil
}

// ClaimRef names an item (an event or a delivery) held under a claim.
type ClaimRef struct {
	ID    int64
	Claim string
}

// Failure is what went wrong with an attempt and what to do next.
type Failure struct {
	Error string
	Dead  bool      // give up: the item goes to the dead letters
	Retry time.Time // when to try again, unless Dead
}

// Status counts what the outbox holds.
type Status struct {
	PendingEvents, DeadEvents         int
	PendingDeliveries, DeadDeliveries int
	OldestPending                     time.Time // zero when nothing is pending
}

// DeadRef names a dead letter: a delivery, or an event that could not be
// rendered. Written as 12 (a delivery) or e12 (an event).
type DeadRef struct {
	ID    int64
	Event bool
}

// String writes the reference as /outbox shows it.
func (d DeadRef) String() string {
	if d.Event {
		return fmt.Sprintf("e%d", d.ID)
	}
	return fmt.Sprintf("%d", d.ID)
}

// ParseDeadRef reads a reference written as 12, d12 or e12.
func ParseDeadRef(s string) (DeadRef, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	event := strings.HasPrefix(s, "e")
	var n int64
	if _, err := fmt.Sscan(strings.TrimLeft(s, "de"), &n); err != nil || n <= 0 {
		return DeadRef{}, community.Errorf(community.EInvalid, "usage.number", map[string]any{"Value": s}, "%q is not a positive number", s)
	}
	return DeadRef{ID: n, Event: event}, nil
}

// DeadLetter is a delivery or event that failed for good.
type DeadLetter struct {
	DeadRef
	Kind      string // event kind
	Target    Target // delivery target
	Attempts  int
	LastError string
	CreatedAt time.Time
}
