package telegram_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
)

// platformActions are the Bot API methods that change something in a
// group: none may follow a member's staff command.
var platformActions = []string{"banChatMember", "unbanChatMember", "restrictChatMember", "deleteMessage", "deleteMessages",
	"approveChatJoinRequest", "declineChatJoinRequest", "createChatInviteLink"}

// TestMemberCannotRunAnyStaffCommand walks every command registered (all
// of Hearth's features, not a list kept by hand) that needs staff or an
// owner: from a member, in every place the command may be used, typed
// with a target and as a button press, each is refused with the polite
// answer and audited, and nothing else happens.
func TestMemberCannotRunAnyStaffCommand(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	staffRoom := telegramtest.Supergroup(-1002, "Staff")
	h.tg.PushUpdate(h.tg.MessageUpdate(staffRoom, owner, "/setstaff"))
	h.waitCount(t, `SELECT count(*) FROM chats WHERE is_staff`, 1)
	h.tg.PushUpdate(h.tg.MessageUpdate(group, bob, "I am the target"))
	h.waitCount(t, `SELECT count(*) FROM identities WHERE platform_user_id = '200'`, 1)
	audited := h.count(t, `SELECT count(*) FROM audit_log`) // the owner's /setstaff
	tried, refusals := tryStaffCommandsAsAlice(h, staffRoom)
	if len(tried) < 10 {
		t.Fatalf("only %d staff commands found: %v", len(tried), tried)
	}
	h.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'command.refused'`, refusals)
	h.settled(t) // anything a handler wrongly did is done by now
	h.stop()
	for _, c := range h.tg.Calls("sendMessage") {
		if c.Params["chat_id"] == "-1002" {
			continue // the owner's /setstaff
		}
		if text := c.Params["text"]; !strings.Contains(text, "is for the community's staff") && !strings.Contains(text, "is for the community's owners") {
			t.Errorf("a member got %q", text)
		}
	}
	for _, c := range h.tg.Calls("answerCallbackQuery") {
		if text := c.Params["text"]; !strings.Contains(text, "is for the community's") {
			t.Errorf("a member's button press got %q", text)
		}
	}
	for _, m := range platformActions {
		if n := len(h.tg.Calls(m)); n > 0 {
			t.Errorf("%s called %d times after members' staff commands", m, n)
		}
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM audit_log WHERE action <> 'command.refused'`: audited,
		`SELECT count(*) FROM outbox_events`:                               0,
		`SELECT count(*) FROM staff`:                                       0,
	} {
		if n := h.count(t, query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	t.Logf("refused %d commands and buttons: %s", refusals, strings.Join(tried, ", "))
}

// tryStaffCommandsAsAlice has Alice, a member, send every staff command
// registered in each place it is allowed, and press its button where it
// has one. It returns what was tried and how many refusals to expect.
func tryStaffCommandsAsAlice(h *hearth, staffRoom models.Chat) (tried []string, refusals int) {
	places := []struct {
		place bots.Place
		chat  models.Chat
	}{{bots.InGroup, group}, {bots.InDirect, telegramtest.Private(alice)}, {bots.InStaffChat, staffRoom}}
	for _, cmd := range h.svc.Router.Registry().Commands() {
		if cmd.Permission < community.RoleStaff {
			continue
		}
		for _, p := range places {
			if cmd.Where&p.place == 0 {
				continue
			}
			tried = append(tried, fmt.Sprintf("/%s in %s", cmd.Name, p.chat.Title+p.chat.FirstName))
			h.tg.PushUpdate(h.tg.MessageUpdate(p.chat, alice, "/"+cmd.Name+" @user200 10m because"))
			refusals++
			if cmd.Button != nil {
				h.tg.PushUpdate(h.tg.CallbackUpdate(p.chat, alice, 1, cmd.Name+":1"))
				refusals++
			}
		}
	}
	return tried, refusals
}
