package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage/storagetest"
)

var (
	modStaffChat = telegramtest.Supergroup(-1005, "Tea moderators")
	modDave      = telegramtest.User(400, "Dave")
	modVera      = telegramtest.User(500, "Vera")
)

// modTG is Hearth on Telegram with moderation as a test set it, once the
// owner (Olga) has made modStaffChat the staff chat.
type modTG struct {
	*hearth
	t   *testing.T
	loc *time.Location // the community's time zone, where it is midday
}

func startModTG(t *testing.T, change func(*bots.ModerationOptions)) *modTG {
	t.Helper()
	o := bots.DefaultCommunityOptions()
	o.Location = middayZone()
	if change != nil {
		change(&o.Moderation)
	}
	h := startCustom(t, custom{service: func(so *bots.ServiceOptions) { so.Community = o }})
	m := &modTG{hearth: h, t: t, loc: o.Location}
	m.post(modStaffChat, owner, "/setstaff")
	return m
}

// post sends text from u in chat and waits until Hearth has handled it.
func (m *modTG) post(chat models.Chat, u models.User, text string) *models.Message {
	m.t.Helper()
	return m.push(m.tg.MessageUpdate(chat, u, text))
}

// answer sends text from u as a reply to a message, and waits.
func (m *modTG) answer(to *models.Message, u models.User, text string) *models.Message {
	m.t.Helper()
	upd := m.tg.MessageUpdate(to.Chat, u, text)
	upd.Message.ReplyToMessage = to
	return m.push(upd)
}

func (m *modTG) push(upd models.Update) *models.Message {
	m.t.Helper()
	id := m.tg.PushUpdate(upd)
	storagetest.WaitHandled(m.t, m.store.DB(), "telegram", fmt.Sprint(id))
	return upd.Message
}

// botSaid waits for a message of Hearth's in chat that contains every
// part, and returns it.
func (m *modTG) botSaid(chat models.Chat, parts ...string) models.Message {
	m.t.Helper()
	var found models.Message
	storagetest.Await(m.t, func() bool {
		for _, msg := range slices.Backward(m.tg.Messages(chat.ID)) {
			if containsAll(msg.Text, parts) {
				found = msg
				return true
			}
		}
		return false
	}, func() string {
		var texts []string
		for _, msg := range m.tg.Messages(chat.ID) {
			texts = append(texts, msg.Text)
		}
		return fmt.Sprintf("a message in %s with %q; there are:\n%s", chat.Title, parts, strings.Join(texts, "\n---\n"))
	})
	return found
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// press has u press the button of msg whose label contains label, and
// waits until Hearth has handled it.
func (m *modTG) press(msg models.Message, u models.User, label string) {
	m.t.Helper()
	if msg.ReplyMarkup != nil {
		for _, row := range msg.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					m.push(m.tg.CallbackUpdate(msg.Chat, u, msg.ID, b.CallbackData))
					return
				}
			}
		}
	}
	m.t.Fatalf("no %q button on %q", label, msg.Text)
}

// deleted lists the message ids Hearth asked Telegram to delete in chat.
func (m *modTG) deleted(chat models.Chat) []int {
	var out []int
	for _, c := range m.tg.Calls("deleteMessages") {
		var ids []int
		if c.Params["chat_id"] == fmt.Sprint(chat.ID) && c.JSON("message_ids", &ids) == nil {
			out = append(out, ids...)
		}
	}
	for _, c := range m.tg.Calls("deleteMessage") {
		if c.Params["chat_id"] == fmt.Sprint(chat.ID) {
			var id int
			fmt.Sscan(c.Params["message_id"], &id)
			out = append(out, id)
		}
	}
	return out
}

