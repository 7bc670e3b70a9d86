package telegram_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestOneBadUpdateNeverStopsPolling: a member named with a NUL byte, in a
// group whose title has one, writing a message with one, is served like
// anyone (the NULs dropped); an update the database refuses every time is
// moved to the dead letters and confirmed, so that polling goes on, the
// metric counts it and the owner sees it in /outbox.
func TestOneBadUpdateNeverStopsPolling(t *testing.T) {
	t.Parallel()
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	var mu sync.Mutex
	var dead []inbox.DeadUpdate
	h := startCustom(t, custom{setup: setup{store: store}, service: func(o *bots.ServiceOptions) {
		o.RetryPause = 10 * time.Millisecond
		o.DeadLettered = func(d inbox.DeadUpdate) { mu.Lock(); dead = append(dead, d); mu.Unlock() }
	}})
	nul := telegramtest.User(300, "Ni\x00na")
	nulGroup := telegramtest.Supergroup(-1003, "Tea\x00 Room")
	first := h.tg.PushUpdate(h.tg.MessageUpdate(nulGroup, nul, "/help \x00please"))
	h.tg.WaitConfirmed(t, first+1, 10*time.Second)
	if help := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)[0]; !strings.Contains(help.Params["text"], "/help") {
		t.Errorf("the member named with a NUL got %q, want the help", help.Params["text"])
	}
	if n := h.count(t, `SELECT count(*) FROM identities WHERE display_name = 'Nina'`); n != 1 {
		t.Errorf("the name is not recorded without its NUL")
	}

	poison := h.tg.MessageUpdate(group, alice, "/help")
	poison.ID = 900
	storagetest.RefuseUpdate(t, store.DB(), itoa(poison.ID))
	h.tg.PushUpdate(poison)
	after := h.tg.PushUpdate(h.tg.MessageUpdate(group, bob, "/help"))
	h.tg.WaitConfirmed(t, after+1, 20*time.Second)
	calls := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)
	if calls[1].Params["chat_id"] != "-1001" {
		t.Errorf("the update after the refused one was not answered in the group")
	}
	h.push(t, h.tg.MessageUpdate(telegramtest.Private(owner), owner, "/outbox"))
	report := h.tg.WaitCalls(t, "sendMessage", 3, 10*time.Second)[2].Params["text"]
	if !strings.Contains(report, "1 update I could not take in") || !strings.Contains(report, itoa(poison.ID)) || !strings.Contains(report, "refused for the test") {
		t.Errorf("/outbox = %q; want the refused update listed", report)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dead) != 1 || dead[0].Stage != inbox.StageRecord {
		t.Errorf("dead letters counted: %+v", dead)
	}
}

// TestWebhookPoisonFailsOnlyItself: Telegram calls the webhook for many
// updates at once; one the database refuses is dead-lettered and answered
// 200 like the others, each of which is handled.
func TestWebhookPoisonFailsOnlyItself(t *testing.T) {
	t.Parallel()
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	h := startCustom(t, custom{setup: setup{store: store, webhookSecret: "s3cret"}, service: func(o *bots.ServiceOptions) {
		o.RetryPause = 10 * time.Millisecond
	}})
	srv := httptest.NewServer(h.bot.WebhookHandler())
	defer srv.Close()
	h.tg.WaitCalls(t, "setWebhook", 1, 10*time.Second) // Hearth is running
	var updates []models.Update
	for i := range 12 {
		u := h.tg.MessageUpdate(telegramtest.Supergroup(int64(-2000-i), "Group"), alice, "/help")
		u.ID = int64(500 + i)
		updates = append(updates, u)
	}
	storagetest.RefuseUpdate(t, store.DB(), itoa(updates[5].ID))
	var wg sync.WaitGroup
	status := make([]int, len(updates))
	for i, u := range updates {
		wg.Go(func() { status[i] = h.tg.PostWebhook(t, srv.URL, "s3cret", u).StatusCode })
	}
	wg.Wait()
	for i, s := range status {
		if s != http.StatusOK {
			t.Errorf("update %d answered %d, want 200", i, s)
		}
	}
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'sent'`, 11)
	if n := h.count(t, `SELECT count(*) FROM inbound_dead WHERE update_key = $1`, itoa(updates[5].ID)); n != 1 {
		t.Errorf("the refused update is not in the dead letters")
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
