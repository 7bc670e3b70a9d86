package telegram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// TestServerErrorsMakeADeadLetterAfterMaxAttempts: a message Telegram
// answers with 502 on every attempt is retried (a 5xx is not final) until
// MaxAttempts, here 2, then it is a dead letter the owner sees in /outbox;
// a third attempt, which would succeed, is never made.
func TestServerErrorsMakeADeadLetterAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{service: func(o *bots.ServiceOptions) {
		o.MaxAttempts = 2
		past := time.Now().Add(-time.Hour) // retries are due at once
		o.Now = func() time.Time { return past }
	}})
	h.tg.FailNext("sendMessage", 502, "Bad Gateway", 0)
	h.tg.FailNext("sendMessage", 502, "Bad Gateway", 0)
	err := h.store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"}, Message: bots.Reply{Text: "news"}}})
	if err != nil {
		t.Fatal(err)
	}
	h.svc.Dispatcher.Wake()
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'dead' AND attempts = 2`, 1)

	h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(owner), owner, "/outbox"))
	calls := h.tg.WaitCalls(t, "sendMessage", 3, 10*time.Second)
	for i, c := range calls[:2] {
		if c.Status != 502 || c.Params["chat_id"] != "-1001" {
			t.Errorf("attempt %d: %v to %s; want a 502 from the group", i+1, c, c.Params["chat_id"])
		}
	}
	report := sent(t, calls[2])
	if calls[2].Params["chat_id"] != "1" || !strings.Contains(report, "1 failed") || !strings.Contains(report, "2 attempts") || !strings.Contains(report, "502 Bad Gateway") {
		t.Errorf("third sendMessage to %s = %q; want the owner's /outbox listing the dead letter", calls[2].Params["chat_id"], report)
	}
	if n := len(h.tg.Messages(group.ID)); n != 0 {
		t.Errorf("%d messages reached the group; want none after two failures", n)
	}
}
