package telegram_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// TestStrangerWhoAddsHearthGetsNothing: a stranger creates a group, adds
// Hearth and makes themself its administrator. Hearth tells the group once
// that an owner must connect it and does nothing else there: it records no
// member and no activity, answers no command, and the stranger is staff
// nowhere (a staff command in a private chat is refused, and audited).
// The group an owner adds Hearth to joins the community at once, and its
// administrators are staff as before.
func TestStrangerWhoAddsHearthGetsNothing(t *testing.T) {
	t.Parallel()
	h := start(t, setup{strangers: true})
	stranger := telegramtest.User(666, "Mallory")
	theirs := telegramtest.Supergroup(-2001, "Mallory's Deals")
	h.tg.SetChatAdministrators(-2001, telegramtest.Owner(stranger))
	h.push(t, h.tg.BotAddedUpdate(theirs, stranger))
	notice := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)[0]
	if notice.Params["chat_id"] != "-2001" || !strings.Contains(notice.Params["text"], "Mallory") || !strings.Contains(notice.Params["text"], "/connect") {
		t.Fatalf("notice = %s %q; want the group told once, by name, that an owner must /connect it", notice.Params["chat_id"], notice.Params["text"])
	}
	for _, text := range []string{"buy my stuff", "/announce Visit my shop http://scam.example", "/welcome set en Scam!", "/tickets", "/connect"} {
		h.push(t, h.tg.MessageUpdate(theirs, stranger, text))
	}
	if n := h.count(t, `SELECT count(*) FROM identities`); n != 0 {
		t.Errorf("%d members recorded from the stranger's group, want none", n)
	}
	if n := h.count(t, `SELECT count(*) FROM activities`); n != 0 {
		t.Errorf("%d activities recorded in the stranger's group, want none", n)
	}
	if n := len(h.tg.Calls("sendMessage")); n != 1 {
		t.Errorf("%d messages sent to the stranger's group, want only the one notice", n)
	}
	if n := h.count(t, `SELECT count(*) FROM audit_log WHERE action = 'command.outside'`); n != 3 {
		t.Errorf("%d commands outside the community audited, want 3", n)
	}
	if n := h.count(t, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'connect'`); n != 1 {
		t.Errorf("the stranger's /connect refused and audited %d times, want 1", n)
	}

	h.push(t, h.tg.MessageUpdate(telegramtest.Private(stranger), stranger, "/ping"))
	reply := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)[1]
	if !strings.Contains(reply.Params["text"], "is for the community's staff") {
		t.Errorf("the stranger's /ping in private = %q; want refused", reply.Params["text"])
	}

	// An owner adds Hearth to the community's own group: it is connected,
	// and its administrator is staff.
	admin := telegramtest.User(300, "Ada")
	h.tg.SetChatAdministrators(-1001, telegramtest.Owner(owner), telegramtest.Admin(admin))
	h.push(t, h.tg.BotAddedUpdate(group, owner))
	welcome := h.tg.WaitCalls(t, "sendMessage", 3, 10*time.Second)[2]
	if welcome.Params["chat_id"] != "-1001" || !strings.Contains(welcome.Params["text"], "now part of") {
		t.Errorf("after the owner added Hearth: %s %q; want the group told it joined", welcome.Params["chat_id"], welcome.Params["text"])
	}
	h.push(t, h.tg.MessageUpdate(group, admin, "/ping"))
	if pong := h.tg.WaitCalls(t, "sendMessage", 4, 10*time.Second)[3]; pong.Params["text"] != "pong" {
		t.Errorf("the connected group's administrator got %q, want pong", pong.Params["text"])
	}
	if n := h.count(t, `SELECT count(*) FROM audit_log WHERE action = 'group.connect' AND details->>'by' = 'telegram:1'`); n != 1 {
		t.Errorf("the connection audited %d times, want 1", n)
	}
}

// TestOwnerConnectsAndDisconnectsAGroup: /connect by an owner in a group
// Hearth was added to by someone else makes it the community's; /groups
// lists it; /disconnect takes it out again and Hearth falls silent there.
func TestOwnerConnectsAndDisconnectsAGroup(t *testing.T) {
	t.Parallel()
	h := start(t, setup{strangers: true})
	h.push(t, h.tg.BotAddedUpdate(group, alice))
	h.push(t, h.tg.MessageUpdate(group, owner, "/connect"))
	h.push(t, h.tg.MessageUpdate(group, alice, "hello all"))
	if n := h.count(t, `SELECT count(*) FROM activities WHERE kind = 'message'`); n != 1 {
		t.Errorf("%d messages counted after /connect, want 1", n)
	}
	h.push(t, h.tg.MessageUpdate(telegramtest.Private(owner), owner, "/groups"))
	// The answer goes to the owner's private chat; the group's messages
	// may arrive before or after it.
	calls := h.tg.WaitCalls(t, "sendMessage", 3, 10*time.Second)
	var list string
	for _, c := range calls {
		if c.Params["chat_id"] == "1" {
			list = c.Params["text"]
		}
	}
	if !strings.Contains(list, "Tea Lovers") || !strings.Contains(list, "-1001") || !strings.Contains(list, "connected by an owner") {
		t.Errorf("/groups = %q; sent %v", list, calls)
	}
	h.push(t, h.tg.MessageUpdate(group, owner, "/disconnect"))
	h.push(t, h.tg.MessageUpdate(group, alice, "still there?"))
	if n := h.count(t, `SELECT count(*) FROM activities WHERE kind = 'message'`); n != 1 {
		t.Errorf("%d messages counted after /disconnect, want still 1", n)
	}
	if n := h.count(t, `SELECT count(*) FROM audit_log WHERE action IN ('group.connect', 'group.disconnect')`); n != 2 {
		t.Errorf("%d group changes audited, want 2", n)
	}
}

// TestGroupBecomingASupergroupStaysConnected: Telegram gives a group a new
// id when it becomes a supergroup. Its place in the community (connected,
// the staff chat) moves with it, whichever of Telegram's two notices comes
// first; the old id is the community's no more.
func TestGroupBecomingASupergroupStaysConnected(t *testing.T) {
	h := start(t, setup{strangers: true})
	basic := telegramtest.Group(-5, "Tea Lovers")
	h.push(t, h.tg.BotAddedUpdate(basic, owner))
	h.push(t, h.tg.MessageUpdate(basic, owner, "/setstaff"))
	super := telegramtest.Supergroup(-1005, "Tea Lovers")
	from := h.tg.MessageUpdate(super, owner, "")
	from.Message.MigrateFromChatID = -5
	h.push(t, from)
	to := h.tg.MessageUpdate(basic, owner, "")
	to.Message.MigrateToChatID = -1005
	h.push(t, to)
	h.push(t, h.tg.MessageUpdate(super, alice, "hello from the supergroup"))
	if n := h.count(t, `SELECT count(*) FROM activities a JOIN chats c ON c.id = a.chat_id WHERE c.platform_chat_id = '-1005'`); n != 1 {
		t.Errorf("%d activities in the supergroup, want alice's message", n)
	}
	if got := h.groups(t); len(got) != 1 || got[0] != "-1005" {
		t.Errorf("groups = %v, want the supergroup only", got)
	}
	if n := h.count(t, `SELECT count(*) FROM chats WHERE is_staff AND platform_chat_id = '-1005'`); n != 1 {
		t.Error("the staff chat did not move to the supergroup")
	}
	if n := h.count(t, `SELECT count(*) FROM audit_log WHERE action = 'group.moved'`); n != 1 {
		t.Errorf("the move audited %d times, want once", n)
	}
}
