package telegram_test

import (
	"context"
	"strconv"
	"strings"
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

// TestPollingConfirmsNothingWhileAnUpdateIsInFlight: Telegram confirms
// every update below the offset of the next getUpdates. With /hold (still
// running) and /help polled in one batch, /help is answered, but no
// getUpdates goes out, so the confirmed offset stays at /hold and an
// update pushed meanwhile is not taken. Once /hold returns, the next
// getUpdates confirms both and takes the new update.
func TestPollingConfirmsNothingWhileAnUpdateIsInFlight(t *testing.T) {
	tg := telegramtest.New(t, token)
	hold := tg.PushUpdate(tg.MessageUpdate(group, alice, "/hold"))
	tg.PushUpdate(tg.MessageUpdate(group, bob, "/help"))
	entered, release := make(chan struct{}, 1), make(chan struct{})
	h := startCustom(t, custom{setup: setup{tg: tg}, commands: []bots.Command{holdCommand(entered, release)}})

	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("/hold never ran")
	}
	if calls := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second); !strings.Contains(calls[0].Params["text"], "/help") {
		t.Fatalf("first answer %q, want the help", calls[0].Params["text"])
	}
	later := h.tg.PushUpdate(h.tg.MessageUpdate(group, bob, "/help"))
	// Give a gate that does not hold every chance to let getUpdates
	// through; a correct one passes however long this is.
	time.Sleep(300 * time.Millisecond)

	if got := h.tg.ConfirmedOffset(); got > hold {
		t.Errorf("confirmed offset %d while update %d is in flight", got, hold)
	}
	for _, c := range h.tg.Calls("getUpdates") {
		if offset, _ := strconv.ParseInt(c.Params["offset"], 10, 64); offset > hold {
			t.Errorf("getUpdates with offset %d while update %d is in flight", offset, hold)
		}
	}
	if n := h.tg.Pending(); n != 3 {
		t.Errorf("%d updates pending on the server, want 3 (none confirmed)", n)
	}
	if n := len(h.tg.Calls("sendMessage")); n != 1 {
		t.Errorf("%d answers while /hold runs, want only the first /help's", n)
	}

	close(release)
	h.tg.WaitConfirmed(t, later+1, 10*time.Second)
	calls := h.tg.WaitCalls(t, "sendMessage", 3, 10*time.Second)
	var texts []string
	for _, c := range calls {
		texts = append(texts, c.Params["text"])
	}
	if joined := strings.Join(texts, "|"); !strings.Contains(joined, "released") || strings.Count(joined, "/help") < 2 {
		t.Errorf("answers = %q; want /hold's and both /help's", texts)
	}
}
