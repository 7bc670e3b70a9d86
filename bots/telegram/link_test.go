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
	t.Parallel()
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

// TestSecondCodeAsksBeforeReplacingTheLink: a member linked to one shop
// account who sends the code of another is asked first; nothing changes
// until they press the button. Keep leaves the link; Link this one moves
// it (and is audited); a forged confirmation is refused.
func TestSecondCodeAsksBeforeReplacingTheLink(t *testing.T) {
	t.Parallel()
	tokens, err := community.NewLinkTokens(linkSecret, 24*time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, setup{linkTokens: tokens})
	first, _, _ := tokens.Issue("cust-1")
	second, _, _ := tokens.Issue("cust-2")
	dm := telegramtest.Private(alice)
	h.push(t, h.tg.MessageUpdate(dm, alice, "/link "+first))
	h.push(t, h.tg.MessageUpdate(dm, alice, "/link "+second))
	calls := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)
	if text := sent(t, calls[1]); !strings.Contains(text, "already linked to another shop account") {
		t.Fatalf("second code = %q; want a question", text)
	}
	linked := func() string {
		var id string
		if err := h.store.DB().Get(&id, `SELECT c.id FROM customers c JOIN identities i ON i.member_id = c.member_id WHERE i.platform_user_id = '100'`); err != nil {
			t.Fatal(err)
		}
		return id
	}
	if got := linked(); got != "cust-1" {
		t.Fatalf("after the second code alice is linked to %s, want still cust-1", got)
	}
	var markup struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if err := calls[1].JSON("reply_markup", &markup); err != nil || len(markup.InlineKeyboard) != 1 || len(markup.InlineKeyboard[0]) != 2 {
		t.Fatalf("buttons = %+v, %v", markup, err)
	}
	replace, keep := markup.InlineKeyboard[0][0].CallbackData, markup.InlineKeyboard[0][1].CallbackData
	msgID := h.tg.Messages(dm.ID)[1].ID
	h.push(t, h.tg.CallbackUpdate(dm, alice, msgID, keep))
	if got := linked(); got != "cust-1" {
		t.Errorf("after Keep alice is linked to %s, want cust-1", got)
	}
	forged := replace[:len("link:replace:")] + "AAAAAAAAAAAA" + replace[len("link:replace:")+12:]
	h.push(t, h.tg.CallbackUpdate(dm, alice, msgID, forged))
	if got := linked(); got != "cust-1" {
		t.Errorf("after a forged confirmation alice is linked to %s, want cust-1", got)
	}
	h.push(t, h.tg.CallbackUpdate(dm, alice, msgID, replace))
	if got := linked(); got != "cust-2" {
		t.Errorf("after Link this one alice is linked to %s, want cust-2", got)
	}
	if n := h.count(t, `SELECT count(*) FROM audit_log WHERE action = 'member.linked' AND details->>'customer' = 'cust-2'`); n != 1 {
		t.Errorf("the new link audited %d times, want 1", n)
	}
}
