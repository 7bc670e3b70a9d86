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

var (
	teaStaff    = telegramtest.Supergroup(-1002, "Tea staff")
	teaShopTalk = telegramtest.Supergroup(-1003, "Tea shop talk")
	cleo        = telegramtest.User(300, "Cleo")
)

// announceHearth is Hearth on Telegram with the given announcement limits
// and clock (nil: the real one) and a VIP group, once the owner has made
// teaStaff the staff chat.
func announceHearth(t *testing.T, o bots.AnnounceOptions, now func() time.Time) *hearth {
	t.Helper()
	h := startCustom(t, custom{service: func(so *bots.ServiceOptions) {
		so.Community = bots.DefaultCommunityOptions()
		so.Community.Location = time.UTC // the tests' quiet hours and dates are UTC's
		so.Community.Announce, so.Community.VIPGroup = o, community.PlatformChat{Platform: community.Telegram, ChatID: "-1009"}
		if now != nil {
			so.Now = now
		}
	}})
	h.tg.PushUpdate(h.tg.MessageUpdate(teaStaff, owner, "/setstaff"))
	h.waitCount(t, `SELECT count(*) FROM chats WHERE is_staff AND platform_chat_id = '-1002'`, 1)
	return h
}

// sayHandled sends text from u in chat and waits until Hearth has handled it.
func (h *hearth) sayHandled(t *testing.T, chat models.Chat, u models.User, text string) {
	t.Helper()
	id := h.tg.PushUpdate(h.tg.MessageUpdate(chat, u, text))
	storagetest.WaitHandled(t, h.store.DB(), "telegram", fmt.Sprint(id))
}

// subscribeDM has u turn announcements on in a private chat.
func (h *hearth) subscribeDM(t *testing.T, u models.User) {
	t.Helper()
	h.sayHandled(t, telegramtest.Private(u), u, "/subscribe on")
	h.waitCount(t, `SELECT count(*) FROM members m JOIN identities i ON i.member_id = m.id
		WHERE m.announcements_dm AND i.platform_user_id = $1`, 1, fmt.Sprint(u.ID))
}

// writeTier writes the tier of the member behind a Telegram user.
func (h *hearth) writeTier(t *testing.T, u models.User, tier community.Tier) {
	t.Helper()
	st := community.MemberStanding{Standing: community.Standing{Member: community.MemberID(h.memberID(t, fmt.Sprint(u.ID))), Tier: tier,
		ComputedAt: time.Now(), Engagement: community.Engagement{Level: 4}}}
	if err := h.store.SaveStandings(context.Background(), community.StandingsUpdate{At: time.Now(), Standings: []community.MemberStanding{st}}); err != nil {
		t.Fatal(err)
	}
}

// announcePreview has the owner write /announce in the staff room and returns the
// preview's text and message id.
func (h *hearth) announcePreview(t *testing.T, line string) (string, int) {
	t.Helper()
	before := len(h.tg.Calls("sendMessage"))
	h.tg.PushUpdate(h.tg.MessageUpdate(teaStaff, owner, line))
	var text string
	var id int
	storagetest.Await(t, func() bool {
		for _, c := range h.tg.Calls("sendMessage")[before:] {
			if c.Params["chat_id"] != "-1002" || !strings.Contains(c.Params["reply_markup"], "announce:send:") {
				continue
			}
			for _, m := range h.tg.Messages(teaStaff.ID) {
				if strings.HasPrefix(m.Text, "Preview of announcement") {
					text, id = sent(t, c), m.ID
					return true
				}
			}
		}
		return false
	}, func() string {
		return fmt.Sprintf("a preview for %q; sent: %v", line, h.tg.Calls("sendMessage")[before:])
	})
	return text, id
}

// pressAnnounce has the owner press the preview's button (send or cancel) and
// returns the preview's text after it was edited.
func (h *hearth) pressAnnounce(t *testing.T, messageID int, action string) string {
	t.Helper()
	edits := len(h.tg.Calls("editMessageText"))
	var id int
	if err := h.store.DB().Get(&id, `SELECT max(id) FROM announcements`); err != nil {
		t.Fatal(err)
	}
	h.tg.PushUpdate(h.tg.CallbackUpdate(teaStaff, owner, messageID, fmt.Sprintf("announce:%s:%d", action, id)))
	return h.tg.WaitCalls(t, "editMessageText", edits+1, 10*time.Second)[edits].Params["text"]
}

