package telegram_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/lib/pq"
)

// holdingProxy stands between Hearth and the fake Bot API and holds the
// nth sendMessage call until the caller gives up on it: the platform is
// slow at that moment, and a process that dies then never sends it.
type holdingProxy struct {
	srv  *httptest.Server
	held chan struct{} // closed when the nth call arrives
	gone chan struct{} // closed when the test ends
	mu   sync.Mutex
	seen int
}

func newHoldingProxy(t *testing.T, tg *telegramtest.Server, nth int) *holdingProxy {
	t.Helper()
	target, err := url.Parse(tg.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &holdingProxy{held: make(chan struct{}), gone: make(chan struct{})}
	forward := httputil.NewSingleHostReverseProxy(target)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sendMessage") {
			p.mu.Lock()
			p.seen++
			hold := p.seen == nth
			p.mu.Unlock()
			if hold {
				_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client hang up
				close(p.held)
				select {
				case <-r.Context().Done():
				case <-p.gone:
				}
				return
			}
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	t.Cleanup(func() { close(p.gone) }) // runs first: let a held call go
	return p
}

// newSender is an adapter that only sends, paced by limits (zero:
// Telegram's own).
func newSender(t testing.TB, apiURL string, limits telegram.Limits) *telegram.Adapter {
	t.Helper()
	a, err := telegram.New(context.Background(), telegram.Options{Token: token, APIURL: apiURL, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestEachPartIsRecordedAsSoonAsTelegramAcceptsIt: while the second part
// of a long message is on its way, the first is already recorded as sent;
// when the process stops there, the next one sends only the parts left,
// and Telegram receives every part once.
func TestEachPartIsRecordedAsSoonAsTelegramAcceptsIt(t *testing.T) {
	t.Parallel()
	store := storage.New(storagetest.New(t))
	tg := telegramtest.New(t, token)
	var text strings.Builder
	for i := range 700 {
		fmt.Fprintf(&text, "Line %d of the tea guide. ", i) // about 17,000 characters: five messages
	}
	err := store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, UserID: "42"},
		Message: bots.Reply{Text: text.String()}}})
	if err != nil {
		t.Fatal(err)
	}

	proxy := newHoldingProxy(t, tg, 2)
	first := bots.NewDispatcher(bots.DispatcherOptions{Store: store})
	first.AddSender(community.Telegram, newSender(t, proxy.srv.URL, unpaced))
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); first.Run(ctx) }()
	select {
	case <-proxy.held:
	case <-time.After(30 * time.Second):
		t.Fatal("the second part never left")
	}
	var recorded pq.StringArray
	if err := store.DB().QueryRow(`SELECT sent_ids FROM deliveries`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	calls := tg.Calls("sendMessage")
	if len(calls) != 1 || len(recorded) != 1 {
		t.Fatalf("while the second part is on its way: %d parts posted, %v recorded; want the first recorded", len(calls), recorded)
	}
	stop()
	<-done

	second := bots.NewDispatcher(bots.DispatcherOptions{Store: store})
	second.AddSender(community.Telegram, newSender(t, tg.URL(), unpaced))
	second.DeliverPending(context.Background())
	calls = tg.Calls("sendMessage")
	if err := store.DB().QueryRow(`SELECT sent_ids FROM deliveries WHERE status = 'sent'`).Scan(&recorded); err != nil {
		t.Fatalf("the message is not marked sent: %v", err)
	}
	if len(calls) != 5 || len(recorded) != 5 {
		t.Fatalf("Telegram received %d messages, %d recorded; want the five parts once each", len(calls), len(recorded))
	}
	for i, c := range calls {
		if i > 0 && c.Params["text"] == calls[i-1].Params["text"] {
			t.Fatalf("part %d was sent twice", i)
		}
	}
}
