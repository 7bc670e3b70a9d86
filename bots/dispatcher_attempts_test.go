package bots_test

import (
	"context"
	"errors"
	"strings"
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

func TestMain(m *testing.M) { storagetest.Main(m) }

// errBadGateway is what a platform client returns for an HTTP 502: neither
// a rate limit nor a permanent refusal, so the dispatcher retries it.
var errBadGateway = errors.New("error response from telegram for method sendMessage, 502 Bad Gateway")

// platform is a chat platform whose group -1001 answers every message
// with a 5xx; messages to other chats arrive.
type platform struct {
	store *storage.Store
	mu    sync.Mutex
	down  bool              // -1001 fails
	tries []attempt         // every attempt to send to -1001
	got   []outbox.Delivery // messages that arrived
}

type attempt struct {
	n       int       // Delivery.Attempts
	retryAt time.Time // next_attempt_at stored before this attempt
}

func (p *platform) Platform() community.Platform { return community.Telegram }

func (p *platform) Run(ctx context.Context, _ *bots.Router) error {
	<-ctx.Done()
	return nil
}

func (p *platform) Send(ctx context.Context, d outbox.Delivery) ([]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d.Target.ChatID != "-1001" {
		p.got = append(p.got, d)
		return []string{"ok"}, nil
	}
	var retryAt time.Time
	if err := p.store.DB().GetContext(ctx, &retryAt, `SELECT next_attempt_at FROM deliveries WHERE id = $1`, d.ID); err != nil {
		return nil, err
	}
	p.tries = append(p.tries, attempt{n: d.Attempts, retryAt: retryAt})
	if p.down {
		return nil, errBadGateway
	}
	p.got = append(p.got, d)
	return []string{"ok"}, nil
}

const noteKind = "test.note"

// outboxWorld is the chat layer with MaxAttempts 2 over a real database,
// a test platform, and a clock an hour behind the database's: every retry
// is due at once, so DeliverPending runs every attempt there is.
type outboxWorld struct {
	store *storage.Store
	svc   *bots.Service
	p     *platform
	clock time.Time
	ctx   context.Context
}

func newOutboxWorld(t *testing.T) *outboxWorld {
	t.Helper()
	store := storage.New(storagetest.New(t))
	w := &outboxWorld{store: store, p: &platform{store: store, down: true}, clock: time.Now().Add(-time.Hour).Truncate(time.Microsecond)}
	svc, err := botstest.NewService(bots.ServiceOptions{Store: store, CommunityName: "Tea Lovers", DefaultLanguage: "en", MaxAttempts: 2,
		Now: func() time.Time { return w.clock }}, botstest.Setup{Owners: []community.Account{{Platform: community.Telegram, UserID: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	svc.Add(w.p)
	svc.Start()
	svc.Dispatcher.Render(noteKind, func(_ context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
		return []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"}, Message: bots.Reply{Text: string(e.Payload)}}}, nil
	})
	w.svc = svc
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Router.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	w.ctx = ctx
	return w
}

func (w *outboxWorld) event(t *testing.T, kind string) int64 {
	t.Helper()
	var id int64
	if err := w.store.DB().Get(&id, `INSERT INTO outbox_events (kind, payload) VALUES ($1, '"hello"') RETURNING id`, kind); err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *outboxWorld) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.store.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// ownerSays handles a command from the owner in a private chat and returns
// the answer delivered to them.
func (w *outboxWorld) ownerSays(t *testing.T, id, command, args string) string {
	t.Helper()
	err := w.svc.Router.Handle(w.ctx, bots.Update{Platform: community.Telegram, ID: id, Kind: bots.KindMessage,
		Chat: bots.Chat{ID: "1", Kind: community.ChatDirect}, From: bots.User{ID: "1", DisplayName: "Olga", Language: "en"},
		Text: strings.TrimSpace("/" + command + " " + args), Command: command, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Dispatcher.DeliverPending(w.ctx)
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	for i := len(w.p.got) - 1; i >= 0; i-- {
		if d := w.p.got[i]; d.Target.ChatID == "1" {
			return d.Message.Text
		}
	}
	t.Fatalf("no answer to /%s", command)
	return ""
}

// TestDeliveryFailingWith5xxDiesAfterMaxAttempts: an event's message that
// the platform answers with a 502 every time is tried MaxAttempts times,
// the second after a backoff of one second and a quarter at most, then
// goes to the dead letters, which /outbox lists for the owner and
// /outbox retry queues again.
func TestDeliveryFailingWith5xxDiesAfterMaxAttempts(t *testing.T) {
	w := newOutboxWorld(t)
	event := w.event(t, noteKind)
	w.svc.Dispatcher.DeliverPending(w.ctx)
	w.svc.Dispatcher.DeliverPending(w.ctx) // a dead letter is not tried again

	if len(w.p.tries) != 2 || w.p.tries[0].n != 1 || w.p.tries[1].n != 2 {
		t.Fatalf("attempts = %+v; want exactly attempts 1 and 2", w.p.tries)
	}
	if wait := w.p.tries[1].retryAt.Sub(w.clock); wait < time.Second || wait > 1250*time.Millisecond {
		t.Errorf("the second attempt was due %v after the first failed; want a backoff of 1s to 1.25s", wait)
	}
	if n := w.count(t, `SELECT count(*) FROM deliveries WHERE event_id = $1 AND status = 'dead' AND attempts = 2 AND last_error LIKE '%502 Bad Gateway%'`, event); n != 1 {
		t.Errorf("the delivery is not dead after 2 attempts with the 502 as its error")
	}
	if n := w.count(t, `SELECT count(*) FROM outbox_events WHERE id = $1 AND status = 'rendered'`, event); n != 1 {
		t.Errorf("the event is not rendered")
	}

	status, err := w.store.OutboxStatus(w.ctx)
	if err != nil || status.DeadDeliveries != 1 || status.PendingDeliveries != 0 {
		t.Errorf("outbox status = %+v, %v", status, err)
	}
	report := w.ownerSays(t, "u1", "outbox", "")
	for _, want := range []string{"0 waiting, 1 failed", "Telegram → -1001, 2 attempts", "502 Bad Gateway"} {
		if !strings.Contains(report, want) {
			t.Errorf("/outbox = %q; want %q in it", report, want)
		}
	}

	w.p.mu.Lock()
	w.p.down = false
	w.p.mu.Unlock()
	if got := w.ownerSays(t, "u2", "outbox", "retry all"); !strings.Contains(got, "Queued 1 message again") {
		t.Errorf("/outbox retry all = %q", got)
	}
	w.svc.Dispatcher.DeliverPending(w.ctx)
	if n := w.count(t, `SELECT count(*) FROM deliveries WHERE event_id = $1 AND status = 'sent'`, event); n != 1 {
		t.Errorf("the retried delivery was not sent; attempts %+v", w.p.tries)
	}
}

// TestEventFailingToRenderDiesAfterMaxAttempts: an event whose renderer
// fails every time is tried MaxAttempts times, then is a dead letter
// (e<id>) that /outbox lists.
func TestEventFailingToRenderDiesAfterMaxAttempts(t *testing.T) {
	w := newOutboxWorld(t)
	var renders []int
	w.svc.Dispatcher.Render("test.broken", func(_ context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
		renders = append(renders, e.Attempts)
		return nil, errors.New("shop API: 503 Service Unavailable")
	})
	event := w.event(t, "test.broken")
	w.svc.Dispatcher.DeliverPending(w.ctx)
	w.svc.Dispatcher.DeliverPending(w.ctx)
	if len(renders) != 2 || renders[0] != 1 || renders[1] != 2 {
		t.Fatalf("render attempts = %v; want 1 and 2", renders)
	}
	if n := w.count(t, `SELECT count(*) FROM outbox_events WHERE id = $1 AND status = 'dead' AND attempts = 2`, event); n != 1 {
		t.Errorf("the event is not dead after 2 attempts")
	}
	if n := w.count(t, `SELECT count(*) FROM deliveries`); n != 0 {
		t.Errorf("%d deliveries from an event that never rendered", n)
	}
	report := w.ownerSays(t, "u1", "outbox", "")
	if !strings.Contains(report, "test.broken, 2 attempts") || !strings.Contains(report, "503 Service Unavailable") {
		t.Errorf("/outbox = %q", report)
	}
}
