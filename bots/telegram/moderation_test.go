package telegram_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/outbox"
)

// moderator is the adapter on its own against a fake Bot API that knows
// the group: moderation needs neither the database nor the router.
func moderator(t *testing.T) (*telegram.Adapter, *telegramtest.Server) {
	t.Helper()
	tg := telegramtest.New(t, token)
	tg.SetChat(models.ChatFullInfo{ID: group.ID, Type: group.Type, Title: group.Title})
	a, err := telegram.New(context.Background(), telegram.Options{Token: token, APIURL: tg.URL(), PollTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return a, tg
}

const groupID = "-1001"

func id(u models.User) string { return strconv.FormatInt(u.ID, 10) }

// lastCall is the latest call of method, failing the test when there is
// none.
func lastCall(t *testing.T, tg *telegramtest.Server, method string) telegramtest.Call {
	t.Helper()
	calls := tg.Calls(method)
	if len(calls) == 0 {
		t.Fatalf("no %s call", method)
	}
	return calls[len(calls)-1]
}

// TestMuteAndUnmute: a mute takes every permission away until the given
// time, or for ever; a time too soon for Telegram (which would take it as
// for ever) is sent a minute away; unmuting makes a plain member again.
func TestMuteAndUnmute(t *testing.T) {
	t.Parallel()
	a, tg := moderator(t)
	ctx := context.Background()
	until := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := a.Mute(ctx, groupID, id(alice), until); err != nil {
		t.Fatal(err)
	}
	m := tg.ChatMember(group.ID, alice.ID)
	if m.Type != models.ChatMemberTypeRestricted || !m.Restricted.IsMember || m.Restricted.UntilDate != int(until.Unix()) {
		t.Fatalf("alice after a mute until %v: %+v", until, m.Restricted)
	}
	if r := m.Restricted; r.CanSendMessages || r.CanSendAudios || r.CanSendDocuments || r.CanSendPhotos || r.CanSendVideos ||
		r.CanSendVideoNotes || r.CanSendVoiceNotes || r.CanSendPolls || r.CanSendOtherMessages || r.CanAddWebPagePreviews {
		t.Errorf("muted alice may still send something: %+v", r)
	}
	var sentPerms models.ChatPermissions
	if err := lastCall(t, tg, "restrictChatMember").JSON("permissions", &sentPerms); err != nil || sentPerms != (models.ChatPermissions{}) {
		t.Errorf("mute permissions = %+v, %v; want all false", sentPerms, err)
	}

	if err := a.Unmute(ctx, groupID, id(alice)); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeMember {
		t.Fatalf("alice after unmute: %q", m.Type)
	}
	if c := lastCall(t, tg, "restrictChatMember"); c.Params["use_independent_chat_permissions"] == "true" {
		t.Errorf("unmute sent use_independent_chat_permissions")
	}

	if err := a.Mute(ctx, groupID, id(alice), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeRestricted || m.Restricted.UntilDate != 0 {
		t.Fatalf("alice after a mute for ever: %+v", m.Restricted)
	}
	if got := lastCall(t, tg, "restrictChatMember").Params["until_date"]; got != "" && got != "0" {
		t.Errorf("a mute for ever sent until_date %s", got)
	}

	if err := a.Mute(ctx, groupID, id(bob), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	m = tg.ChatMember(group.ID, bob.ID)
	if ahead := time.Until(time.Unix(int64(m.Restricted.UntilDate), 0)); ahead < 50*time.Second || ahead > 70*time.Second {
		t.Errorf("a mute for 5 seconds lasts until %d, %v from now; want about a minute, not for ever", m.Restricted.UntilDate, ahead)
	}
	for _, u := range []models.User{alice, bob} {
		if err := a.Unmute(ctx, groupID, id(u)); err != nil {
			t.Fatal(err)
		}
		if m := tg.ChatMember(group.ID, u.ID); m.Type != models.ChatMemberTypeMember {
			t.Errorf("%s after unmute: %q", u.FirstName, m.Type)
		}
	}
}

// TestBanUnbanAndKick: a ban keeps its end date (none for ever) and keeps
// the messages; an unban lifts it and leaves members alone; a kick leaves
// the user out but free to join again.
func TestBanUnbanAndKick(t *testing.T) {
	t.Parallel()
	a, tg := moderator(t)
	ctx := context.Background()
	until := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	if err := a.Ban(ctx, groupID, id(alice), until); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeBanned || m.Banned.UntilDate != int(until.Unix()) {
		t.Fatalf("alice after a day's ban: %+v", m.Banned)
	}
	if c := lastCall(t, tg, "banChatMember"); c.Params["revoke_messages"] == "true" {
		t.Errorf("ban deleted the user's messages")
	}
	if err := a.Unban(ctx, groupID, id(alice)); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeLeft {
		t.Fatalf("alice after unban: %q, want left", m.Type)
	}
	if err := a.Ban(ctx, groupID, id(alice), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeBanned || m.Banned.UntilDate != 0 {
		t.Fatalf("alice after a ban for good: %+v", m.Banned)
	}

	// Unbanning a member who is not banned must not remove them.
	if err := a.Unban(ctx, groupID, id(bob)); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, bob.ID); m.Type != models.ChatMemberTypeMember {
		t.Fatalf("bob after an unban he did not need: %q", m.Type)
	}
	if c := lastCall(t, tg, "unbanChatMember"); c.Params["only_if_banned"] != "true" {
		t.Errorf("unban without only_if_banned: %v", c.Params)
	}

	if err := a.Kick(ctx, groupID, id(bob)); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, bob.ID); m.Type != models.ChatMemberTypeLeft {
		t.Fatalf("bob after a kick: %q, want left (free to join again)", m.Type)
	}
	if n := len(tg.Calls("banChatMember")); n != 3 {
		t.Errorf("banChatMember calls = %d, want 3", n)
	}
	// He may come back: his join request is approved like anyone's.
	tg.PushUpdate(tg.JoinRequestUpdate(group, bob))
	if err := a.ApproveJoin(ctx, groupID, id(bob)); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, bob.ID); m.Type != models.ChatMemberTypeMember {
		t.Errorf("bob after rejoining: %q", m.Type)
	}

	// A basic group keeps no ban list: the kick is done when he is out.
	kickBobFromABasicGroup(t, a, tg)
}

// kickBobFromABasicGroup kicks bob from a basic group, which keeps no ban
// list, and checks that he is out.
func kickBobFromABasicGroup(t *testing.T, a *telegram.Adapter, tg *telegramtest.Server) {
	t.Helper()
	basic := telegramtest.Group(-42, "Old group")
	tg.SetChat(models.ChatFullInfo{ID: basic.ID, Type: basic.Type, Title: basic.Title})
	if err := a.Kick(context.Background(), "-42", id(bob)); err != nil {
		t.Errorf("kick in a basic group: %v", err)
	}
	if m := tg.ChatMember(basic.ID, bob.ID); m.Type == models.ChatMemberTypeMember {
		t.Errorf("bob still in the basic group")
	}
}

// TestModerationRefusals: Telegram's refusals come back as errors the chat
// layer can explain (errors.Is), naming the action, user and chat; a user
// who is not in the group is nothing to do.
func TestModerationRefusals(t *testing.T) {
	t.Parallel()
	a, tg := moderator(t)
	ctx := context.Background()
	me := tg.Bot()
	tg.SetChatAdministrators(group.ID, telegramtest.Owner(owner), telegramtest.Admin(bob), telegramtest.Admin(me))
	for _, tc := range []struct {
		name string
		act  func() error
		want error
	}{
		{"mute an administrator", func() error { return a.Mute(ctx, groupID, id(bob), time.Time{}) }, bots.ErrProtected},
		{"ban an administrator", func() error { return a.Ban(ctx, groupID, id(bob), time.Time{}) }, bots.ErrProtected},
		{"kick the owner", func() error { return a.Kick(ctx, groupID, id(owner)) }, bots.ErrProtected},
		{"mute the owner", func() error { return a.Mute(ctx, groupID, id(owner), time.Time{}) }, bots.ErrProtected},
		{"mute Hearth itself", func() error { return a.Mute(ctx, groupID, strconv.FormatInt(me.ID, 10), time.Time{}) }, bots.ErrProtected},
	} {
		err := tc.act()
		if !errors.Is(err, tc.want) || !outbox.IsPermanent(err) || !strings.Contains(err.Error(), "chat "+groupID) {
			t.Errorf("%s: got %v; want a permanent %v naming the chat", tc.name, err, tc.want)
		}
	}
	if m := tg.ChatMember(group.ID, bob.ID); m.Type != models.ChatMemberTypeAdministrator {
		t.Errorf("bob is %q after the refusals", m.Type)
	}

	// Without the right to restrict members, Hearth is told so.
	noRights := telegramtest.Admin(me)
	noRights.Administrator.CanRestrictMembers = false
	tg.SetChatMember(group.ID, noRights)
	if err := a.Mute(ctx, groupID, id(alice), time.Time{}); !errors.Is(err, bots.ErrNoRights) ||
		!strings.Contains(err.Error(), "mute user 100 in chat -1001") {
		t.Errorf("mute without the right: %v; want ErrNoRights naming what and where", err)
	}
	tg.FailNext("banChatMember", 403, "Forbidden: bot is not a member of the supergroup chat", 0)
	if err := a.Ban(ctx, groupID, id(alice), time.Time{}); !errors.Is(err, bots.ErrNoRights) {
		t.Errorf("ban by a bot out of the group: %v; want ErrNoRights", err)
	}
	tg.SetChatMember(group.ID, telegramtest.Admin(me))

	// Someone not in the group: nothing to unmute, kick or unban.
	tg.FailNext("restrictChatMember", 400, "Bad Request: user not found", 0)
	if err := a.Unmute(ctx, groupID, "999"); err != nil {
		t.Errorf("unmute of a user not in the group: %v", err)
	}
	tg.FailNext("banChatMember", 400, "Bad Request: PARTICIPANT_ID_INVALID", 0)
	if err := a.Kick(ctx, groupID, "999"); err != nil {
		t.Errorf("kick of a user not in the group: %v", err)
	}
	tg.FailNext("restrictChatMember", 429, "", 7)
	var retry *outbox.RetryAfterError
	if err := a.Mute(ctx, groupID, id(alice), time.Time{}); !errors.As(err, &retry) || retry.After != 7*time.Second {
		t.Errorf("mute answered 429: %v; want a retry after 7s", err)
	}
	if err := a.Ban(ctx, groupID, "alice", time.Time{}); err == nil || !outbox.IsPermanent(err) {
		t.Errorf("ban of user id \"alice\": %v; want a permanent error", err)
	}
}

// TestDeleteMessagesInBatches: 150 ids go in two calls of 100 and 50;
// ids of messages that are gone or never were do not fail the deletion.
func TestDeleteMessagesInBatches(t *testing.T) {
	t.Parallel()
	a, tg := moderator(t)
	ctx := context.Background()
	var ids []string
	for range 2 {
		msg, err := a.Bot().SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "spam"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.Itoa(msg.ID))
	}
	for n := 1000; len(ids) < 150; n++ {
		ids = append(ids, strconv.Itoa(n)) // never sent
	}
	if err := a.DeleteMessages(ctx, groupID, ids); err != nil {
		t.Fatal(err)
	}
	calls := tg.Calls("deleteMessages")
	if len(calls) != 2 {
		t.Fatalf("deleteMessages calls = %d, want 2", len(calls))
	}
	var got []string
	for i, want := range []int{100, 50} {
		var batch []int
		if err := calls[i].JSON("message_ids", &batch); err != nil || len(batch) != want {
			t.Fatalf("call %d deletes %d ids (%v), want %d", i+1, len(batch), err, want)
		}
		for _, n := range batch {
			got = append(got, strconv.Itoa(n))
		}
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("deleted %v, want %v", got, ids)
	}
	if left := tg.Messages(group.ID); len(left) != 0 {
		t.Errorf("messages left: %+v", left)
	}

	if err := a.DeleteMessages(ctx, groupID, ids[:2]); err != nil {
		t.Errorf("deleting deleted messages: %v", err)
	}
	tg.FailNext("deleteMessages", 400, "Bad Request: message to delete not found", 0)
	if err := a.DeleteMessages(ctx, groupID, ids[:1]); err != nil {
		t.Errorf("Telegram finding none of the messages: %v", err)
	}
	before := len(tg.Calls("deleteMessages"))
	if err := a.DeleteMessages(ctx, groupID, []string{"12", "twelve"}); err == nil || !strings.Contains(err.Error(), `"twelve"`) {
		t.Errorf("a message id that is no number: %v", err)
	}
	if err := a.DeleteMessages(ctx, groupID, nil); err != nil {
		t.Errorf("deleting nothing: %v", err)
	}
	if n := len(tg.Calls("deleteMessages")); n != before {
		t.Errorf("%d calls for bad or no ids, want none", n-before)
	}
}

// TestJoinRequests: approving lets the user in, declining keeps them out,
// and a request settled already (twice pressed, or by an administrator)
// is no error.
func TestJoinRequests(t *testing.T) {
	t.Parallel()
	a, tg := moderator(t)
	ctx := context.Background()
	tg.PushUpdate(tg.JoinRequestUpdate(group, alice))
	tg.PushUpdate(tg.JoinRequestUpdate(group, bob))
	if err := a.ApproveJoin(ctx, groupID, id(alice)); err != nil {
		t.Fatal(err)
	}
	if err := a.DeclineJoin(ctx, groupID, id(bob)); err != nil {
		t.Fatal(err)
	}
	if m := tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeMember {
		t.Errorf("alice after approval: %q", m.Type)
	}
	if m := tg.ChatMember(group.ID, bob.ID); m.Type != models.ChatMemberTypeLeft {
		t.Errorf("bob after decline: %q", m.Type)
	}

	for _, settled := range []struct {
		name string
		act  func() error
	}{
		{"approve a member again", func() error { return a.ApproveJoin(ctx, groupID, id(alice)) }},
		{"decline a member", func() error { return a.DeclineJoin(ctx, groupID, id(alice)) }},
		{"decline again", func() error { return a.DeclineJoin(ctx, groupID, id(bob)) }},
		{"approve a declined request", func() error { return a.ApproveJoin(ctx, groupID, id(bob)) }},
	} {
		if err := settled.act(); err != nil {
			t.Errorf("%s: %v", settled.name, err)
		}
	}
	refused := 0
	for _, c := range tg.Calls("") {
		if strings.Contains(c.Error, "USER_ALREADY_PARTICIPANT") || strings.Contains(c.Error, "HIDE_REQUESTER_MISSING") {
			refused++
		}
	}
	if refused != 4 {
		t.Errorf("Telegram refused %d of the settled requests, want 4", refused)
	}

	me := tg.Bot()
	cannotInvite := telegramtest.Admin(me)
	cannotInvite.Administrator.CanInviteUsers = false
	tg.SetChatMember(group.ID, cannotInvite)
	tg.PushUpdate(tg.JoinRequestUpdate(group, owner))
	if err := a.ApproveJoin(ctx, groupID, id(owner)); !errors.Is(err, bots.ErrNoRights) {
		t.Errorf("approving without the right to invite: %v; want ErrNoRights", err)
	}
}

// TestInviteLinkForOnePerson: the link admits one person until it
// expires, and carries a name cut to Telegram's 32 characters.
func TestInviteLinkForOnePerson(t *testing.T) {
	t.Parallel()
	a, tg := moderator(t)
	ctx := context.Background()
	expires := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	name := "Welcome back 🍵 Alice from the spring tasting" // 45 characters, 46 UTF-16 units
	link, err := a.InviteLink(ctx, groupID, name, expires)
	if err != nil {
		t.Fatal(err)
	}
	links := tg.InviteLinks(group.ID)
	if len(links) != 1 || links[0].InviteLink != link {
		t.Fatalf("links = %+v, returned %q", links, link)
	}
	l := links[0]
	if l.MemberLimit != 1 || l.ExpireDate != int(expires.Unix()) || l.CreatesJoinRequest {
		t.Errorf("link = %+v; want one member until %d, no join request", l, expires.Unix())
	}
	if n := len(utf16.Encode([]rune(l.Name))); n > 32 || n < 31 || !strings.HasPrefix(name, l.Name) {
		t.Errorf("name = %q (%d UTF-16 units); want the first 32 of %q", l.Name, n, name)
	}

	if _, err := a.InviteLink(ctx, groupID, "no expiry", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if l := tg.InviteLinks(group.ID)[1]; l.ExpireDate != 0 || l.MemberLimit != 1 || l.Name != "no expiry" {
		t.Errorf("link without expiry = %+v", l)
	}
	if _, err := a.InviteLink(ctx, groupID, "late", time.Now().Add(-time.Hour)); err == nil || !outbox.IsPermanent(err) {
		t.Errorf("a link that expired already: %v; want a permanent error", err)
	}
}
