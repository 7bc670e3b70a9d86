package bots

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// markTimeout bounds a mark or a release made while the dispatcher stops:
// what a platform accepted is still recorded after the stop was asked for.
const markTimeout = 5 * time.Second

// flight is one drain's work in the air: the chats being sent to, each in
// a goroutine of its own, and the claims held meanwhile, renewed until
// each item is done.
type flight struct {
	held        *heldClaims
	done        chan struct{} // one signal per chat finished
	busy        int           // chats being sent to
	stopRenewal func()
}

// takeOff starts a drain's flight and the renewal of its claims.
func (d *Dispatcher) takeOff(ctx context.Context) *flight {
	f := &flight{held: &heldClaims{events: map[int64]string{}, deliveries: map[int64]string{}},
		done: make(chan struct{}, d.o.Parallel)}
	f.stopRenewal = d.renewWhileHeld(ctx, f.held)
	return f
}

// collect counts the chats that finished since the last look.
func (f *flight) collect() {
	for {
		select {
		case <-f.done:
			f.busy--
		default:
			return
		}
	}
}

// land waits for every chat in flight, then stops renewing.
func (f *flight) land() {
	for ; f.busy > 0; f.busy-- {
		<-f.done
	}
	f.stopRenewal()
}

// heldClaims are the items a dispatcher works on and the claims it holds
// them under.
type heldClaims struct {
	mu                 sync.Mutex
	events, deliveries map[int64]string
}

func (h *heldClaims) addEvents(events []outbox.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range events {
		h.events[e.ID] = e.Claim
	}
}

func (h *heldClaims) dropEvent(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.events, id)
}

func (h *heldClaims) addDeliveries(dels []outbox.Delivery) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, d := range dels {
		h.deliveries[d.ID] = d.Claim
	}
}

func (h *heldClaims) dropDeliveries(dels []outbox.Delivery) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, d := range dels {
		delete(h.deliveries, d.ID)
	}
}

func (h *heldClaims) refs() (events, deliveries []outbox.ClaimRef) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, c := range h.events {
		events = append(events, outbox.ClaimRef{ID: id, Claim: c})
	}
	for id, c := range h.deliveries {
		deliveries = append(deliveries, outbox.ClaimRef{ID: id, Claim: c})
	}
	return events, deliveries
}

// renewWhileHeld renews the held claims every quarter lease until the
// returned stop is called.
func (d *Dispatcher) renewWhileHeld(ctx context.Context, held *heldClaims) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(d.o.Lease / 4)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			events, deliveries := held.refs()
			if len(events)+len(deliveries) == 0 {
				continue
			}
			if err := d.o.Store.RenewClaims(ctx, events, deliveries, d.o.Lease); err != nil {
				d.logClaimError(ctx, "renew claims", err)
			}
		}
	}()
	return func() { cancel(); <-stopped }
}

// sendChats claims the due deliveries of as many chats as there are free
// slots and starts sending to each; it returns how many it started.
func (d *Dispatcher) sendChats(ctx context.Context, f *flight) int {
	free := d.o.Parallel - f.busy
	if free <= 0 || len(d.platforms) == 0 {
		return 0
	}
	// The claim is not cut short by a stop: PostgreSQL may have claimed
	// the rows when the answer is lost, and they would stay held for the
	// lease. Claimed as the dispatcher stops, they are given back at once.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	batch, err := d.o.Store.ClaimDeliveries(cctx, d.platforms, free, perChatClaim, d.o.Lease)
	if err == nil && ctx.Err() != nil {
		if err := d.o.Store.ReleaseDeliveries(cctx, batch); err != nil {
			d.logClaimError(cctx, "release deliveries", err)
		}
		batch = nil
	}
	cancel()
	if err != nil {
		d.logClaimError(ctx, "claim deliveries", err)
		return 0
	}
	f.held.addDeliveries(batch)
	byChat := map[string][]outbox.Delivery{}
	var order []string
	for _, del := range batch {
		k := del.Target.Key()
		if byChat[k] == nil {
			order = append(order, k)
		}
		byChat[k] = append(byChat[k], del)
	}
	for _, k := range order {
		f.busy++
		go func() {
			defer func() { f.done <- struct{}{} }()
			d.sendInOrder(ctx, f.held, byChat[k])
		}()
	}
	return len(order)
}

