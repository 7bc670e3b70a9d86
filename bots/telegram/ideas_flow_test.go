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
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// boris speaks Russian: Hearth writes to him privately in Russian.
var boris = func() models.User {
	u := telegramtest.User(500, "Boris")
	u.LanguageCode = "ru"
	return u
}()

// ideasHearth is Hearth on Telegram with no quiet hours, on a clock the
// test moves by ahead, over s (a database and a fake Bot API of its own
// where s names none).
func ideasHearth(t *testing.T, s setup, ahead *atomic.Int64) *hearth {
	t.Helper()
	return startCustom(t, custom{setup: s, service: func(so *bots.ServiceOptions) {
		so.Community = bots.DefaultCommunityOptions()
		so.Community.Location = time.UTC
		so.Community.Announce = bots.AnnounceOptions{WeeklyCap: 2}
		so.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	}})
}

// botMessage waits for a message of the bot's in chat containing part and
// returns its id.
func (h *hearth) botMessage(t *testing.T, chat int64, part string) int {
	t.Helper()
	id := 0
	storagetest.Await(t, func() bool {
		for _, m := range h.tg.Messages(chat) {
			if strings.Contains(m.Text, part) {
				id = m.ID
			}
		}
		return id != 0
	}, func() string {
		return fmt.Sprintf("a message in %d with %q; calls %v", chat, part, h.tg.Calls("sendMessage"))
	})
	return id
}

// sentTo counts every message Hearth sent to chat.
func (h *hearth) sentTo(chat string) int {
	n := 0
	for _, c := range h.tg.Calls("sendMessage") {
		if c.Params["chat_id"] == chat {
			n++
		}
	}
	return n
}

// armedProxy stands between Hearth and the fake Bot API; once armed, it
// holds every sendMessage call until the caller gives up on it: the
// message is on its way and never arrives, as when the process dies
// while Telegram is slow to answer.
type armedProxy struct {
	srv   *httptest.Server
	armed atomic.Bool
	gone  chan struct{} // closed when the test ends

	mu      sync.Mutex
	held    int
	changed chan struct{} // closed and replaced when a call is held
}

func newArmedProxy(t *testing.T, tg *telegramtest.Server) *armedProxy {
	t.Helper()
	target, err := url.Parse(tg.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &armedProxy{gone: make(chan struct{}), changed: make(chan struct{})}
	forward := httputil.NewSingleHostReverseProxy(target)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.armed.Load() || !strings.HasSuffix(r.URL.Path, "/sendMessage") {
			forward.ServeHTTP(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client hang up
		p.mu.Lock()
		p.held++
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-p.gone:
		}
	}))
	t.Cleanup(p.srv.Close)
	t.Cleanup(func() { close(p.gone) }) // runs first: let held calls go
	return p
}

// waitHeld waits until n calls are held.
func (p *armedProxy) waitHeld(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(storagetest.Patience)
	for {
		p.mu.Lock()
		held, changed := p.held, p.changed
		p.mu.Unlock()
		if held >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%d sendMessage calls held; want %d", held, n)
		}
	}
}

// TestIdeaStatusToldOnceThoughKilledBeforeSending: the owner plans
// Alice's idea, which Boris voted for, with a comment. Before the settle
// time nobody is told. After it the notices job decides to tell them
// both, and Hearth is stopped while both messages are on their way to
// Telegram; a fresh Hearth on the same database delivers each once, in
// its reader's language, and running the job again tells nobody more.
// Cleo, who neither wrote nor voted, is told nothing.
func TestIdeaStatusToldOnceThoughKilledBeforeSending(t *testing.T) {
	t.Parallel()
	var ahead atomic.Int64
	tg := telegramtest.New(t, token)
	proxy := newArmedProxy(t, tg)
	w := &npsWorld{hearth: ideasHearth(t, setup{tg: tg, apiURL: proxy.srv.URL}, &ahead)}
	w.tg.PushUpdate(w.tg.MessageUpdate(teaStaff, owner, "/setstaff"))
	w.waitCount(t, `SELECT count(*) FROM chats WHERE is_staff AND platform_chat_id = '-1002'`, 1)
	for _, u := range []models.User{alice, boris, cleo} {
		w.sayHandled(t, telegramtest.Private(u), u, "/start")
	}
	w.sayHandled(t, group, alice, "/idea Dark mode for the mobile app")
	postID := w.botMessage(t, teaStaff.ID, "Dark mode for the mobile app")
	w.push(t, w.tg.CallbackUpdate(teaStaff, boris, postID, "idea:vote:1"))
	w.waitCount(t, `SELECT votes FROM feedback_items WHERE id = 1`, 1)
	w.sayHandled(t, teaStaff, owner, "/status 1 planned Coming in the spring release")
	w.sentMatching(t, "-1002", "#1 is now <b>planned</b>. 2 members will be told privately.")
	w.waitCount(t, `SELECT count(*) FROM feedback_notices WHERE queued_at IS NULL`, 2)

	if err := w.svc.RunJob(context.Background(), "feedback.notices"); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM feedback_notices WHERE queued_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d notices queued before the settle time", n)
	}

	w.waitOutboxIdle(t)
	before := map[string]int{"100": w.sentTo("100"), "500": w.sentTo("500"), "300": w.sentTo("300")}
	ahead.Store(int64(11 * time.Minute))
	proxy.armed.Store(true)
	if err := w.svc.RunJob(context.Background(), "feedback.notices"); err != nil {
		t.Fatal(err)
	}
	proxy.waitHeld(t, 2)
	w.stop()
	if n := w.sentCount("100", "News from") + w.sentCount("500", "Новости"); n != 0 {
		t.Fatalf("%d notices reached Telegram before the stop; want both held", n)
	}
	if n := w.count(t, `SELECT count(*) FROM feedback_notices WHERE queued_at IS NOT NULL AND event_id IS NOT NULL`); n != 2 {
		t.Fatalf("%d notices queued by the job; want Alice's and Boris's", n)
	}

	again := &npsWorld{hearth: ideasHearth(t, setup{store: w.store, tg: tg}, &ahead)}
	aliceGot := again.sentMatching(t, "100", "News from Tea Lovers")
	borisGot := again.sentMatching(t, "500", "Новости сообщества Tea Lovers")
	again.waitOutboxIdle(t)
	if err := again.svc.RunJob(context.Background(), "feedback.notices"); err != nil {
		t.Fatal(err)
	}
	again.waitOutboxIdle(t)

	for _, part := range []string{"<b>#1 Dark mode for the mobile app</b> is now <b>planned</b>.",
		"The team says: “Coming in the spring release”"} {
		if text := sent(t, aliceGot); !strings.Contains(text, part) {
			t.Errorf("Alice's notice lacks %q:\n%s", part, text)
		}
	}
	for _, part := range []string{"<b>#1 Dark mode for the mobile app</b> — теперь <b>запланировано</b>.",
		"Комментарий команды: «Coming in the spring release»"} {
		if text := sent(t, borisGot); !strings.Contains(text, part) {
			t.Errorf("Boris's notice lacks %q:\n%s", part, text)
		}
	}
	for chat, want := range map[string]int{"100": 1, "500": 1, "300": 0} {
		if got := again.sentTo(chat) - before[chat]; got != want {
			t.Errorf("chat %s got %d messages after the status change; want %d: %v", chat, got, want, again.tg.Calls("sendMessage"))
		}
	}
	if n := again.count(t, `SELECT count(*) FROM outbox_events WHERE kind = 'feedback.notices'`); n != 1 {
		t.Errorf("%d notices events; want the one queued before the stop", n)
	}
}