// mutedFor checks that u is restricted in the group until about d from
// now (0: for ever).
func (m *modTG) mutedFor(u models.User, d time.Duration) {
	m.t.Helper()
	st := m.tg.ChatMember(group.ID, u.ID)
	if st.Type != models.ChatMemberTypeRestricted || st.Restricted.CanSendMessages {
		m.t.Fatalf("%s is %s, want muted", u.FirstName, st.Type)
	}
	until := time.Unix(int64(st.Restricted.UntilDate), 0)
	if d == 0 && st.Restricted.UntilDate != 0 || d != 0 && (until.Before(time.Now().Add(d-time.Minute)) || until.After(time.Now().Add(d+time.Minute))) {
		m.t.Errorf("%s muted until %v, want %v from now", u.FirstName, until, d)
	}
}

// TestWarningLadderOnTelegram: three warnings by reply mute for an hour
// (the default ladder) with restrictChatMember's until_date; /warns lists
// who, why and when; /unwarn removes the latest; the staff log's Undo
// lifts the mute and is logged in turn.
func TestWarningLadderOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	hello := m.post(group, bob, "hello")
	for i := 1; i <= 3; i++ {
		m.answer(hello, owner, fmt.Sprintf("/warn spam %d", i))
	}
	m.mutedFor(bob, time.Hour)
	m.botSaid(group, "Bob has been warned", "Active warnings: 3", "Bob is muted for 1 hour")
	m.post(group, owner, "/warns 200")
	m.botSaid(group, "Bob has 3 active warnings", "1. ", "by Olga: spam 1", "3. ", "spam 3")
	m.post(group, owner, "/unwarn 200")
	m.botSaid(group, "Removed a warning from Bob. Active warnings: 2.")
	if n := m.count(t, `SELECT count(*) FROM warnings WHERE removed_at IS NULL`); n != 2 {
		t.Errorf("%d active warnings, want 2", n)
	}

	logged := m.botSaid(modStaffChat, "Mute · Bob", "By: Olga", "Applied by the warning ladder")
	m.press(logged, owner, "Undo")
	if st := m.tg.ChatMember(group.ID, bob.ID); st.Type != models.ChatMemberTypeMember {
		t.Errorf("bob after Undo: %s, want a member again", st.Type)
	}
	m.botSaid(modStaffChat, "Mute · Bob", "Undone by Olga")
	m.botSaid(modStaffChat, "Mute lifted · Bob", "Undoes an earlier action")
	if n := m.count(t, `SELECT count(*) FROM sanctions WHERE lift_reason = 'undo'`); n != 1 {
		t.Errorf("undone mutes recorded: %d", n)
	}
}

// TestKickAndPurgeOnTelegram: /kick removes the member (they may come
// back); /purge 2 deletes the chat's last two messages and the command;
// /purge in a reply deletes that message and every one after it, no
// earlier one.
func TestKickAndPurgeOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	var msgs []*models.Message
	for i, u := range []models.User{bob, alice, bob, alice} {
		msgs = append(msgs, m.post(group, u, fmt.Sprintf("message %d", i+1)))
	}
	cmd := m.post(group, owner, "/purge 2")
	if got, want := m.deleted(group), []int{msgs[3].ID, msgs[2].ID, cmd.ID}; !slices.Equal(got, want) {
		t.Errorf("/purge 2 deleted %v, want %v", got, want)
	}
	cmd = m.answer(msgs[1], owner, "/purge")
	got := m.deleted(group)[3:]
	for _, id := range []int{msgs[1].ID, msgs[2].ID, msgs[3].ID, cmd.ID} {
		if !slices.Contains(got, id) {
			t.Errorf("purge from a reply deleted %v, missing %d", got, id)
		}
	}
	if slices.Contains(got, msgs[0].ID) {
		t.Errorf("purge from message 2 deleted message 1")
	}
	m.botSaid(modStaffChat, "Purge", "Deleted 3 messages")

	m.post(group, owner, "/kick 200 bye")
	if st := m.tg.ChatMember(group.ID, bob.ID); st.Type != models.ChatMemberTypeLeft {
		t.Errorf("bob after a kick: %s, want left (free to join again)", st.Type)
	}
	m.botSaid(group, "Bob was removed; they may join again.")
	if kick := m.botSaid(modStaffChat, "Removed · Bob", "Reason: bye"); kick.ReplyMarkup != nil && len(kick.ReplyMarkup.InlineKeyboard) > 0 {
		t.Errorf("a kick offers %v; it cannot be undone", kick.ReplyMarkup.InlineKeyboard)
	}
}

