package telegram_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage/storagetest"
)

var vipGroup = telegramtest.Supergroup(-1009, "Tea VIPs")

// vipHearth is Hearth with a VIP group and tier thresholds that make the
// better of two linked customers a VIP.
func vipHearth(t *testing.T) *hearth {
	t.Helper()
	rules := community.DefaultTierRules()
	rules.VIPValue, rules.LoyalValue = 70, 20
	return startCustom(t, custom{service: func(o *bots.ServiceOptions) {
		o.Community = bots.DefaultCommunityOptions()
		o.Community.Tiers, o.Community.VIPGroup = rules, community.PlatformChat{Platform: community.Telegram, ChatID: "-1009"}
	}})
}

func (h *hearth) memberID(t *testing.T, userID string) int64 {
	t.Helper()
	m, err := h.store.FindMember(context.Background(), community.Telegram, community.MemberRef{UserID: userID})
	if err != nil {
		t.Fatal(err)
	}
	return int64(m.ID)
}

func (h *hearth) recompute(t *testing.T) {
	t.Helper()
	if err := h.svc.RunJob(context.Background(), "standings.recompute"); err != nil {
		t.Fatal(err)
	}
}

// waitSent waits for a message Hearth sent to chat containing part.
func (h *hearth) waitSent(t *testing.T, chat, part string) string {
	t.Helper()
	text := ""
	storagetest.Await(t, func() bool {
		for _, c := range h.tg.Calls("sendMessage") {
			if c.Params["chat_id"] == chat && strings.Contains(c.Params["text"], part) {
				text = c.Params["text"]
				return true
			}
		}
		return false
	}, func() string {
		return fmt.Sprintf("a message to %s containing %q; sent: %v", chat, part, h.tg.Calls("sendMessage"))
	})
	return text
}

// TestVIPGroupFollowsTiers: only VIPs are let into the VIP group and get a
// /vip invitation; when CLV changes, the old VIP is removed from the group
// and the door opens for the new one.
func TestVIPGroupFollowsTiers(t *testing.T) {
	t.Parallel()
	h := vipHearth(t)
	for _, u := range []models.User{alice, bob} {
		h.tg.PushUpdate(h.tg.MessageUpdate(group, u, "hello, I am "+u.FirstName))
	}
	h.waitCount(t, `SELECT count(*) FROM activities`, 2)
	a, b := h.memberID(t, "100"), h.memberID(t, "200")
	storagetest.SetValues(t, h.store.DB(), map[int64]float64{a: 900, b: 40})
	h.recompute(t)

	h.tg.PushUpdate(h.tg.JoinRequestUpdate(vipGroup, alice))
	if c := h.tg.WaitCalls(t, "approveChatJoinRequest", 1, 10*time.Second)[0]; c.Params["user_id"] != "100" || c.Params["chat_id"] != "-1009" {
		t.Fatalf("approved %v", c.Params)
	}
	h.tg.PushUpdate(h.tg.JoinRequestUpdate(vipGroup, bob))
	if c := h.tg.WaitCalls(t, "declineChatJoinRequest", 1, 10*time.Second)[0]; c.Params["user_id"] != "200" {
		t.Fatalf("declined %v", c.Params)
	}
	h.waitSent(t, "200", "for our VIP customers")

	h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(alice), alice, "/vip"))
	link := h.tg.WaitCalls(t, "createChatInviteLink", 1, 10*time.Second)[0]
	if link.Params["chat_id"] != "-1009" || link.Params["member_limit"] != "1" || link.Params["expire_date"] == "" {
		t.Errorf("invite link asked with %v; want single-use, expiring, for the VIP group", link.Params)
	}
	h.waitSent(t, "100", "personal invitation")
	for _, c := range h.tg.Calls("sendMessage") {
		if strings.Contains(c.Params["text"], "personal invitation") && !strings.Contains(c.Params["reply_markup"], h.tg.InviteLinks(-1009)[0].InviteLink) {
			t.Errorf("the /vip answer has no button to the invite link: %v", c.Params)
		}
	}
	h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(bob), bob, "/vip"))
	h.waitSent(t, "200", "Keep taking part")

	storagetest.SetValues(t, h.store.DB(), map[int64]float64{a: 30, b: 5000})
	h.recompute(t)
	if c := h.tg.WaitCalls(t, "banChatMember", 1, 10*time.Second)[0]; c.Params["user_id"] != "100" || c.Params["chat_id"] != "-1009" {
		t.Fatalf("removed from the VIP group: %v; want alice", c.Params)
	}
	h.tg.PushUpdate(h.tg.JoinRequestUpdate(vipGroup, bob))
	if c := h.tg.WaitCalls(t, "approveChatJoinRequest", 2, 10*time.Second)[1]; c.Params["user_id"] != "200" {
		t.Fatalf("approved %v; want bob now", c.Params)
	}
}

