package bots

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// Renderer turns a domain event into the messages it causes, one per target
// chat, each in its reader's language.
type Renderer func(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error)

// DispatcherOptions configures a Dispatcher.
type DispatcherOptions struct {
	Store       outbox.Store
	Log         *slog.Logger
	MaxAttempts int           // attempts before an item is dead (default 8)
	Sweep       time.Duration // how often to look for due work with no wake-up (default 5s)
	// Wakeups, when set, signals work queued by another process
	// (PostgreSQL LISTEN/NOTIFY).
	Wakeups <-chan struct{}
	// Parallel bounds how many chats are sent to at once (default 32); 1
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
	guards    map[string]Guard
	wake      chan struct{}
	draining  sync.Mutex // one drain at a time: Run's or DeliverPending's
}

const (
	eventBatch   = 10 // events claimed at once: a few renders, well within a lease
	perChatClaim = 5
	defaultLease = 10 * time.Second
	// parallelSend is enough chats at once to send at Telegram's 30
	// messages a second in all when every chat is held to one a second
	// (chats with a backlog): with 16, such chats sent about 18 a second.
	parallelSend = 32
)

// Guard checks, right before a message is sent, that it still may be: it
// gets the argument of the message's Guard. A domain error (community
// Errorf) refuses the message for good: it is not sent, and goes to the
// dead letters saying why. Any other error is a failure to check, tried
// again later.
type Guard func(ctx context.Context, arg string) error

// NewDispatcher returns a dispatcher; add senders and renderers, then Run.
func NewDispatcher(o DispatcherOptions) *Dispatcher {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = outbox.DefaultRetryPolicy.MaxAttempts
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
	return &Dispatcher{o: o, senders: map[community.Platform]Sender{}, renderers: map[string]Renderer{}, guards: map[string]Guard{}, wake: make(chan struct{}, 1)}
}

// AddSender makes the dispatcher deliver p's messages through s. Only
// platforms with a sender are delivered by this process.
func (d *Dispatcher) AddSender(p community.Platform, s Sender) {
	d.senders[p] = s
	d.platforms = append(d.platforms, p)
}

// Render makes the dispatcher render events of kind with r.
func (d *Dispatcher) Render(kind string, r Renderer) { d.renderers[kind] = r }

// Guard registers the check of messages whose Guard is "kind:...".
func (d *Dispatcher) Guard(kind string, g Guard) { d.guards[kind] = g }

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

func (d *Dispatcher) renderEvent(ctx context.Context, e outbox.Event) {
	render := d.renderers[e.Kind]
	if render == nil {
		d.failEvent(ctx, e, outbox.Permanent(fmt.Errorf("no renderer for event kind %q", e.Kind)))
		return
	}
	out, err := render(ctx, e)
	if err == nil {
		err = d.o.Store.RenderedEvent(ctx, e, out)
	}
	switch {
	case errors.Is(err, outbox.ErrClaimLost):
		d.o.Log.Warn("event taken over by another dispatcher", "event", e.ID, "kind", e.Kind)
	case err != nil:
		d.failEvent(ctx, e, err)
	}
}

func (d *Dispatcher) failEvent(ctx context.Context, e outbox.Event, err error) {
	if ctx.Err() != nil {
		return // stopping: the claim runs out and the event is rendered after restart
	}
	f := d.failure(err, e.Attempts)
	d.o.Log.Warn("event not rendered", "event", e.ID, "kind", e.Kind, "attempt", e.Attempts, "dead", f.Dead, "error", err)
	if err := d.o.Store.FailedEvent(ctx, e, f); err != nil {
		d.logClaimError(ctx, "record event failure", err)
	}
}

// failure decides what follows a failed attempt, by the outbox's retry
// policy.
func (d *Dispatcher) failure(err error, attempts int) outbox.Failure {
	return outbox.RetryPolicy{MaxAttempts: d.o.MaxAttempts, MaxBackoff: outbox.DefaultRetryPolicy.MaxBackoff}.After(err, attempts, d.o.Now())
}

func (d *Dispatcher) logClaimError(ctx context.Context, what string, err error) {
	if ctx.Err() == nil {
		d.o.Log.Error("outbox: "+what, "error", err)
	}
}