// linkValue links the member behind u to a shop customer with a CLV
// snapshot, as a CLV run saves it.
func (m *modTG) linkValue(u models.User, customer string, historical float64) community.MemberID {
	m.t.Helper()
	ctx := context.Background()
	var member community.MemberID
	if err := m.store.DB().Get(&member, `SELECT member_id FROM identities WHERE platform = 'telegram' AND platform_user_id = $1`, fmt.Sprint(u.ID)); err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.store.DB().Exec(`INSERT INTO customers (id) VALUES ($1)`, customer); err != nil {
		m.t.Fatal(err)
	}
	if err := m.store.LinkCustomer(ctx, member, customer); err != nil {
		m.t.Fatal(err)
	}
	return member
}

func (m *modTG) saveCLV(values map[string]float64) {
	m.t.Helper()
	var scores []clv.CustomerScore
	for id, v := range values {
		scores = append(scores, clv.CustomerScore{CustomerID: id, Orders: 4, First: time.Now().AddDate(-1, 0, 0), Last: time.Now().AddDate(0, -1, 0),
			Revenue: v * 2, Historical: v, HasModel: true, Predicted: v / 2, PAlive: 0.8, Recency: 4, Frequency: 4, Monetary: 4, Segment: "Loyal"})
	}
	run := clv.ModelRun{ComputedAt: time.Now(), End: time.Now(), Period: clv.Week, Customers: len(scores)}
	if _, err := m.store.SaveCLVRun(context.Background(), run, slices.Values(scores)); err != nil {
		m.t.Fatal(err)
	}
}

// TestNoteWhoisAndReportOnTelegram: a staff note and a warning from the
// staff chat show on /whois with the member's CLV and tier; a member's
// /report reaches the staff chat with the message, author, reporter and
// a link, is refused within the cooldown and for oneself, and its Warn
// button warns the author.
func TestNoteWhoisAndReportOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	hello := m.post(group, bob, "hello, buy my stuff")
	own := m.post(group, alice, "hi")
	m.linkValue(bob, "cust-bob", 120)
	m.saveCLV(map[string]float64{"cust-bob": 120})
	m.post(modStaffChat, owner, "/note 200 Asked for a refund twice")
	m.botSaid(modStaffChat, "Noted on Bob")
	m.post(modStaffChat, owner, "/warn 200 rude")
	m.botSaid(modStaffChat, "Warning · Bob", "Where: Tea Lovers (telegram)", "Reason: rude")
	m.post(modStaffChat, owner, "/whois 200")
	m.botSaid(modStaffChat, "Bob · member #", "telegram 200", "Tier: Newcomer", "historical CLV 120.00", "predicted 60.00",
		"still buying 80%", "4 orders", "segment Loyal", "1 active warning", "by Olga: rude", "Notes:", "Olga: Asked for a refund twice")

	m.answer(hello, alice, "/report spam ads")
	m.botSaid(group, "The staff have been told")
	alert := m.botSaid(modStaffChat, "Report #", "Author: Bob (Newcomer)", "Reported by: Alice", "Reason: spam ads",
		"Message: “hello, buy my stuff”", "Open the message")
	if !strings.Contains(fmt.Sprint(alert.Entities), fmt.Sprintf("https://t.me/c/1/%d", hello.ID)) {
		t.Errorf("report link: entities %+v", alert.Entities)
	}
	m.answer(hello, alice, "/report again")
	m.botSaid(group, "Please wait 10 min")
	m.answer(own, alice, "/report me")
	m.botSaid(group, "You cannot report yourself.")
	if n := m.count(t, `SELECT count(*) FROM reports`); n != 1 {
		t.Errorf("%d reports filed, want 1", n)
	}
	m.press(alert, owner, "Warn")
	m.botSaid(modStaffChat, "Report #", "Olga warned the author.")
	if n := m.count(t, `SELECT count(*) FROM warnings WHERE removed_at IS NULL`); n != 2 {
		t.Errorf("%d active warnings after the report's Warn, want 2", n)
	}
	m.post(group, owner, "/whois 200")
	m.botSaid(group, "I sent Bob's card to the staff chat.")
}