// TestMeAndTop: /me shows level, tier, points and badges and never CLV;
// /top lists the most engaged, and a member can leave it.
func TestMeAndTop(t *testing.T) {
	t.Parallel()
	h := vipHearth(t)
	for i := range 3 {
		h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "message "+string(rune('a'+i))))
	}
	h.tg.PushUpdate(h.tg.MessageUpdate(group, bob, "hi"))
	h.waitCount(t, `SELECT count(*) FROM activities`, 4)
	// Alice has started the bot, so Hearth may write to her when her
	// first milestone is reached (else the milestone is not sent).
	h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(alice), alice, "/help"))
	h.waitSent(t, "100", "/me")
	storagetest.SetValues(t, h.store.DB(), map[int64]float64{h.memberID(t, "100"): 1234.5})
	h.recompute(t)

	h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(alice), alice, "/me"))
	me := h.waitSent(t, "100", "Points:")
	for _, want := range []string{"Level 3: Participant", "Tier: Loyal", "Points: 1337", "Verified buyer"} {
		if !strings.Contains(me, want) {
			t.Errorf("/me = %q; want %q", me, want)
		}
	}
	if strings.Contains(me, "1234") || strings.Contains(strings.ToLower(me), "clv") {
		t.Errorf("/me shows the member's value: %q", me)
	}
	h.waitSent(t, "100", "Welcome aboard") // the first milestone

	h.tg.PushUpdate(h.tg.MessageUpdate(group, bob, "/top"))
	if top := h.waitSent(t, "-1001", "Most engaged"); !strings.Contains(top, "1. Alice") || !strings.Contains(top, "2. Bob") {
		t.Fatalf("/top = %q", top)
	}
	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "/top hide"))
	h.waitSent(t, "-1001", "no longer shown")
	h.tg.PushUpdate(h.tg.MessageUpdate(group, bob, "/top"))
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE message->>'text' LIKE '%Most engaged%'`, 2)
	var top string
	if err := h.store.DB().Get(&top, `SELECT message->>'text' FROM deliveries WHERE message->>'text' LIKE '%Most engaged%' ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(top, "Alice") || !strings.Contains(top, "1. Bob") {
		t.Fatalf("/top after alice hid: %q", top)
	}
}

// TestReactionReceivedCountsForTheAuthor: bob's reaction on alice's
// message is engagement for both: given for him, received for her.
func TestReactionReceivedCountsForTheAuthor(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	post := h.tg.MessageUpdate(group, alice, "look at my new teapot")
	h.tg.PushUpdate(post)
	h.waitCount(t, `SELECT count(*) FROM activities WHERE kind = 'message'`, 1)
	h.tg.PushUpdate(h.tg.ReactionUpdate(group, bob, post.Message.ID, nil, []string{"❤"}))
	h.waitCount(t, `SELECT count(*) FROM activities a JOIN identities i ON i.member_id = a.member_id
		WHERE a.kind = 'reaction_received' AND i.platform_user_id = '100'`, 1)
	h.waitCount(t, `SELECT count(*) FROM activities a JOIN identities i ON i.member_id = a.member_id
		WHERE a.kind = 'reaction' AND i.platform_user_id = '200'`, 1)
}
