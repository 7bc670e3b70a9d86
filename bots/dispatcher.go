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
// leases taken with FOR UPDATE SKIP LOCKED, so several replicas can share
// one outbox; a lease that runs out (a replica died) is claimed again.
type OutboxStore interface {
	ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]OutboxEvent, error)
	// RenderedEvent queues the event's messages and marks it rendered, in
	// one transaction.
	RenderedEvent(ctx context.Context, id int64, out []Outgoing) error
	FailedEvent(ctx context.Context, id int64, failure Failure) error
	// ClaimDeliveries claims due deliveries, oldest first, at most perTarget
	// for one target and never one behind an older delivery to the same
	// target that is not due or is claimed: each chat's messages go out in
	// order, across replicas too.
	ClaimDeliveries(ctx context.Context, platforms []community.Platform, limit, perTarget int, lease time.Duration) ([]Delivery, error)
	// ReleaseDeliveries gives back claimed deliveries that were not tried.
	ReleaseDeliveries(ctx context.Context, ids []int64) error
	Delivered(ctx context.Context, id int64, sentIDs []string) error
	FailedDelivery(ctx context.Context, id int64, sentIDs []string, failure Failure) error
	// NextDue is when the next pending event or delivery for platforms is
	// due; ok is false when nothing is pending.
	NextDue(ctx context.Context, platforms []community.Platform) (at time.Time, ok bool, err error)
}

// OutboxEvent is a domain event claimed for rendering.
type OutboxEvent struct {
	ID       int64
	Kind     string
	Payload  json.RawMessage
	Attempts int // including this one
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
	Now      func() time.Time
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
	claimBatch   = 100
	perChatClaim = 5
	claimLease   = 2 * time.Minute
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

// drain renders and sends until nothing is due.
func (d *Dispatcher) drain(ctx context.Context) {
	d.draining.Lock()
	defer d.draining.Unlock()
	for ctx.Err() == nil {
		events := d.renderEvents(ctx)
		sent := d.sendDue(ctx)
		if events == 0 && sent == 0 {
			return
		}
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

func (d *Dispatcher) renderEvents(ctx context.Context) int {
	events, err := d.o.Store.ClaimEvents(ctx, claimBatch, claimLease)
	if err != nil {
		d.logClaimError(ctx, "claim events", err)
		return 0
	}
	for _, e := range events {
		render := d.renderers[e.Kind]
		if render == nil {
			d.failEvent(ctx, e, Permanent(fmt.Errorf("no renderer for event kind %q", e.Kind)))
			continue
		}
		out, err := render(ctx, e)
		if err == nil {
			err = d.o.Store.RenderedEvent(ctx, e.ID, out)
		}
		if err != nil {
			d.failEvent(ctx, e, err)
		}
	}
	return len(events)
}

func (d *Dispatcher) failEvent(ctx context.Context, e OutboxEvent, err error) {
	f := d.failure(err, e.Attempts)
	d.o.Log.Warn("event not rendered", "event", e.ID, "kind", e.Kind, "attempt", e.Attempts, "dead", f.Dead, "error", err)
	if err := d.o.Store.FailedEvent(ctx, e.ID, f); err != nil {
		d.logClaimError(ctx, "record event failure", err)
	}
}

// sendDue claims due deliveries and sends them: chats in parallel, each
// chat's messages in order.
func (d *Dispatcher) sendDue(ctx context.Context) int {
	if len(d.platforms) == 0 {
		return 0
	}
	batch, err := d.o.Store.ClaimDeliveries(ctx, d.platforms, claimBatch, perChatClaim, claimLease)
	if err != nil {
		d.logClaimError(ctx, "claim deliveries", err)
		return 0
	}
	byTarget := map[string][]Delivery{}
	var order []string
	for _, del := range batch {
		k := del.Target.Key()
		if byTarget[k] == nil {
			order = append(order, k)
		}
		byTarget[k] = append(byTarget[k], del)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, d.o.Parallel)
	for _, k := range order {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			d.sendInOrder(ctx, byTarget[k])
		})
	}
	wg.Wait()
	return len(batch)
}

// sendInOrder sends one chat's deliveries; after a failure the rest wait
// for the next round so that the chat's messages stay in order.
func (d *Dispatcher) sendInOrder(ctx context.Context, dels []Delivery) {
	for i, del := range dels {
		if !d.send(ctx, del) {
			var rest []int64
			for _, r := range dels[i+1:] {
				rest = append(rest, r.ID)
			}
			if err := d.o.Store.ReleaseDeliveries(ctx, rest); err != nil {
				d.logClaimError(ctx, "release deliveries", err)
			}
			return
		}
	}
}

// send delivers one message and records the outcome; it reports success.
func (d *Dispatcher) send(ctx context.Context, del Delivery) bool {
	sender := d.senders[del.Target.Platform]
	ids, err := sender.Send(ctx, del)
	if err == nil {
		if err := d.o.Store.Delivered(ctx, del.ID, ids); err != nil {
			d.logClaimError(ctx, "record delivery", err)
		}
		return true
	}
	if ctx.Err() != nil {
		// Stopping: the lease runs out and the delivery is sent after restart.
		return false
	}
	f := d.failure(err, del.Attempts)
	d.o.Log.Warn("delivery failed", "delivery", del.ID, "platform", del.Target.Platform, "chat", del.Target.Key(),
		"attempt", del.Attempts, "dead", f.Dead, "retry", f.Retry, "error", err)
	if err := d.o.Store.FailedDelivery(ctx, del.ID, ids, f); err != nil {
		d.logClaimError(ctx, "record delivery failure", err)
	}
	return false
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