// automodOptions turn on every automod rule with small numbers.
func automodOptions(ladder ...string) func(*bots.ModerationOptions) {
	return func(o *bots.ModerationOptions) {
		o.Automod.FloodMessages, o.Automod.FloodWindow = 3, time.Minute
		o.Automod.Blocklist, _ = community.ParseBlocklist([]string{"spam", "/fr[e3]{2} money/"})
		if len(ladder) > 0 {
			o.Rules.Ladder, _ = community.ParseLadder(ladder)
		}
	}
}

// TestAutomodOnTelegram: a flood is deleted and muted for automod_mute; a
// blocked word deletes the message and warns; a newcomer's link is
// deleted and warned while an older member's is left; staff are never
// automodded.
func TestAutomodOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, automodOptions())
	var flood []int
	for i := range 3 {
		flood = append(flood, m.post(group, bob, fmt.Sprintf("wow %d", i)).ID)
	}
	if got := m.deleted(group); !sameSet(got, flood) {
		t.Errorf("flood deleted %v, want %v", got, flood)
	}
	m.mutedFor(bob, time.Hour)
	m.botSaid(group, "Bob, slow down")
	m.botSaid(modStaffChat, "Mute · Bob", "By: automod (flooding)", "Deleted 3 messages")

	blocked := m.post(group, alice, "get FREE MONEY now")
	if got := m.deleted(group); !slices.Contains(got, blocked.ID) {
		t.Errorf("blocked message %d not deleted (%v)", blocked.ID, got)
	}
	m.botSaid(group, "Alice, your message was removed", "Alice has been warned. Active warnings: 1.")
	m.botSaid(modStaffChat, "Warning · Alice", "By: automod (a blocked word)", "Reason: /fr[e3]{2} money/")

	oldLink := m.post(group, alice, "see https://example.com/tea")
	m.push(m.tg.ChatMemberUpdate(group, modDave, telegramtest.Left(modDave), telegramtest.Member(modDave)))
	newLink := m.post(group, modDave, "cheap tea at example.com")
	m.post(group, owner, "spam spam spam")
	got := m.deleted(group)
	if slices.Contains(got, oldLink.ID) || !slices.Contains(got, newLink.ID) {
		t.Errorf("deleted %v: want the newcomer's link %d, not the older member's %d", got, newLink.ID, oldLink.ID)
	}
	m.botSaid(group, "Dave, welcome! New members can post links")
	if n := m.count(t, `SELECT count(*) FROM audit_log a JOIN identities i ON i.member_id = a.target_member_id
		WHERE a.action LIKE 'moderation.%' AND i.platform_user_id = '1'`); n != 0 {
		t.Errorf("the owner was automodded %d times", n)
	}
}

func sameSet(a, b []int) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x int) bool { return !slices.Contains(b, x) })
}

