package bots

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// The inbox's pace.
const (
	// maxAttempts is how often recording or handling an update is tried
	// before it goes to the dead letters.
	maxAttempts = 5
	// inboxLease is how long a claim lasts without renewal: a process that
	// dies holding claims delays their chats by at most this.
	inboxLease = 15 * time.Second
	// inboxSweep is how often the inbox looks for work nobody woke it for
	// (another replica's updates, expired leases).
	inboxSweep = time.Second
	// handleTimeout bounds one update's handling; a handler's platform
	// calls have shorter timeouts of their own.
	handleTimeout = 20 * time.Second
	// stopGrace is how long handlers under way may finish once Hearth
	// stops; what is cut short is handled by the next process.
	stopGrace = 5 * time.Second
)

// inboxWorker handles recorded updates, in order per queue and queues in
// parallel, up to slots at once. Polling never waits for it: adapters
// acknowledge an update once it is recorded.
type inboxWorker struct {
	router *Router
	store  inbox.Store
	slots  int
	wake   chan struct{}
	retry  time.Duration // the pause after a first failure

	mu       sync.Mutex
	inflight map[int64]inbox.Claim
	waiters  map[string][]chan struct{}
}

func newInbox(r *Router, store inbox.Store, slots int, retry time.Duration) *inboxWorker {
	return &inboxWorker{router: r, store: store, slots: slots, wake: make(chan struct{}, 1), retry: retry,
		inflight: map[int64]inbox.Claim{}, waiters: map[string][]chan struct{}{}}
}

// wakeUp tells the inbox there may be work.
func (ib *inboxWorker) wakeUp() {
	select {
	case ib.wake <- struct{}{}:
	default:
	}
}

// run claims and handles updates until ctx ends, then gives the updates
// under way stopGrace to finish.
func (ib *inboxWorker) run(ctx context.Context) {
	handlers, cut := context.WithCancel(context.WithoutCancel(ctx))
	defer cut()
	var running sync.WaitGroup
	renew := time.NewTicker(inboxLease / 3)
	defer renew.Stop()
	sweep := time.NewTicker(inboxSweep)
	defer sweep.Stop()
	for ctx.Err() == nil {
		if ib.claim(ctx, handlers, &running) {
			continue // more may be waiting
		}
		select {
		case <-ctx.Done():
		case <-ib.wake:
		case <-sweep.C:
		case <-renew.C:
			ib.renew(ctx)
		}
	}
	stop := time.AfterFunc(stopGrace, cut)
	defer stop.Stop()
	running.Wait()
}

// claim leases as many updates as there are free slots and starts
// handling them; it reports whether it filled every slot it asked for.
func (ib *inboxWorker) claim(ctx, handlers context.Context, running *sync.WaitGroup) bool {
	ib.mu.Lock()
	free := ib.slots - len(ib.inflight)
	busy := make([]int64, 0, len(ib.inflight))
	for id := range ib.inflight {
		busy = append(busy, id)
	}
	ib.mu.Unlock()
	if free <= 0 {
		return false
	}
	claimed, err := ib.store.ClaimInbound(ctx, free, inboxLease, busy)
	if err != nil {
		if ctx.Err() == nil {
			ib.router.log.Error("claim recorded updates", "error", err)
		}
		return false
	}
	for _, c := range claimed {
		ib.mu.Lock()
		ib.inflight[c.ID] = c.Claim
		ib.mu.Unlock()
		running.Go(func() { ib.handle(handlers, ctx, c) })
	}
	return len(claimed) == free
}

func (ib *inboxWorker) renew(ctx context.Context) {
	ib.mu.Lock()
	claims := make([]inbox.Claim, 0, len(ib.inflight))
	for _, c := range ib.inflight {
		claims = append(claims, c)
	}
	ib.mu.Unlock()
	if len(claims) == 0 {
		return
	}
	if err := ib.store.RenewInbound(ctx, claims, inboxLease); err != nil && ctx.Err() == nil {
		ib.router.log.Error("renew the leases of updates being handled", "error", err)
	}
}

