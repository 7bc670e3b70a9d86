package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// TestMessagesToOneChatAreASecondApart: at Telegram's own limits (which
// the other tests raise), the five messages of a long reply to a group
// leave a second apart, while a reply to another chat is not held back
// behind them.
func TestMessagesToOneChatAreASecondApart(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Tea is a way of life. ", 900) // about 19,800 characters: five messages
	h := startCustom(t, custom{setup: setup{realLimits: true},
		commands: []bots.Command{imageCommand("longread", bots.Reply{Text: long})}})
	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "/longread"))
	h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(bob), bob, "/help"))
	calls := h.tg.WaitCalls(t, "sendMessage", 6, 20*time.Second)
	var toGroup []telegramtest.Call
	var help time.Time
	for _, c := range calls {
		switch c.Params["chat_id"] {
		case "-1001":
			toGroup = append(toGroup, c)
		case "200":
			help = c.At
		}
	}
	if len(toGroup) != 5 || help.IsZero() {
		t.Fatalf("sent %v; want five parts to the group and the help to bob", calls)
	}
	// The limiter lets part k go no sooner than k-1 seconds after the
	// first; a request can spend some time on its way to the fake, so
	// the arrivals are allowed to come up to 300 ms early on that.
	for i := 1; i < len(toGroup); i++ {
		want := time.Duration(i)*time.Second - 300*time.Millisecond
		if since := toGroup[i].At.Sub(toGroup[0].At); since < want {
			t.Errorf("part %d arrived %s after the first; want at least %s", i+1, since, want)
		}
	}
	if help.After(toGroup[4].At) {
		t.Errorf("the help to bob arrived after the group's last part: held back by another chat's limit")
	}
}
