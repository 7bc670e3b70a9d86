package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
)

const linkSecret = "0123456789abcdef0123456789abcdef-link"

// TestStartWithLinkCodeLinksTheMember: the deep link from an order e-mail
// (/start <token> in a private chat) links the member to the shop
// customer; the same code from someone else, a forged code and an
// expired one are refused with a clear message and link nobody.
func TestStartWithLinkCodeLinksTheMember(t *testing.T) {
	tokens, err := community.NewLinkTokens(linkSecret, 24*time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, setup{linkTokens: tokens})
	code, _, err := tokens.Issue("cust-42")
	if err != nil {
		t.Fatal(err)
	}
	stale, err := community.NewLinkTokens(linkSecret, 24*time.Hour, func() time.Time { return time.Now().Add(-48 * time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	expired, _, _ := stale.Issue("cust-43")
	forged := code[:len(code)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(code, "AA")]

	h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(alice), alice, "/start "+code))
	calls := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	if text := sent(t, calls[0]); !strings.Contains(text, "your shop account is now linked") || !strings.Contains(text, "/help") {
		t.Fatalf("reply to /start with a code = %q; want the link confirmed and the greeting", text)
	}
	if n := h.count(t, `SELECT count(*) FROM customers c JOIN identities i ON i.member_id = c.member_id
		WHERE c.id = 'cust-42' AND c.linked_via = 'token' AND i.platform_user_id = '100'`); n != 1 {
		t.Fatal("alice is not linked to cust-42")
	}

	for i, c := range []struct{ code, want string }{
		{code, "already linked to another member"},
		{forged, "not valid"},
		{expired, "has expired"},
		{"", "Something is missing"},
	} {
		h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(bob), bob, strings.TrimSpace("/link "+c.code)))
		calls = h.tg.WaitCalls(t, "sendMessage", 2+i, 10*time.Second)
		if text := sent(t, calls[1+i]); !strings.Contains(text, c.want) {
			t.Errorf("/link %q = %q; want %q", c.code, text, c.want)
		}
	}
	if n := h.count(t, `SELECT count(*) FROM customers WHERE member_id IS NOT NULL`); n != 1 {
		t.Errorf("%d customers linked; refused codes must link nobody", n)
	}
}