// sendInOrder sends one chat's deliveries; after a failure the rest are
// given back for the next round so that the chat's messages stay in order.
func (d *Dispatcher) sendInOrder(ctx context.Context, held *heldClaims, dels []outbox.Delivery) {
	for i, del := range dels {
		sent, tried := d.send(ctx, del)
		if sent {
			held.dropDeliveries(dels[i : i+1])
			continue
		}
		rest := dels[i+1:]
		if !tried {
			rest = dels[i:]
		}
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
		if err := d.o.Store.ReleaseDeliveries(mctx, rest); err != nil {
			d.logClaimError(mctx, "release deliveries", err)
		}
		cancel()
		held.dropDeliveries(dels[i:])
		return
	}
}

// send delivers one message and records the outcome. It reports whether
// the message was sent and, if not, whether the attempt counts (false when
// the dispatcher is stopping: the delivery is given back untried).
func (d *Dispatcher) send(ctx context.Context, del outbox.Delivery) (sent, tried bool) {
	del.Progress = func(ctx context.Context, ids []string) error {
		return d.mark(ctx, func(ctx context.Context) error { return d.o.Store.PartsSent(ctx, del, ids) })
	}
	ids, err := del.SentIDs, d.checkGuard(ctx, del.Message.Guard)
	if err == nil {
		ids, err = d.senders[del.Target.Platform].Send(ctx, del)
	}
	switch {
	case err == nil:
		if err := d.mark(ctx, func(ctx context.Context) error { return d.o.Store.Delivered(ctx, del.ID, ids) }); err != nil {
			d.o.Log.Error("outbox: record delivery", "delivery", del.ID, "error", err)
		}
		return true, true
	case errors.Is(err, outbox.ErrClaimLost):
		d.o.Log.Warn("delivery taken over by another dispatcher", "delivery", del.ID, "chat", del.Target.Key())
		return false, true
	case ctx.Err() != nil:
		return false, false
	}
	f := d.failure(err, del.Attempts)
	d.o.Log.Warn("delivery failed", "delivery", del.ID, "platform", del.Target.Platform, "chat", del.Target.Key(),
		"attempt", del.Attempts, "dead", f.Dead, "retry", f.Retry, "error", err)
	if err := d.o.Store.FailedDelivery(ctx, del, ids, f); err != nil {
		d.logClaimError(ctx, "record delivery failure", err)
	}
	return false, true
}

// checkGuard runs the check of a guarded message (none: nil). A refusal,
// or a guard of a kind nobody registered, is permanent.
func (d *Dispatcher) checkGuard(ctx context.Context, guard string) error {
	if guard == "" {
		return nil
	}
	kind, arg, _ := strings.Cut(guard, ":")
	g, ok := d.guards[kind]
	if !ok {
		return outbox.Permanent(fmt.Errorf("no check for guard %q", guard))
	}
	err := g(ctx, arg)
	if err != nil && community.ErrorCode(err) != "" {
		return outbox.Permanent(fmt.Errorf("refused at delivery (%s): %w", guard, err))
	}
	return err
}

// mark records what a platform accepted. It outlives a stop by a few
// seconds and tries again briefly when the database does not answer: a
// mark that is lost sends the message again.
func (d *Dispatcher) mark(ctx context.Context, record func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	var err error
	for pause := 50 * time.Millisecond; ; pause *= 2 {
		if err = record(ctx); err == nil || errors.Is(err, outbox.ErrClaimLost) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}
