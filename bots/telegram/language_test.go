package telegram_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// TestLanguageForAMemberAndAGroup: a member chooses the language Hearth
// writes to them in, privately; in a group only staff may change the
// group's, and a member's attempt changes nothing.
func TestLanguageForAMemberAndAGroup(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	dm := telegramtest.Private(alice)
	h.sayHandled(t, dm, alice, "/language")
	h.waitSent(t, "100", "I write to you in English (en)")
	h.sayHandled(t, dm, alice, "/language pl")
	h.waitSent(t, "100", "Gotowe: będę pisać do Ciebie w języku: Polski (pl).")
	h.sayHandled(t, dm, alice, "/me")
	h.waitSent(t, "100", "Poziom")
	if n := h.count(t, `SELECT count(*) FROM members m JOIN identities i ON i.member_id = m.id WHERE i.platform_user_id = '100' AND m.language = 'pl'`); n != 1 {
		t.Fatalf("alice's language was not saved")
	}

	h.sayHandled(t, group, bob, "/language ru")
	h.waitSent(t, "-1001", "Only the community's staff can change the language of a group.")
	if n := h.count(t, `SELECT count(*) FROM chats WHERE platform_chat_id = '-1001' AND language = ''`); n != 1 {
		t.Fatal("a member changed the group's language")
	}
	h.sayHandled(t, group, owner, "/language ru")
	h.waitSent(t, "-1001", "Готово: в этом чате буду писать на языке: Русский (ru).")
	if n := h.count(t, `SELECT count(*) FROM chats WHERE platform_chat_id = '-1001' AND language = 'ru'`); n != 1 {
		t.Fatal("the group's language was not saved")
	}
	if n := h.count(t, `SELECT count(*) FROM audit_log WHERE action = 'chat.language_set'`); n != 1 {
		t.Errorf("%d audit entries for one change, want 1", n)
	}
	h.sayHandled(t, group, owner, "/language default")
	h.waitSent(t, "-1001", "Done: I will write in this chat in English (en).")
	for _, c := range h.tg.Calls("sendMessage") {
		if strings.Contains(c.Params["text"], "Готово") && c.Params["chat_id"] != "-1001" {
			t.Errorf("the group's confirmation went to %s", c.Params["chat_id"])
		}
	}
}
