package telegram_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
)

// holdCommand is /hold: it tells entered that it runs, then blocks until
// release is closed (or Hearth stops).
func holdCommand(entered chan<- struct{}, release <-chan struct{}) bots.Command {
	return bots.Command{Name: "hold", Permission: community.RoleMember, Where: bots.Anywhere,
		Run: func(ctx context.Context, _ *bots.Request) (bots.Reply, error) {
			entered <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return bots.Reply{Text: "released"}, nil
		}}
}

// TestPollingNeverWaitsForAHandler: Telegram confirms every update below
// the offset of the next getUpdates, and Hearth confirms an update as soon
// as it is recorded. With /hold still running in the group, later updates
// are confirmed and taken at once; one in another chat is answered at
// once, while the group's own next command waits for /hold, in order.
func TestPollingNeverWaitsForAHandler(t *testing.T) {
	t.Parallel()
	tg := telegramtest.New(t, token)
	hold := tg.PushUpdate(tg.MessageUpdate(group, alice, "/hold"))
	entered, release := make(chan struct{}, 1), make(chan struct{})
	h := startCustom(t, custom{setup: setup{tg: tg}, commands: []bots.Command{holdCommand(entered, release)}})
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("/hold never ran")
	}
	other := telegramtest.Supergroup(-1009, "Tea Talk")
	sameChat := h.tg.PushUpdate(h.tg.MessageUpdate(group, bob, "/help"))
	otherChat := h.tg.PushUpdate(h.tg.MessageUpdate(other, bob, "/help"))
	h.tg.WaitConfirmed(t, otherChat+1, 10*time.Second) // recorded while /hold runs
	if hold >= sameChat {
		t.Fatalf("update ids %d, %d", hold, sameChat)
	}
	calls := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	if calls[0].Params["chat_id"] != "-1009" {
		t.Fatalf("first answer went to %s, want the other chat's /help", calls[0].Params["chat_id"])
	}
	h.settledExcept(t, 2) // /hold, and the group's /help behind it

	close(release)
	calls = h.tg.WaitCalls(t, "sendMessage", 3, 10*time.Second)
	var group []string
	for _, c := range calls {
		if c.Params["chat_id"] == "-1001" {
			group = append(group, c.Params["text"])
		}
	}
	if len(group) != 2 || group[0] != "released" || !strings.Contains(group[1], "/help") {
		t.Errorf("the group's answers = %q; want /hold's, then /help's", group)
	}
}

// TestOneChatsUpdatesAreHandledInOrder: a chat's commands that arrive in
// one getUpdates batch are handled in the order Telegram sent them,
// however the batch is recorded (a /mute then an /unmute must not swap).
func TestOneChatsUpdatesAreHandledInOrder(t *testing.T) {
	tg := telegramtest.New(t, token)
	for i := range 40 {
		tg.PushUpdate(tg.MessageUpdate(group, alice, fmt.Sprintf("/order %d", i)))
	}
	var mu sync.Mutex
	var seen []string
	order := bots.Command{Name: "order", Permission: community.RoleMember, Where: bots.Anywhere,
		Args: []bots.Arg{{Name: "n", Kind: bots.ArgWord}},
		Run: func(_ context.Context, r *bots.Request) (bots.Reply, error) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, r.Arg("n"))
			return bots.Reply{}, nil
		}}
	h := startCustom(t, custom{setup: setup{tg: tg}, commands: []bots.Command{order}})
	h.waitCount(t, `SELECT count(*) FROM inbound_updates WHERE handled_at IS NOT NULL`, 40)
	mu.Lock()
	defer mu.Unlock()
	for i, n := range seen {
		if n != fmt.Sprint(i) {
			t.Fatalf("handled in the order %v", seen)
		}
	}
}
