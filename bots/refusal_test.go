package bots_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// refusalWorld is a router on a real database with one owner
// (telegram:1), a staff-chat command and an owner's button.
func refusalWorld(t *testing.T) (*storage.Store, *bots.Router, context.Context) {
	t.Helper()
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	return refusalWorldOn(t, store)
}

func refusalWorldOn(t *testing.T, store *storage.Store) (*storage.Store, *bots.Router, context.Context) {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	reg := bots.NewRegistry()
	ok := func(context.Context, *bots.Request) (bots.Reply, error) { return bots.Reply{Text: "done"}, nil }
	reg.Add(bots.Command{Name: "modlog", Permission: community.RoleStaff, Where: bots.InStaffChat, Run: ok, Button: ok})
	r := bots.NewRouter(bots.RouterOptions{Store: store, Registry: reg, Catalog: cat, DefaultLanguage: "en",
		Access: community.NewAccess([]community.Account{{Platform: community.Telegram, UserID: "1"}}, store),
		Log:    slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return store, r, ctx
}

func tgUpdate(id, chat string, kind community.ChatKind, from, text string) bots.Update {
	u := bots.Update{Platform: community.Telegram, ID: id, Kind: bots.KindMessage, At: time.Now(), MessageID: id, Text: text,
		Chat: bots.Chat{ID: chat, Kind: kind, Title: "Tea"}, From: bots.User{ID: from, DisplayName: "User " + from}}
	if strings.HasPrefix(text, "/") {
		u.Command, u.Args, _ = strings.Cut(strings.TrimPrefix(text, "/"), " ")
	}
	return u
}

// answers returns the text of every message queued, with where it goes.
func answers(t *testing.T, s *storage.Store) map[string]string {
	t.Helper()
	var rows []struct {
		Key  string `db:"target_key"`
		Text string `db:"text"`
	}
	if err := s.DB().Select(&rows, `SELECT target_key, message->>'text' AS text FROM deliveries ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Key] += r.Text
	}
	return out
}

// TestRefusalsAreAuditedAndTellNothingMore: a member who may not use a
// command is refused without being told where it works; staff using a
// command in the wrong place are told where it works; a member pressing a
// staff button is refused without the command's name; each refusal is
// audited.
func TestRefusalsAreAuditedAndTellNothingMore(t *testing.T) {
	store, r, ctx := refusalWorld(t)
	for _, u := range []bots.Update{
		tgUpdate("1", "-5", community.ChatGroup, "100", "/modlog"), // a member, in the wrong place too
		tgUpdate("2", "-5", community.ChatGroup, "1", "/modlog"),   // the owner, in the wrong place
	} {
		if err := r.Handle(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	press := tgUpdate("3", "-5", community.ChatGroup, "100", "")
	press.Kind, press.Data, press.Handle = bots.KindButton, "modlog:undo:7", "cb3"
	if err := r.Handle(ctx, press); err != nil {
		t.Fatal(err)
	}
	var texts []string
	if err := store.DB().Select(&texts, `SELECT message->>'text' FROM deliveries ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []string{"Sorry, /modlog is for the community's staff.", "/modlog works only here: in the staff chat.",
		"Sorry, this button is for the community's staff."}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("answers = %q\nwant      %q", texts, want)
	}
	var actions []string
	if err := store.DB().Select(&actions, `SELECT action || ':' || (details->>'command') FROM audit_log ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(actions, " "); got != "command.refused:modlog command.wrong_place:modlog command.refused:modlog" {
		t.Errorf("audited %q", got)
	}
}

// TestUnknownCommandInAGroupIsAnsweredPrivately: on Telegram, where a
// reply in a group cannot be shown to the sender alone, an unknown command
// is answered in the member's private chat with the bot once they have
// one, else in the group.
func TestUnknownCommandInAGroupIsAnsweredPrivately(t *testing.T) {
	store, r, ctx := refusalWorld(t)
	for _, u := range []bots.Update{
		tgUpdate("1", "-5", community.ChatGroup, "100", "/frobnicate"), // no private chat yet
		tgUpdate("2", "100", community.ChatDirect, "100", "hello"),     // now there is one
		tgUpdate("3", "-5", community.ChatGroup, "100", "/frobnicate"),
	} {
		if err := r.Handle(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	got := answers(t, store)
	if !strings.Contains(got["telegram:-5"], "I don't know /frobnicate") || strings.Count(got["telegram:-5"], "frobnicate") != 1 {
		t.Errorf("the group got %q; want the first answer only", got["telegram:-5"])
	}
	if !strings.Contains(got["telegram:user:100"], "I don't know /frobnicate") {
		t.Errorf("private answers = %q; want the second one", got)
	}
}

// TestRecordedUpdateIsHandledAfterARestart: an update recorded by a
// process that stopped before handling it is handled when a router runs
// again, and only once.
func TestRecordedUpdateIsHandledAfterARestart(t *testing.T) {
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	in := inbox.Inbound{Platform: community.Telegram, Key: "9", At: time.Now(), From: bots.User{ID: "100"},
		Chat: bots.Chat{ID: "-5", Kind: community.ChatGroup}, Queue: "telegram:chat:-5",
		Payload: []byte(`{"update": {"Platform": "telegram", "ID": "9", "Kind": "message", "Command": "help", "Text": "/help",
			"Chat": {"ID": "-5", "Kind": "group"}, "From": {"ID": "100"}, "MessageID": "9"}}`)}
	if _, err := store.RecordInbound(context.Background(), []inbox.Inbound{in}); err != nil {
		t.Fatal(err)
	}
	_, _, _ = refusalWorldOn(t, store)
	storagetest.WaitInboxSettled(t, store.DB())
	var n int
	if err := store.DB().Get(&n, `SELECT count(*) FROM deliveries WHERE message->>'text' LIKE '%/help%'`); err != nil || n != 1 {
		t.Errorf("%d answers to the recorded /help, %v; want 1", n, err)
	}
	if err := store.DB().Get(&n, `SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL`); err != nil || n != 0 {
		t.Errorf("%d updates left unhandled, %v", n, err)
	}
}