// sentCount counts the messages Hearth sent to chat containing part.
func (h *hearth) sentCount(chat, part string) int {
	n := 0
	for _, c := range h.tg.Calls("sendMessage") {
		if c.Params["chat_id"] == chat && strings.Contains(c.Params["text"], part) {
			n++
		}
	}
	return n
}

// waitOutboxIdle waits until the outbox has nothing due, so that what was not
// sent will not be.
func (h *hearth) waitOutboxIdle(t *testing.T) {
	t.Helper()
	storagetest.WaitOutboxIdle(t, h.store.DB())
}

// TestAnnouncementReachesGroupsAndSubscribers: the staff's /announce shows
// a preview with its reach and Send / Cancel; Send posts it in every
// community group (not the staff chat) and writes privately to the
// members who subscribed, with a header and a footer, not to the others.
func TestAnnouncementReachesGroupsAndSubscribers(t *testing.T) {
	t.Parallel()
	h := announceHearth(t, bots.AnnounceOptions{WeeklyCap: 2}, nil)
	h.sayHandled(t, group, alice, "hello")
	h.sayHandled(t, teaShopTalk, bob, "hi all")
	h.sayHandled(t, group, cleo, "hey")
	h.subscribeDM(t, alice)
	h.sayHandled(t, telegramtest.Private(bob), bob, "/start")

	text, msg := h.announcePreview(t, "/announce New *oolong* is in!\nCome and taste it.")
	for _, want := range []string{"Preview of announcement #1", "to everyone", "New <b>oolong</b> is in!\nCome and taste it.",
		"Posted in 2 groups on Telegram", "Privately to 1 member (Newcomer 1)"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
	if n := h.count(t, `SELECT count(*) FROM outbox_events WHERE kind LIKE 'announcement.%'`); n != 0 {
		t.Fatalf("the preview queued %d announcement events", n)
	}
	if done := h.pressAnnounce(t, msg, "send"); !strings.Contains(done, "Announcement #1 sent") || strings.Contains(done, "announce:") {
		t.Errorf("after Send the preview reads %q", done)
	}
	for _, chat := range []string{"-1001", "-1003"} {
		post := h.waitSent(t, chat, "oolong")
		if !strings.Contains(post, "📣 <b>Tea Lovers</b>") || !strings.Contains(post, "/subscribe") {
			t.Errorf("post in %s = %q; want the header and the /subscribe hint", chat, post)
		}
	}
	dm := h.waitSent(t, "100", "oolong")
	if !strings.Contains(dm, "New <b>oolong</b> is in!") || !strings.Contains(dm, "/subscribe off stops them") {
		t.Errorf("alice's private message = %q", dm)
	}
	h.waitOutboxIdle(t)
	for chat, who := range map[string]string{"200": "bob (not subscribed)", "300": "cleo (never wrote privately)"} {
		if n := h.sentCount(chat, "Come and taste"); n != 0 {
			t.Errorf("%s received the announcement %d times", who, n)
		}
	}
	if n := h.sentCount("-1002", "Want these privately?"); n != 0 {
		t.Errorf("the announcement was posted in the staff room")
	}
	h.tg.PushUpdate(h.tg.MessageUpdate(teaStaff, owner, "/announce list"))
	if list := h.waitSent(t, "-1002", "Last announcements"); !strings.Contains(list, "#1</b>") || !strings.Contains(list, "Olga") ||
		!strings.Contains(list, "New oolong is in! Come and taste it.") || !strings.Contains(list, "2 group posts · 1 member privately") {
		t.Errorf("/announce list = %q", list)
	}
}

// TestTierAnnouncementReachesThatTierAndAbove: /announce loyal writes only
// to Loyal and VIP subscribers and posts in no group; /announce vip posts
// in the VIP group as well; Cancel sends nothing.
func TestTierAnnouncementReachesThatTierAndAbove(t *testing.T) {
	t.Parallel()
	h := announceHearth(t, bots.AnnounceOptions{WeeklyCap: 5}, nil)
	h.sayHandled(t, vipGroup, alice, "hello VIPs")
	for _, u := range []models.User{alice, bob, cleo} {
		h.sayHandled(t, group, u, "hello")
		h.subscribeDM(t, u)
	}
	h.writeTier(t, alice, community.TierVIP)
	h.writeTier(t, bob, community.TierLoyal)
	h.writeTier(t, cleo, community.TierRegular)

	text, msg := h.announcePreview(t, "/announce loyal Early access to the spring harvest")
	for _, want := range []string{"to Loyal members and above", "Not posted in the groups", "Privately to 2 members (VIP 1, Loyal 1)"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
	h.pressAnnounce(t, msg, "send")
	h.waitSent(t, "100", "spring harvest")
	h.waitSent(t, "200", "spring harvest")

	text, msg = h.announcePreview(t, "/announce VIP A private tasting")
	if !strings.Contains(text, "to VIP members.") || !strings.Contains(text, "Posted in 1 group on Telegram") || !strings.Contains(text, "Privately to 1 member (VIP 1)") {
		t.Errorf("vip preview = %q", text)
	}
	h.pressAnnounce(t, msg, "send")
	h.waitSent(t, "-1009", "private tasting")
	h.waitSent(t, "100", "private tasting")

	_, msg = h.announcePreview(t, "/announce Never mind")
	if done := h.pressAnnounce(t, msg, "cancel"); !strings.Contains(done, "cancelled") {
		t.Errorf("after Cancel the preview reads %q", done)
	}
	h.waitOutboxIdle(t)
	for chat, want := range map[string][3]int{"100": {1, 1, 0}, "200": {1, 0, 0}, "300": {0, 0, 0}, "-1001": {0, 0, 0}, "-1009": {0, 1, 0}} {
		got := [3]int{h.sentCount(chat, "spring harvest"), h.sentCount(chat, "private tasting"), h.sentCount(chat, "Never mind")}
		if got != want {
			t.Errorf("chat %s received %v of (loyal, vip, cancelled), want %v", chat, got, want)
		}
	}
}

// TestWeeklyCapSkipsTheThirdAnnouncement: with a cap of 2, a subscriber
// gets the first two announcements privately and not the third, which the
// preview and the result count as skipped; the groups get all three.
func TestWeeklyCapSkipsTheThirdAnnouncement(t *testing.T) {
	t.Parallel()
	h := announceHearth(t, bots.AnnounceOptions{WeeklyCap: 2}, nil)
	h.sayHandled(t, group, alice, "hello")
	h.subscribeDM(t, alice)
	for i := 1; i <= 3; i++ {
		text, msg := h.announcePreview(t, fmt.Sprintf("/announce Tea news number %d", i))
		skipped := strings.Contains(text, "1 member skipped: the weekly cap (2) is reached already")
		if skipped != (i == 3) {
			t.Errorf("preview %d: skipped shown %t:\n%s", i, skipped, text)
		}
		done := h.pressAnnounce(t, msg, "send")
		if i == 3 && !strings.Contains(done, "Privately to nobody") {
			t.Errorf("third announcement sent: %q", done)
		}
		h.waitSent(t, "-1001", fmt.Sprintf("number %d", i))
	}
	h.waitOutboxIdle(t)
	if got := [3]int{h.sentCount("100", "number 1"), h.sentCount("100", "number 2"), h.sentCount("100", "number 3")}; got != [3]int{1, 1, 0} {
		t.Errorf("alice received %v, want the first two only", got)
	}
	var reach string
	if err := h.store.DB().Get(&reach, `SELECT reach->>'capped' FROM announcements WHERE id = 3`); err != nil || reach != "1" {
		t.Errorf("third announcement's recorded cap skips = %q, %v; want 1", reach, err)
	}
}

// TestQuietHoursHoldPrivateMessages: an announcement sent at 23:00, in
// quiet hours 22:00-08:00, is posted in the group at once while the
// private message waits in the outbox until 08:00.
func TestQuietHoursHoldPrivateMessages(t *testing.T) {
	t.Parallel()
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)
	now := day.Add(23 * time.Hour)
	quiet, _ := community.ParseQuietHours("22:00-08:00")
	h := announceHearth(t, bots.AnnounceOptions{WeeklyCap: 2, QuietHours: quiet}, func() time.Time { return now })
	h.sayHandled(t, group, alice, "hello")
	h.subscribeDM(t, alice)
	if text := h.waitSent(t, "100", "at most 2 private messages a week"); !strings.Contains(text, "quiet hours (22:00–08:00)") {
		t.Errorf("/subscribe on = %q; want the quiet hours named", text)
	}
	until := day.AddDate(0, 0, 1).Add(8 * time.Hour)
	text, msg := h.announcePreview(t, "/announce Late night news")
	if want := "wait until " + until.Format("2006-01-02 15:04"); !strings.Contains(text, want) {
		t.Errorf("preview lacks %q:\n%s", want, text)
	}
	h.pressAnnounce(t, msg, "send")
	h.waitSent(t, "-1001", "Late night news")
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE target->>'user' = '100'`, 1)
	var due time.Time
	if err := h.store.DB().Get(&due, `SELECT next_attempt_at FROM deliveries WHERE target->>'user' = '100' AND status = 'pending'`); err != nil {
		t.Fatal(err)
	}
	if !due.Equal(until) {
		t.Errorf("alice's message is due %s, want %s", due, until)
	}
	h.waitOutboxIdle(t) // alice's message is not due: nothing more goes out
	if n := h.sentCount("100", "Late night news"); n != 0 {
		t.Errorf("alice got the announcement during quiet hours")
	}
}

// TestSubscribeTurnsAnnouncementsOnAndOff: /subscribe shows the state with
// a button that toggles it in place; /subscribe off turns them off; in a
// group /subscribe is pointed to the private chat.
func TestSubscribeTurnsAnnouncementsOnAndOff(t *testing.T) {
	t.Parallel()
	h := announceHearth(t, bots.AnnounceOptions{WeeklyCap: 3}, nil)
	dm := telegramtest.Private(alice)
	on := `SELECT count(*) FROM members m JOIN identities i ON i.member_id = m.id WHERE m.announcements_dm AND i.platform_user_id = '100'`
	h.sayHandled(t, dm, alice, "/subscribe")
	h.waitSent(t, "100", "You do not get the announcements of <b>Tea Lovers</b> privately")
	msgs := h.tg.Messages(alice.ID)
	h.tg.PushUpdate(h.tg.CallbackUpdate(dm, alice, msgs[len(msgs)-1].ID, "subscribe:on"))
	edit := h.tg.WaitCalls(t, "editMessageText", 1, 10*time.Second)[0]
	if !strings.Contains(edit.Params["text"], "at most 3 private messages a week") || !strings.Contains(edit.Params["reply_markup"], "subscribe:off") {
		t.Errorf("after pressing: %v", edit.Params)
	}
	h.waitCount(t, on, 1)
	h.sayHandled(t, dm, alice, "/subscribe off")
	h.waitCount(t, on, 0)
	h.sayHandled(t, group, alice, "/subscribe on")
	h.waitSent(t, "-1001", "works only here: in a private chat with me")
	if n := h.count(t, on); n != 0 {
		t.Errorf("/subscribe in a group changed the choice")
	}
}

// TestAnnounceRefusesBadInputAndMembers: empty and too long announcements
// are refused with a clear message and nothing recorded; a member may not
// announce.
func TestAnnounceRefusesBadInputAndMembers(t *testing.T) {
	t.Parallel()
	h := announceHearth(t, bots.AnnounceOptions{WeeklyCap: 2}, nil)
	for _, c := range []struct{ line, want string }{
		{"/announce", "Write the announcement after the command"},
		{"/announce vip", "Write the announcement after the command"},
		{"/announce " + strings.Repeat("a", 3901), "The announcement is 3901 characters long; at most 3900"},
		{"/announce *" + strings.Repeat("b", 3900) + "*", "Preview of announcement #1"},
	} {
		h.tg.PushUpdate(h.tg.MessageUpdate(teaStaff, owner, c.line))
		h.waitSent(t, "-1002", c.want)
	}
	if n := h.count(t, `SELECT count(*) FROM announcements`); n != 1 {
		t.Errorf("%d announcements recorded, want only the valid one", n)
	}
	h.tg.PushUpdate(h.tg.MessageUpdate(telegramtest.Private(alice), alice, "/announce Free tea for all"))
	h.waitSent(t, "100", "is for the community's staff")
}
