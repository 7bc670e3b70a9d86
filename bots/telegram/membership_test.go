package telegram_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// push sends an update and waits until it is recorded and handled, with
// every update before it, and what it caused is sent (or waits for its
// time).
func (h *hearth) push(t *testing.T, u models.Update) {
	t.Helper()
	id := h.tg.PushUpdate(u)
	h.tg.WaitConfirmed(t, id+1, 10*time.Second)
	storagetest.WaitInboxSettled(t, h.store.DB())
	storagetest.WaitOutboxIdle(t, h.store.DB())
}

// settledExcept waits until all but n recorded updates are handled.
func (h *hearth) settledExcept(t *testing.T, n int) {
	t.Helper()
	h.waitCount(t, `SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL`, n)
}

func (h *hearth) groups(t *testing.T) []string {
	t.Helper()
	ids, err := h.store.GroupIDs(context.Background(), community.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestBotAddedToAndRemovedFromAGroup: my_chat_member updates keep the
// chats table true. Added to a group, Hearth records it as present (a
// group whose administrators are staff); kicked or left, it is marked
// removed and stops being the staff chat; added again, it is present again.
func TestBotAddedToAndRemovedFromAGroup(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		gone func(models.User) models.ChatMember
	}{
		{"kicked", telegramtest.Banned},
		{"left", telegramtest.Left},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, setup{})
			me := h.tg.Bot()
			h.push(t, h.tg.BotAddedUpdate(group, owner))
			if got := h.groups(t); !slices.Equal(got, []string{"-1001"}) {
				t.Fatalf("groups after the bot was added = %v", got)
			}
			if n := h.count(t, `SELECT count(*) FROM chats WHERE platform = 'telegram' AND platform_chat_id = '-1001'
				AND kind = 'group' AND title = 'Tea Lovers' AND removed_at IS NULL`); n != 1 {
				t.Fatalf("the group is not recorded as present")
			}

			h.tg.PushUpdate(h.tg.MessageUpdate(group, owner, "/setstaff"))
			if text := sent(t, h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)[0]); !strings.Contains(text, "staff chat") {
				t.Fatalf("/setstaff = %q", text)
			}

			h.push(t, h.tg.MyChatMemberUpdate(group, owner, telegramtest.Member(me), tc.gone(me)))
			if got := h.groups(t); len(got) != 0 {
				t.Errorf("groups after the bot was %s = %v, want none", tc.name, got)
			}
			if n := h.count(t, `SELECT count(*) FROM chats WHERE platform_chat_id = '-1001' AND removed_at IS NOT NULL AND NOT is_staff`); n != 1 {
				t.Errorf("the group is not marked removed, or is still the staff chat")
			}

			h.push(t, h.tg.BotAddedUpdate(group, owner))
			if got := h.groups(t); !slices.Equal(got, []string{"-1001"}) {
				t.Errorf("groups after the bot was added again = %v", got)
			}
			if n := h.count(t, `SELECT count(*) FROM chats WHERE platform_chat_id = '-1001' AND removed_at IS NULL`); n != 1 {
				t.Errorf("the group is not present again")
			}
		})
	}
}

// TestPromotionIsNotAMembershipChange: the bot made administrator of a
// group it is in changes nothing; a private chat's my_chat_member (a user
// blocking the bot) records no group.
func TestPromotionIsNotAMembershipChange(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	me := h.tg.Bot()
	h.push(t, h.tg.BotAddedUpdate(group, owner))
	h.push(t, h.tg.MyChatMemberUpdate(group, owner, telegramtest.Member(me), telegramtest.Admin(me)))
	if got := h.groups(t); !slices.Equal(got, []string{"-1001"}) {
		t.Errorf("groups after the bot was promoted = %v", got)
	}
	h.push(t, h.tg.MyChatMemberUpdate(telegramtest.Private(alice), alice, telegramtest.Member(me), telegramtest.Banned(me)))
	if n := h.count(t, `SELECT count(*) FROM chats WHERE removed_at IS NOT NULL OR platform_chat_id = '100'`); n != 0 {
		t.Errorf("%d chats changed by a promotion or a private block, want 0", n)
	}
}

// TestServiceMessageOfOwnRemovalKeepsTheGroupRemoved: Telegram follows
// Hearth's removal from a group with a service message whose
// left_chat_member is Hearth itself. Arriving after the my_chat_member
// update, it must not record the group as present again.
func TestServiceMessageOfOwnRemovalKeepsTheGroupRemoved(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	me := h.tg.Bot()
	h.push(t, h.tg.BotAddedUpdate(group, owner))
	h.push(t, h.tg.MyChatMemberUpdate(group, owner, telegramtest.Member(me), telegramtest.Banned(me)))
	notice := h.tg.MessageUpdate(group, owner, "")
	notice.Message.LeftChatMember = &me
	h.push(t, notice)
	if got := h.groups(t); len(got) != 0 {
		t.Errorf("groups after the removal and its service message = %v, want none", got)
	}
}

// TestGroupHearthCannotReadDoesNotBreakCommands: when Telegram refuses
// the administrators of one recorded group (Hearth was removed without
// hearing of it, the group moved to a supergroup), members' commands
// still work and the administrators of the other groups are still staff.
func TestGroupHearthCannotReadDoesNotBreakCommands(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	staffRoom := telegramtest.Supergroup(-1002, "Tea Staff")
	h.push(t, h.tg.BotAddedUpdate(group, owner))
	h.push(t, h.tg.BotAddedUpdate(staffRoom, owner))
	h.tg.SetChatAdministrators(staffRoom.ID, telegramtest.Owner(owner), telegramtest.Admin(bob))
	h.tg.FailNext("getChatAdministrators", 403, "Forbidden: bot was kicked from the supergroup chat", 0)

	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "/help"))
	if text := sent(t, h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)[0]); !strings.Contains(text, "/help") {
		t.Fatalf("a member's /help = %q; want the help", text)
	}
	h.tg.PushUpdate(h.tg.MessageUpdate(staffRoom, bob, "/ping"))
	if text := sent(t, h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)[1]); text != "pong" {
		t.Errorf("an administrator's /ping = %q; want pong", text)
	}
}