// handle handles one claimed update and marks it handled with its replies.
// A failure (a panic, the database) gives it back for a later attempt, and
// after maxAttempts to the dead letters, so that its chat moves on. An
// update already claimed more often than that (it brought every process
// that tried it down) goes there unhandled. running is the inbox's own
// context: once it ends, a failure is a stop, not the update's fault.
func (ib *inboxWorker) handle(ctx, running context.Context, c inbox.Claimed) {
	var err error
	if c.Attempt > maxAttempts {
		err = fmt.Errorf("claimed %d times: a process handling it stopped each time", c.Attempt)
	} else {
		hctx, cancel := context.WithTimeout(ctx, handleTimeout)
		err = ib.process(hctx, c)
		cancel()
	}
	done := err == nil || c.Attempt >= maxAttempts && running.Err() == nil
	if err != nil {
		ib.failed(running.Err() != nil, c, err)
	}
	ib.mu.Lock()
	delete(ib.inflight, c.ID)
	key := string(c.Platform) + "\x00" + c.Key
	waiting := ib.waiters[key]
	if done {
		delete(ib.waiters, key)
	} else {
		waiting = nil
	}
	ib.mu.Unlock()
	for _, w := range waiting {
		close(w)
	}
	ib.wakeUp() // the chat's next update may go now
}

func (ib *inboxWorker) process(ctx context.Context, c inbox.Claimed) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	var u recorded
	if err := json.Unmarshal(c.Payload, &u); err != nil {
		return fmt.Errorf("read the recorded update: %w", err)
	}
	r := ib.router
	out, err := r.process(ctx, u, c.Recorded)
	if err != nil {
		return err
	}
	finished, err := r.store.FinishUpdate(ctx, c.Claim, c.Platform, c.Key, out)
	if err != nil {
		return fmt.Errorf("finish %s update %s: %w", c.Platform, c.Key, err)
	}
	if finished && len(out) > 0 {
		r.delivered()
	}
	return nil
}

// failed gives a failed update back, or up on it after maxAttempts. An
// attempt cut short by a stop is given back without counting.
func (ib *inboxWorker) failed(stopping bool, c inbox.Claimed, problem error) {
	log := ib.router.log.With("platform", c.Platform, "update", c.Key, "attempt", c.Attempt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // record the failure even while stopping
	defer cancel()
	if stopping || c.Attempt < maxAttempts {
		pause := ib.pause(c.Attempt)
		if stopping {
			pause = 0 // the next process takes it at once
		} else {
			log.Error("update not handled; trying again", "error", problem)
		}
		if err := ib.store.ReleaseInbound(ctx, c.Claim, pause, problem.Error(), stopping); err != nil {
			log.Error("give back an update", "error", err)
		}
		time.AfterFunc(pause+pause/10+5*time.Millisecond, ib.wakeUp) // try again once the pause is over
		return
	}
	log.Error("update not handled after every attempt: moved to the dead letters", "error", problem)
	var u recorded
	_ = json.Unmarshal(c.Payload, &u)
	d := deadUpdate(u.Update, inbox.StageHandle, string(c.Payload), problem, c.Attempt, ib.router.now())
	d.Platform, d.Key = c.Platform, c.Key
	if err := ib.store.DeadInbound(ctx, d); err != nil {
		log.Error("move an update to the dead letters", "error", err)
		return
	}
	ib.router.deadLettered(d)
}

// deadUpdate describes an update given up on.
func deadUpdate(u Update, stage, payload string, problem error, attempts int, at time.Time) inbox.DeadUpdate {
	d := inbox.DeadUpdate{Platform: u.Platform, Key: u.ID, UserID: u.From.ID, Stage: stage, Kind: string(u.Kind),
		Payload: payload, Error: problem.Error(), Attempts: attempts, At: at}
	if u.ReplyTo != nil {
		d.ReplyUserID = u.ReplyTo.From.ID
	}
	return d
}

// pause is the pause after attempt n failed: the retry pause, doubled for
// each attempt before, at most 30 times it.
func (ib *inboxWorker) pause(n int) time.Duration {
	return min(ib.retry<<max(n-1, 0), 30*ib.retry)
}

// waiter returns a channel closed once the update is handled (or given
// up on). Register it before the update is received.
func (ib *inboxWorker) waiter(p community.Platform, key string) (<-chan struct{}, func()) {
	k := string(p) + "\x00" + key
	w := make(chan struct{})
	ib.mu.Lock()
	ib.waiters[k] = append(ib.waiters[k], w)
	ib.mu.Unlock()
	forget := func() {
		ib.mu.Lock()
		defer ib.mu.Unlock()
		for i, x := range ib.waiters[k] {
			if x == w {
				ib.waiters[k] = append(ib.waiters[k][:i], ib.waiters[k][i+1:]...)
				break
			}
		}
		if len(ib.waiters[k]) == 0 {
			delete(ib.waiters, k)
		}
	}
	return w, forget
}