// TestAutomodMutesAVIPInsteadOfBanningOnTelegram: with a ladder that bans
// at the first warning, a VIP's blocked word is deleted and warned, and
// the ban becomes a mute (no banChatMember) with a staff review showing
// their value; Lift the mute frees them.
func TestAutomodMutesAVIPInsteadOfBanningOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, automodOptions("1=ban"))
	m.post(group, modVera, "hello")
	values := map[string]float64{"cust-vera": 900}
	m.linkValue(modVera, "cust-vera", 900)
	for i := range 9 {
		u := telegramtest.User(int64(600+i), fmt.Sprintf("Filler%d", i))
		m.post(group, u, "hi")
		id := fmt.Sprintf("cust-%d", i)
		m.linkValue(u, id, float64(10+i))
		values[id] = float64(10 + i)
	}
	m.saveCLV(values)
	o := bots.DefaultCommunityOptions()
	if _, err := community.NewStandings(m.store, o.Engagement, o.Tiers, o.Loyalty, time.Now).Recompute(context.Background()); err != nil {
		t.Fatal(err)
	}

	spam := m.post(group, modVera, "this is spam")
	if !slices.Contains(m.deleted(group), spam.ID) {
		t.Error("the VIP's blocked message was not deleted")
	}
	if calls := m.tg.Calls("banChatMember"); len(calls) != 0 {
		t.Fatalf("automod banned a VIP: %v", calls)
	}
	m.mutedFor(modVera, 0)
	m.botSaid(group, "Vera is a VIP customer: instead of a ban they are muted")
	review := m.botSaid(modStaffChat, "CLV guardrail · review #", "Vera (VIP) reached the ban step", "historical CLV 900.00", "4 orders",
		"1 active warning", "In force:")
	m.botSaid(modStaffChat, "Mute · Vera", "CLV guardrail")
	m.press(review, owner, "Lift the mute")
	if st := m.tg.ChatMember(group.ID, modVera.ID); st.Type != models.ChatMemberTypeMember {
		t.Errorf("vera after Lift the mute: %s", st.Type)
	}
	m.botSaid(modStaffChat, "CLV guardrail · review #", "Olga lifted the mute.")
	var status string
	if err := m.store.DB().Get(&status, `SELECT status FROM moderation_reviews`); err != nil || status != "lifted" {
		t.Errorf("review status %q, %v", status, err)
	}
}

// TestProtectedAndRightsOnTelegram: a mute Telegram refuses because the
// target is an administrator Hearth did not know of yet is explained, and
// so is a missing right; nothing is recorded.
func TestProtectedAndRightsOnTelegram(t *testing.T) {
	t.Parallel()
	m := startModTG(t, nil)
	m.post(group, modDave, "hi")
	m.post(group, bob, "hello")
	m.post(group, alice, "/ping") // reads the administrators: Dave is none yet
	m.tg.SetChatMember(group.ID, telegramtest.Admin(modDave))
	m.post(group, owner, "/mute 400 1h")
	m.botSaid(group, "I can't mute an administrator.")
	bot := m.tg.Bot()
	m.tg.SetChatMember(group.ID, models.ChatMember{Type: models.ChatMemberTypeAdministrator,
		Administrator: &models.ChatMemberAdministrator{User: bot, CanDeleteMessages: true}})
	m.post(group, owner, "/mute 200 1d")
	m.botSaid(group, "I need the Restrict members right", "in Tea Lovers")
	m.post(group, owner, "/ban 200 1d")
	m.botSaid(group, "I need the Ban members right in Tea Lovers.")
	if n := m.count(t, `SELECT count(*) FROM sanctions`); n != 0 {
		t.Errorf("%d sanctions recorded for refused actions", n)
	}
	var details json.RawMessage
	if err := m.store.DB().Get(&details, `SELECT COALESCE(json_agg(action), '[]') FROM audit_log WHERE action LIKE 'moderation.%'`); err != nil || string(details) != "[]" {
		t.Errorf("audit entries for refused actions: %s %v", details, err)
	}
}

// TestAutomodScreensEdits: a message edited into a blocked word is
// deleted and warned like a new one; editing a message again and again is
// no flood.
func TestAutomodScreensEdits(t *testing.T) {
	t.Parallel()
	m := startModTG(t, automodOptions())
	post := m.post(group, alice, "lovely oolong")
	edit := func(text string) {
		m.t.Helper()
		msg := *post
		msg.Text, msg.EditDate = text, int(time.Now().Unix())
		m.push(models.Update{EditedMessage: &msg})
	}
	for i := range 4 {
		edit(fmt.Sprintf("lovely oolong, edit %d", i))
	}
	if got := m.deleted(group); len(got) != 0 {
		t.Fatalf("edits deleted %v: editing is no flood", got)
	}
	edit("lovely oolong, and FREE MONEY")
	m.botSaid(group, "Alice, your message was removed", "Alice has been warned. Active warnings: 1.")
	if got := m.deleted(group); !slices.Equal(got, []int{post.ID}) {
		t.Errorf("deleted %v, want the edited message %d", got, post.ID)
	}
}
