package bots

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hearthbot/hearth/community"
)

// OutboxStore is what the dispatcher needs from persistence. Claims are
// short leases taken with FOR UPDATE SKIP LOCKED, so several replicas can
// share one outbox. Each claim has a token; the dispatcher renews the
// leases it works under, and a lease that runs out (its process died) is
// free for any dispatcher to claim again. Marks made under a claim that
// another dispatcher has since taken over fail with ErrClaimLost.
type OutboxStore interface {
	// ClaimEvents claims up to limit due events, oldest first.
	ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]OutboxEvent, error)
	// RenderedEvent queues the event's messages and marks it rendered, in
	// one transaction.
	RenderedEvent(ctx context.Context, e OutboxEvent, out []Outgoing) error
	FailedEvent(ctx context.Context, e OutboxEvent, failure Failure) error
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

// OutboxEvent is a domain event claimed for rendering.
type OutboxEvent struct {
	ID       int64
	Kind     string
	Payload  json.RawMessage
	Attempts int    // including this one
	Claim    string // the token of the claim this attempt works under
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

// Renderer turns a domain event into the messages it causes, one per target
// chat, each in its reader's language.
type Renderer func(ctx context.Context, e OutboxEvent) ([]Outgoing, error)

// DispatcherOptions configures a Dispatcher.
type DispatcherOptions struct {
	Store       OutboxStore
	Log         *slog.Logger
	MaxAttempts int           // attempts before an item is dead (default 8)
	Sweep       time.Duration // how often to look for due work with no wake-up (default 5s)
	// Wakeups, when set, signals work queued by another process
	// (PostgreSQL LISTEN/NOTIFY).
	Wakeups <-chan struct{}
	// Parallel bounds how many chats are sent to at once (default 16); 1
	// sends everything in the order it was queued.
	Parallel int
	// Lease is how long a claim lasts unless renewed (default 10s). The
	// dispatcher renews its claims every quarter lease while it works on
	// them, so a process that dies leaves its work to the others, or to
	// its own restart, within one lease.
	Lease time.Duration
	Now   func() time.Time
}

// Dispatcher delivers the outbox: it renders events into deliveries and
// sends deliveries through each platform's Sender, at least once, in order
// per chat, retrying rate limits and failures with backoff until an item
// succeeds or dies.
type Dispatcher struct {
	o         DispatcherOptions
	senders   map[community.Platform]Sender
	platforms []community.Platform
	renderers map[string]Renderer
	wake      chan struct{}
	draining  sync.Mutex // one drain at a time: Run's or DeliverPending's
}

const (
	eventBatch   = 10 // events claimed at once: a few renders, well within a lease
	perChatClaim = 5
	defaultLease = 10 * time.Second
	maxBackoff   = 5 * time.Minute
	parallelSend = 16
)

// NewDispatcher returns a dispatcher; add senders and renderers, then Run.
func NewDispatcher(o DispatcherOptions) *Dispatcher {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Sweep <= 0 {
		o.Sweep = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Parallel <= 0 {
		o.Parallel = parallelSend
	}
	if o.Lease <= 0 {
		o.Lease = defaultLease
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{o: o, senders: map[community.Platform]Sender{}, renderers: map[string]Renderer{}, wake: make(chan struct{}, 1)}
}

// AddSender makes the dispatcher deliver p's messages through s. Only
// platforms with a sender are delivered by this process.
func (d *Dispatcher) AddSender(p community.Platform, s Sender) {
	d.senders[p] = s
	d.platforms = append(d.platforms, p)
}

// Render makes the dispatcher render events of kind with r.
func (d *Dispatcher) Render(kind string, r Renderer) { d.renderers[kind] = r }

// Wake makes the dispatcher look for work now.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-d.o.Wakeups:
		case <-timer.C:
		}
		d.drain(ctx)
		timer.Reset(d.untilNextDue(ctx))
	}
}

