package bots_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// gatedPlatform is a slow chat platform: every message waits at the gate
// until the test opens it (or the sender's context ends).
type gatedPlatform struct {
	gate     chan struct{} // closed: messages go through
	mu       sync.Mutex
	started  []int64 // deliveries that reached the platform
	accepted []int64 // deliveries the platform accepted
	changed  chan struct{}
}

func newGatedPlatform(open bool) *gatedPlatform {
	p := &gatedPlatform{gate: make(chan struct{}), changed: make(chan struct{}, 1)}
	if open {
		close(p.gate)
	}
	return p
}

func (p *gatedPlatform) Send(ctx context.Context, d outbox.Delivery) ([]string, error) {
	p.note(func() { p.started = append(p.started, d.ID) })
	select {
	case <-p.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.note(func() { p.accepted = append(p.accepted, d.ID) })
	return []string{fmt.Sprint("m", d.ID)}, nil
}

func (p *gatedPlatform) note(change func()) {
	p.mu.Lock()
	change()
	p.mu.Unlock()
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// waitFor waits until cond holds over what the platform saw; the timeout
// only turns a hang into a failure.
func (p *gatedPlatform) waitFor(t *testing.T, what string, cond func(started, accepted []int64) bool) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		ok := cond(p.started, p.accepted)
		p.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-p.changed:
		case <-time.After(20 * time.Millisecond):
		case <-timeout:
			t.Fatalf("waited 30s for %s", what)
		}
	}
}

func (p *gatedPlatform) counts() (started, accepted int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.started), len(p.accepted)
}

// runDispatcher runs a dispatcher over store with p as its Telegram until
// the test ends.
func runDispatcher(t *testing.T, store outbox.Store, p bots.Sender, lease time.Duration) *bots.Dispatcher {
	t.Helper()
	d := bots.NewDispatcher(bots.DispatcherOptions{Store: store, Lease: lease, Parallel: 4, Sweep: 100 * time.Millisecond})
	d.AddSender(community.Telegram, p)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

func queueReplies(t *testing.T, store *storage.Store, chats, perChat int) {
	t.Helper()
	var out []outbox.Outgoing
	for i := range perChat {
		for c := range chats {
			out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: community.Telegram, ChatID: fmt.Sprint(100 + c)},
				Message: bots.Reply{Text: fmt.Sprintf("reply %d to chat %d", i, c)}})
		}
	}
	if err := store.QueueMessages(context.Background(), out); err != nil {
		t.Fatal(err)
	}
}

func outboxRows(t *testing.T, store *storage.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := store.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestReplacementTakesOverADeadDispatchersClaims: a dispatcher dies while
// it holds claims on messages it has not sent; another one delivers them
// once their lease runs out, each exactly once, instead of leaving them to
// wait minutes.
func TestReplacementTakesOverADeadDispatchersClaims(t *testing.T) {
	store := storage.New(storagetest.New(t))
	queueReplies(t, store, 12, 2)
	lease := time.Second
	hung := newGatedPlatform(false) // the dying process's sends never finish
	t.Cleanup(func() { close(hung.gate) })
	dying := &botstest.DyingOutbox{Store: store}
	runDispatcher(t, dying, hung, lease)
	hung.waitFor(t, "the first dispatcher to be sending to 4 chats", func(started, _ []int64) bool { return len(started) == 4 })
	dying.Kill()
	if n := outboxRows(t, store, `SELECT count(*) FROM deliveries WHERE status = 'pending' AND locked_until > now()`); n < 4 {
		t.Fatalf("%d deliveries claimed when the dispatcher died; want its 4 chats' runs", n)
	}

	fine := newGatedPlatform(true)
	runDispatcher(t, store, fine, lease)
	fine.waitFor(t, "every reply to be delivered", func(_, accepted []int64) bool { return len(accepted) >= 24 })
	if _, accepted := fine.counts(); accepted != 24 {
		t.Fatalf("the replacement sent %d messages; want each of the 24 once", accepted)
	}
	seen := map[int64]bool{}
	for _, id := range fine.accepted {
		if seen[id] {
			t.Fatalf("delivery %d sent twice", id)
		}
		seen[id] = true
	}
	if _, accepted := hung.counts(); accepted != 0 {
		t.Fatalf("the dead dispatcher sent %d messages", accepted)
	}
	waitRows(t, store, 24, `SELECT count(*) FROM deliveries WHERE status = 'sent'`)
}

// waitRows waits until query counts want rows.
func waitRows(t *testing.T, store *storage.Store, want int, query string, args ...any) {
	t.Helper()
	storagetest.WaitCount(t, store.DB(), want, query, args...)
}

// TestLeaseIsRenewedWhileASlowSendGoesOn: a dispatcher whose platform is
// slow keeps renewing its claims, so another dispatcher that looks after
// the first lease would have run out finds nothing to take, and every
// message is sent once.
func TestLeaseIsRenewedWhileASlowSendGoesOn(t *testing.T) {
	store := storage.New(storagetest.New(t))
	queueReplies(t, store, 1, 3) // one chat's run of three messages
	lease := 2 * time.Second     // renewed every lease/4: room for a loaded machine's stalls
	slow := newGatedPlatform(false)
	runDispatcher(t, store, slow, lease)
	slow.waitFor(t, "the first message to reach the platform", func(started, _ []int64) bool { return len(started) == 1 })

	var firstLease time.Time
	if err := store.DB().Get(&firstLease, `SELECT max(locked_until) FROM deliveries WHERE status = 'pending'`); err != nil {
		t.Fatal(err)
	}
	// Wait until every claim of the run has been renewed beyond where the
	// first lease would have ended.
	waitRows(t, store, 3, `SELECT count(*) FROM deliveries WHERE status = 'pending' AND locked_until > CAST($1 AS timestamptz) + $2 * interval '1 millisecond'`,
		firstLease, lease.Milliseconds())
	other := newGatedPlatform(true)
	second := bots.NewDispatcher(bots.DispatcherOptions{Store: store, Lease: lease})
	second.AddSender(community.Telegram, other)
	second.DeliverPending(context.Background())
	if started, _ := other.counts(); started != 0 {
		t.Fatalf("another dispatcher sent %d of the renewed messages", started)
	}

	close(slow.gate)
	slow.waitFor(t, "the run to be sent", func(_, accepted []int64) bool { return len(accepted) == 3 })
	waitRows(t, store, 3, `SELECT count(*) FROM deliveries WHERE status = 'sent'`)
	if started, accepted := slow.counts(); started != 3 || accepted != 3 {
		t.Fatalf("the platform saw %d sends and accepted %d; want 3 and 3", started, accepted)
	}
}
