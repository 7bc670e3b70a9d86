package bots_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// inboxWorld is a router on a real database, with commands of the test's.
type inboxWorld struct {
	store  *storage.Store
	router *bots.Router
	ctx    context.Context
	mu     sync.Mutex
	dead   []inbox.DeadUpdate
}

func newInboxWorld(t *testing.T, commands ...bots.Command) *inboxWorld {
	t.Helper()
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	return newInboxWorldOn(t, store, commands...)
}

func newInboxWorldOn(t *testing.T, store *storage.Store, commands ...bots.Command) *inboxWorld {
	t.Helper()
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	w := &inboxWorld{store: store}
	reg := bots.NewRegistry()
	for _, c := range commands {
		reg.Add(c)
	}
	w.router = bots.NewRouter(bots.RouterOptions{Store: store, Registry: reg, Access: community.NewAccess(nil, store),
		Catalog: cat, DefaultLanguage: "en", Log: slog.New(slog.DiscardHandler), RetryPause: 10 * time.Millisecond,
		DeadLettered: func(d inbox.DeadUpdate) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.dead = append(w.dead, d)
		}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.router.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	w.ctx = ctx
	return w
}

func command(id, chat, text string) bots.Update {
	name, args, _ := strings.Cut(strings.TrimPrefix(text, "/"), " ")
	return bots.Update{Platform: community.Console, ID: id, Kind: bots.KindMessage, At: time.Now(), MessageID: id, Text: text,
		Command: name, Args: args, Chat: bots.Chat{ID: chat, Kind: community.ChatGroup, Title: "Group " + chat},
		From: bots.User{ID: "alice", Username: "alice", DisplayName: "Alice"}}
}

func (w *inboxWorld) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.store.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (w *inboxWorld) waitCount(t *testing.T, want int, query string, args ...any) {
	t.Helper()
	storagetest.WaitCount(t, w.store.DB(), want, query, args...)
}

// TestHandlerThatAlwaysFailsGoesToTheDeadLetters: a command whose handler
// panics every time is tried maxAttempts times, then given up on: kept in
// the dead letters with the panic, counted, marked handled; the chat's next
// command is answered, and so is another chat's meanwhile.
func TestHandlerThatAlwaysFailsGoesToTheDeadLetters(t *testing.T) {
	ok := func(context.Context, *bots.Request) (bots.Reply, error) { return bots.Reply{Text: "fine"}, nil }
	w := newInboxWorld(t,
		bots.Command{Name: "boom", Permission: community.RoleMember, Where: bots.Anywhere,
			Run: func(context.Context, *bots.Request) (bots.Reply, error) { panic("boom") }},
		bots.Command{Name: "ok", Permission: community.RoleMember, Where: bots.Anywhere, Run: ok})
	for _, u := range []bots.Update{command("1", "g1", "/boom"), command("2", "g1", "/ok"), command("3", "g2", "/ok")} {
		if err := w.router.Receive(w.ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	w.waitCount(t, 0, `SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL`)
	if n := w.count(t, `SELECT count(*) FROM deliveries WHERE message->>'text' = 'fine'`); n != 2 {
		t.Errorf("%d answers to /ok, want 2 (the chat moved on)", n)
	}
	var stage, problem string
	var attempts int
	if err := w.store.DB().QueryRow(`SELECT stage, error, attempts FROM inbound_dead WHERE update_key = '1'`).Scan(&stage, &problem, &attempts); err != nil {
		t.Fatalf("dead letter: %v", err)
	}
	if stage != inbox.StageHandle || !strings.Contains(problem, "panic: boom") || attempts != 5 {
		t.Errorf("dead letter = %s %q after %d attempts", stage, problem, attempts)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.dead) != 1 || w.dead[0].Key != "1" {
		t.Errorf("dead letters counted: %+v", w.dead)
	}
}

// TestUpdateTheDatabaseRefusesGoesToTheDeadLetters: an update the database
// refuses to record is tried maxAttempts times, then kept in the dead
// letters and acknowledged (Receive returns nil); the updates recorded in
// the same batches are not held back.
func TestUpdateTheDatabaseRefusesGoesToTheDeadLetters(t *testing.T) {
	ok := func(context.Context, *bots.Request) (bots.Reply, error) { return bots.Reply{Text: "fine"}, nil }
	w := newInboxWorld(t, bots.Command{Name: "ok", Permission: community.RoleMember, Where: bots.Anywhere, Run: ok})
	storagetest.RefuseUpdate(t, w.store.DB(), "poison")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		u := command(string(rune('a'+i)), "g1", "/ok")
		if i == 7 {
			u.ID = "poison"
		}
		wg.Go(func() { errs[i] = w.router.Receive(w.ctx, u) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	w.waitCount(t, 19, `SELECT count(*) FROM deliveries WHERE message->>'text' = 'fine'`)
	if n := w.count(t, `SELECT count(*) FROM inbound_dead WHERE update_key = 'poison' AND stage = 'record' AND error LIKE '%refused for the test%'`); n != 1 {
		t.Errorf("the refused update is not in the dead letters")
	}
}

// TestTextPostgreSQLCannotStoreIsCleaned: a NUL byte or invalid UTF-8 in a
// name, a title or a message is dropped at the door, and the update is
// recorded and handled like any other.
func TestTextPostgreSQLCannotStoreIsCleaned(t *testing.T) {
	echo := func(_ context.Context, r *bots.Request) (bots.Reply, error) {
		return bots.Reply{Text: "got " + r.Update.Args}, nil
	}
	w := newInboxWorld(t, bots.Command{Name: "echo", Permission: community.RoleMember, Where: bots.Anywhere, Run: echo,
		Args: []bots.Arg{{Name: "text", Kind: bots.ArgText}}})
	u := command("1", "g\x001", "/echo a\x00b\xff")
	u.From.DisplayName, u.Chat.Title = "Ali\x00ce", "Tea\x00 \xfe"
	if err := w.router.Handle(w.ctx, u); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM deliveries WHERE message->>'text' = 'got ab'||chr(65533)`); n != 1 {
		t.Errorf("the cleaned command was not answered")
	}
	if n := w.count(t, `SELECT count(*) FROM identities WHERE display_name = 'Alice'`); n != 1 {
		t.Errorf("the name was not recorded without its NUL")
	}
	if n := w.count(t, `SELECT count(*) FROM chats WHERE platform_chat_id = 'g1' AND title = 'Tea '||chr(65533)`); n != 1 {
		t.Errorf("the chat was not recorded with a clean title")
	}
}

// TestUpdateTheDatabaseCannotTakeNowIsNotGivenUp: a failure that is not
// about the update (here a serialization failure, as in a failover) is
// tried again for as long as it lasts, well past maxAttempts, and the
// update is recorded once it passes; nothing goes to the dead letters.
func TestUpdateTheDatabaseCannotTakeNowIsNotGivenUp(t *testing.T) {
	ok := func(context.Context, *bots.Request) (bots.Reply, error) { return bots.Reply{Text: "fine"}, nil }
	w := newInboxWorld(t, bots.Command{Name: "ok", Permission: community.RoleMember, Where: bots.Anywhere, Run: ok})
	if _, err := w.store.DB().Exec(`
CREATE SEQUENCE tries;
CREATE FUNCTION busy_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('tries');
    RAISE EXCEPTION 'busy for the test' USING ERRCODE = 'serialization_failure';
END $$;
CREATE TRIGGER busy_for_test BEFORE INSERT ON inbound_updates FOR EACH ROW EXECUTE FUNCTION busy_for_test();`); err != nil {
		t.Fatal(err)
	}
	received := make(chan error, 1)
	go func() { received <- w.router.Receive(w.ctx, command("1", "g1", "/ok")) }()
	w.waitCount(t, 1, `SELECT count(*) FROM tries WHERE last_value > 7`)
	if _, err := w.store.DB().Exec(`DROP TRIGGER busy_for_test ON inbound_updates`); err != nil {
		t.Fatal(err)
	}
	if err := <-received; err != nil {
		t.Fatal(err)
	}
	w.waitCount(t, 1, `SELECT count(*) FROM deliveries WHERE message->>'text' = 'fine'`)
	if n := w.count(t, `SELECT count(*) FROM inbound_dead`); n != 0 {
		t.Errorf("%d dead letters, want none: the update was fine", n)
	}
}

// TestUpdateThatBringsProcessesDownIsGivenUpUnhandled: an update claimed
// more than maxAttempts times (each process handling it died) goes to the
// dead letters without being handled again.
func TestUpdateThatBringsProcessesDownIsGivenUpUnhandled(t *testing.T) {
	var ran atomic.Int32
	crash := func(context.Context, *bots.Request) (bots.Reply, error) {
		ran.Add(1)
		return bots.Reply{Text: "ran"}, nil
	}
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	in := inbox.Inbound{Platform: community.Console, Key: "9", At: time.Now(), From: bots.User{ID: "alice"},
		Chat: bots.Chat{ID: "g1", Kind: community.ChatGroup}, Queue: "console:chat:g1",
		Payload: []byte(`{"update": {"Platform": "console", "ID": "9", "Kind": "message", "Command": "crash",
			"Chat": {"ID": "g1", "Kind": "group"}, "From": {"ID": "alice"}}}`)}
	if _, err := store.RecordInbound(context.Background(), []inbox.Inbound{in}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().Exec(`UPDATE inbox SET attempts = 5`); err != nil { // five processes died on it
		t.Fatal(err)
	}
	w := newInboxWorldOn(t, store, bots.Command{Name: "crash", Permission: community.RoleMember, Where: bots.Anywhere, Run: crash})
	w.waitCount(t, 1, `SELECT count(*) FROM inbound_dead WHERE update_key = '9' AND stage = 'handle'`)
	if n := ran.Load(); n != 0 {
		t.Errorf("the handler ran %d times, want never again", n)
	}
}

// TestCommandRecordedBeforeItsGroupJoinedRunsAsAMember: a command typed in
// a group before an owner connected it waits in the inbox with no member;
// handled once the group is connected, its sender is a member.
func TestCommandRecordedBeforeItsGroupJoinedRunsAsAMember(t *testing.T) {
	who := make(chan community.MemberID, 1)
	whoami := func(_ context.Context, r *bots.Request) (bots.Reply, error) {
		who <- r.Member
		return bots.Reply{Text: "you"}, nil
	}
	store := storage.New(storagetest.New(t))
	in := inbox.Inbound{Platform: community.Console, Key: "9", At: time.Now(), From: bots.User{ID: "alice", DisplayName: "Alice"},
		Chat: bots.Chat{ID: "g1", Kind: community.ChatGroup}, Queue: "console:chat:g1", Always: true,
		Payload: []byte(`{"update": {"Platform": "console", "ID": "9", "Kind": "message", "Command": "whoami",
			"Chat": {"ID": "g1", "Kind": "group"}, "From": {"ID": "alice", "DisplayName": "Alice"}}}`)}
	rec, err := store.RecordInbound(context.Background(), []inbox.Inbound{in})
	if err != nil || !rec[0].Outside || rec[0].Member != 0 {
		t.Fatalf("recorded %+v, %v; want outside, nobody recorded", rec, err)
	}
	if err := store.SyncConfiguredGroups(context.Background(), community.Console, []string{"g1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	newInboxWorldOn(t, store, bots.Command{Name: "whoami", Permission: community.RoleMember, Where: bots.Anywhere, Run: whoami})
	select {
	case m := <-who:
		if m == 0 {
			t.Error("the command ran with no member")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the command never ran")
	}
}