// drain renders and sends until nothing is due and nothing is in flight.
// Chats are sent to in goroutines of their own, and a chat that is done
// frees its slot for the next one at once, so one slow chat holds back no
// other; new work is claimed as soon as it is signalled.
func (d *Dispatcher) drain(ctx context.Context) {
	d.draining.Lock()
	defer d.draining.Unlock()
	f := d.takeOff(ctx)
	defer f.land()
	for ctx.Err() == nil {
		f.collect()
		rendered := d.renderEvents(ctx, f.held)
		started := d.sendChats(ctx, f)
		if rendered > 0 || started > 0 {
			continue
		}
		if f.busy == 0 {
			return
		}
		d.await(ctx, f)
	}
}

// await blocks until a chat is done or, when a slot is free, until new
// work is signalled or the next retry is due.
func (d *Dispatcher) await(ctx context.Context, f *flight) {
	if f.busy >= d.o.Parallel {
		select {
		case <-ctx.Done():
		case <-f.done:
			f.busy--
		}
		return
	}
	timer := time.NewTimer(d.untilNextDue(ctx))
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-f.done:
		f.busy--
	case <-d.wake:
	case <-d.o.Wakeups:
	case <-timer.C:
	}
}

// untilNextDue is how long to sleep: until the next retry, at most a sweep.
func (d *Dispatcher) untilNextDue(ctx context.Context) time.Duration {
	at, ok, err := d.o.Store.NextDue(ctx, d.platforms)
	if err != nil || !ok {
		return d.o.Sweep
	}
	return min(max(at.Sub(d.o.Now()), 10*time.Millisecond), d.o.Sweep)
}

// DeliverPending sends everything due now and returns when nothing due is
// left, for callers that need their messages out before going on (the
// console's script mode).
func (d *Dispatcher) DeliverPending(ctx context.Context) { d.drain(ctx) }

// renderEvents claims a few due events and renders each into deliveries;
// it returns how many it claimed.
func (d *Dispatcher) renderEvents(ctx context.Context, held *heldClaims) int {
	events, err := d.o.Store.ClaimEvents(ctx, eventBatch, d.o.Lease)
	if err != nil {
		d.logClaimError(ctx, "claim events", err)
		return 0
	}
	held.addEvents(events)
	for _, e := range events {
		d.renderEvent(ctx, e)
		held.dropEvent(e.ID)
	}
	return len(events)
}

func (d *Dispatcher) renderEvent(ctx context.Context, e OutboxEvent) {
	render := d.renderers[e.Kind]
	if render == nil {
		d.failEvent(ctx, e, Permanent(fmt.Errorf("no renderer for event kind %q", e.Kind)))
		return
	}
	out, err := render(ctx, e)
	if err == nil {
		err = d.o.Store.RenderedEvent(ctx, e, out)
	}
	switch {
	case errors.Is(err, ErrClaimLost):
		d.o.Log.Warn("event taken over by another dispatcher", "event", e.ID, "kind", e.Kind)
	case err != nil:
		d.failEvent(ctx, e, err)
	}
}

func (d *Dispatcher) failEvent(ctx context.Context, e OutboxEvent, err error) {
	if ctx.Err() != nil {
		return // stopping: the claim runs out and the event is rendered after restart
	}
	f := d.failure(err, e.Attempts)
	d.o.Log.Warn("event not rendered", "event", e.ID, "kind", e.Kind, "attempt", e.Attempts, "dead", f.Dead, "error", err)
	if err := d.o.Store.FailedEvent(ctx, e, f); err != nil {
		d.logClaimError(ctx, "record event failure", err)
	}
}

// failure decides what follows a failed attempt: wait as long as the
// platform asks, back off exponentially on other errors, give up on
// permanent ones or after the last attempt.
func (d *Dispatcher) failure(err error, attempts int) Failure {
	f := Failure{Error: err.Error()}
	if IsPermanent(err) || attempts >= d.o.MaxAttempts {
		f.Dead = true
		return f
	}
	if ra, ok := errors.AsType[*RetryAfterError](err); ok {
		f.Retry = d.o.Now().Add(ra.After)
		return f
	}
	backoff := min(time.Second<<min(attempts-1, 20), maxBackoff)
	jitter := time.Duration(rand.Int64N(int64(backoff)/4 + 1))
	f.Retry = d.o.Now().Add(backoff + jitter)
	return f
}

func (d *Dispatcher) logClaimError(ctx context.Context, what string, err error) {
	if ctx.Err() == nil {
		d.o.Log.Error("outbox: "+what, "error", err)
	}
}
