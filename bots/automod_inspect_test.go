package bots_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestInspectorHandlesOnlyFlaggedMessages: a router inspector sees every
// plain message but no command; only the messages it flags are handled
// by its hook (with the sender resolved), once even when delivered
// twice; the rest are recorded as handled on arrival, as before.
func TestInspectorHandlesOnlyFlaggedMessages(t *testing.T) {
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	r := bots.NewRouter(bots.RouterOptions{Store: store, Registry: bots.NewRegistry(), Access: community.NewAccess(nil, store),
		Catalog: cat, DefaultLanguage: "en", Log: slog.New(slog.DiscardHandler)})
	var mu sync.Mutex
	var inspected, hooked []string
	r.Inspect("flag", func(u bots.Update) bool {
		mu.Lock()
		defer mu.Unlock()
		inspected = append(inspected, u.Text)
		return strings.Contains(u.Text, "flag")
	}, func(_ context.Context, req *bots.Request) ([]outbox.Outgoing, error) {
		mu.Lock()
		defer mu.Unlock()
		if req.Member == 0 || req.ChatID == 0 {
			t.Errorf("hook got no member or chat: %+v", req)
		}
		hooked = append(hooked, req.Update.Text)
		return []outbox.Outgoing{{Target: outbox.Target{Platform: req.Platform, ChatID: req.Update.Chat.ID}, Message: bots.Reply{Text: "seen"}}}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	msg := func(id, text, command string) bots.Update {
		return bots.Update{Platform: community.Console, ID: id, Kind: bots.KindMessage, At: time.Now(), MessageID: id, Text: text, Command: command,
			Chat: bots.Chat{ID: "group", Kind: community.ChatGroup}, From: bots.User{ID: "alice", Username: "alice"}}
	}
	for _, u := range []bots.Update{msg("1", "hello", ""), msg("2", "please flag me", ""), msg("3", "/flag", "flag"), msg("2", "please flag me", "")} {
		if err := r.Handle(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(inspected, "|"); got != "hello|please flag me|please flag me" {
		t.Errorf("inspected %q; want the plain messages (and the redelivery), not the command", got)
	}
	if len(hooked) != 1 || hooked[0] != "please flag me" {
		t.Errorf("hook ran for %q; want once, for the flagged message", hooked)
	}
	if n := countRows(t, store, `SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL`); n != 0 {
		t.Errorf("%d updates left unhandled", n)
	}
	if n := countRows(t, store, `SELECT count(*) FROM deliveries`); n != 2 {
		t.Errorf("%d deliveries, want the hook's one and the answer to the unknown /flag", n)
	}
	if n := countRows(t, store, `SELECT count(*) FROM activities WHERE kind = 'message'`); n != 2 {
		t.Errorf("%d message activities, want 2", n)
	}
}

func countRows(t *testing.T, s *storage.Store, query string) int {
	t.Helper()
	var n int
	if err := s.DB().Get(&n, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
