package discord_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// modDC is Hearth on Discord in Tea Lovers, whose #staff the owner has
// made the staff chat. Hearth moderates with a role of its own (position
// 2); dave holds Elder, a role above it that grants nothing.
type modDC struct {
	*world
	t                             *testing.T
	owner, alice, bob, dave, vera discordgo.User
	guild, general, staff, hearth string
	loc                           *time.Location // the community's time zone, where it is midday
}

func startModDC(t *testing.T, change func(*bots.ModerationOptions)) *modDC {
	t.Helper()
	m := &modDC{t: t, owner: discordtest.NewUser("olga"), alice: discordtest.NewUser("alice"), bob: discordtest.NewUser("bob"),
		dave: discordtest.NewUser("dave"), vera: discordtest.NewUser("vera"), general: discordtest.NewID(), staff: discordtest.NewID(),
		loc: middayZone()}
	hearth := &discordgo.Role{ID: discordtest.NewID(), Name: "Hearth", Position: 2, Permissions: moderationPermissions}
	elder := &discordgo.Role{ID: discordtest.NewID(), Name: "Elder", Position: 5}
	g := &discordgo.Guild{ID: discordtest.NewID(), Name: "Tea Lovers", OwnerID: m.owner.ID, Roles: []*discordgo.Role{hearth, elder},
		Members: []*discordgo.Member{{User: &m.owner}, {User: &m.alice}, {User: &m.bob}, {User: &m.dave, Roles: []string{elder.ID}}, {User: &m.vera}},
		Channels: []*discordgo.Channel{{ID: m.general, Name: "general", Type: discordgo.ChannelTypeGuildText},
			{ID: m.staff, Name: "staff", Type: discordgo.ChannelTypeGuildText, Position: 1}}}
	m.guild, m.hearth = g.ID, hearth.ID
	m.world = startScene(t, scene{owner: m.owner.ID,
		prepare: func(dc *discordtest.Server) {
			bot := dc.BotUser()
			g.Members = append(g.Members, &discordgo.Member{User: &bot, Roles: []string{hearth.ID}})
			dc.AddGuild(g)
		},
		service: func(o *bots.ServiceOptions) {
			o.Community = bots.DefaultCommunityOptions()
			o.Community.Location = m.loc
			if change != nil {
				change(&o.Community.Moderation)
			}
		}})
	m.waitGuild(t, g.ID)
	m.run(m.staff, m.owner, "setstaff")
	return m
}

// run runs a slash command with options and returns Hearth's answer.
func (m *modDC) run(channel string, u discordgo.User, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) string {
	m.t.Helper()
	i := m.dc.SlashCommand(m.guild, channel, u, name, opts...)
	m.dc.Dispatch(m.t, "INTERACTION_CREATE", i)
	r := m.dc.WaitInteractionReply(m.t, i.ID, 10*time.Second)
	if r.Data == nil {
		return ""
	}
	return r.Data.Content
}

// say posts a message as u and waits until Hearth has handled it.
func (m *modDC) say(u discordgo.User, text string) *discordgo.Message {
	m.t.Helper()
	msg := m.dc.MessageCreate(m.general, u, text)
	m.dc.Dispatch(m.t, "MESSAGE_CREATE", msg)
	m.waitCount(m.t, 1, `SELECT count(*) FROM inbound_updates WHERE platform = 'discord' AND update_key = $1 AND handled_at IS NOT NULL`, "message:"+msg.ID)
	return msg
}

// posted waits for a message of Hearth's in a channel with every part.
func (m *modDC) posted(channel string, parts ...string) *discordgo.Message {
	m.t.Helper()
	var found *discordgo.Message
	storagetest.Eventually(m.t, fmt.Sprintf("a message with %q in the channel", parts), func() bool {
		for _, msg := range slices.Backward(m.dc.Messages(channel)) {
			if msg.Author != nil && msg.Author.ID == m.dc.BotUser().ID && allIn(msg.Content, parts) {
				found = msg
				return true
			}
		}
		return false
	})
	return found
}

func allIn(s string, parts []string) bool {
	return !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(s, p) })
}

// press has the owner press a button of msg and returns the edited text.
func (m *modDC) press(msg *discordgo.Message, customID string) string {
	m.t.Helper()
	i := m.dc.ButtonPress(m.t, msg, m.owner, customID)
	m.dc.Dispatch(m.t, "INTERACTION_CREATE", i)
	r := m.dc.WaitInteractionReply(m.t, i.ID, 10*time.Second)
	if r.Original == nil {
		m.t.Fatalf("%s answered %+v, want the message edited", customID, r.Data)
	}
	return r.Original.Content
}

func (m *modDC) lastID(query string) int64 {
	m.t.Helper()
	var id int64
	if err := m.store.DB().Get(&id, query); err != nil {
		m.t.Fatalf("%s: %v", query, err)
	}
	return id
}

// timedOut reports how long from now u is timed out for (0: not).
func (m *modDC) timedOut(u discordgo.User) time.Duration {
	m.t.Helper()
	member, ok := m.dc.Member(m.guild, u.ID)
	if !ok || member.CommunicationDisabledUntil == nil {
		return 0
	}
	return time.Until(*member.CommunicationDisabledUntil)
}

// membersSaid lists the members' messages left in #general.
func (m *modDC) membersSaid() []string {
	var out []string
	for _, msg := range m.dc.Messages(m.general) {
		if msg.Author != nil && msg.Author.ID != m.dc.BotUser().ID {
			out = append(out, msg.Content)
		}
	}
	return out
}

func (m *modDC) link(msg *discordgo.Message) string {
	return "https://discord.com/channels/" + m.guild + "/" + msg.ChannelID + "/" + msg.ID
}

// TestWarningLadderOnDiscord: three warnings time the member out for an
// hour (communication_disabled_until); /warns lists them, /unwarn removes
// the latest, and Undo in the staff log ends the timeout.
func TestWarningLadderOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	m.say(m.bob, "hello")
	var last string
	for i := 1; i <= 3; i++ {
		last = m.run(m.general, m.owner, "warn", discordtest.UserArg("member", m.bob.ID), discordtest.Arg("reason", fmt.Sprintf("spam %d", i)))
	}
	if !allIn(last, []string{"bob has been warned. Active warnings: 3.", "bob is muted for 1 hour."}) {
		t.Errorf("third /warn = %q", last)
	}
	if d := m.timedOut(m.bob); d < 59*time.Minute || d > 61*time.Minute {
		t.Fatalf("bob timed out for %v, want an hour", d)
	}
	if got := m.run(m.general, m.owner, "warns", discordtest.UserArg("member", m.bob.ID)); !allIn(got, []string{"bob has 3 active warnings", "by olga: spam 2"}) {
		t.Errorf("/warns = %q", got)
	}
	if got := m.run(m.general, m.owner, "unwarn", discordtest.UserArg("member", m.bob.ID)); !strings.Contains(got, "Active warnings: 2.") {
		t.Errorf("/unwarn = %q", got)
	}
	logged := m.posted(m.staff, "**Mute** · bob", "By: olga")
	edited := m.press(logged, fmt.Sprintf("modlog:u:%d", m.lastID(`SELECT max(id) FROM audit_log WHERE action = 'moderation.mute'`)))
	if !strings.Contains(edited, "Undone by olga") || m.timedOut(m.bob) != 0 {
		t.Errorf("after Undo: %q, timed out for %v", edited, m.timedOut(m.bob))
	}
}

// TestTimedBanEndsOnDiscord: Discord bans have no end, so the expiry job
// lifts a one-hour ban once the hour is over, and logs it.
func TestTimedBanEndsOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	m.say(m.bob, "hello")
	if got := m.run(m.general, m.owner, "ban", discordtest.UserArg("member", m.bob.ID), discordtest.Arg("duration", "1h"),
		discordtest.Arg("reason", "scam links")); !strings.Contains(got, "bob is banned for 1 hour.") {
		t.Fatalf("/ban = %q", got)
	}
	if !m.dc.Banned(m.guild, m.bob.ID) {
		t.Fatal("bob is not banned")
	}
	botstest.RunJob(t, m.svc, "moderation.expire")
	if !m.dc.Banned(m.guild, m.bob.ID) {
		t.Fatal("bob is unbanned before the hour is over")
	}
	if _, err := m.store.DB().Exec(`UPDATE sanctions SET until = now() - interval '1 minute'`); err != nil { // the hour is over
		t.Fatal(err)
	}
	botstest.RunJob(t, m.svc, "moderation.expire")
	if m.dc.Banned(m.guild, m.bob.ID) {
		t.Error("the ban outlived its hour")
	}
	m.posted(m.staff, "**Ban lifted** · bob", "Its time was up")
	m.waitCount(t, 1, `SELECT count(*) FROM sanctions WHERE kind = 'ban' AND lift_reason = 'expired'`)
}

// TestKickAndPurgeOnDiscord: /purge 2 deletes the channel's last two
// messages; /purge with a message's link deletes it and every later one;
// /kick removes the member.
func TestKickAndPurgeOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	var msgs []*discordgo.Message
	for i, u := range []discordgo.User{m.bob, m.alice, m.bob, m.alice} {
		msgs = append(msgs, m.say(u, fmt.Sprintf("message %d", i+1)))
	}
	if got := m.run(m.general, m.owner, "purge", discordtest.Arg("count", "2")); !strings.Contains(got, "Deleted 2 messages") {
		t.Errorf("/purge 2 = %q", got)
	}
	if got := m.membersSaid(); !slices.Equal(got, []string{"message 1", "message 2"}) {
		t.Errorf("after /purge 2: %q", got)
	}
	if got := m.run(m.general, m.owner, "purge", discordtest.Arg("count", m.link(msgs[1]))); !strings.Contains(got, "Deleted 3 messages") {
		t.Errorf("/purge from message 2 = %q", got)
	}
	if got := m.membersSaid(); !slices.Equal(got, []string{"message 1"}) {
		t.Errorf("after /purge from message 2: %q", got)
	}
	m.run(m.general, m.owner, "kick", discordtest.UserArg("member", m.bob.ID))
	if _, member := m.dc.Member(m.guild, m.bob.ID); member || m.dc.Banned(m.guild, m.bob.ID) {
		t.Errorf("after /kick: member %v, banned %v", member, m.dc.Banned(m.guild, m.bob.ID))
	}
}

// TestNoteWhoisAndReportOnDiscord: /whois shows the member's tier, CLV,
// warnings and notes (privately outside the staff chat); /report with a
// message's link alerts staff with a link back and is held by the
// cooldown; Dismiss closes it.
func TestNoteWhoisAndReportOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	bad := m.say(m.bob, "buy followers here")
	storagetest.SetValues(t, m.store.DB(), map[int64]float64{memberIDs(t, m.world, m.bob)[0]: 250})
	m.run(m.staff, m.owner, "note", discordtest.UserArg("member", m.bob.ID), discordtest.Arg("text", "Was rude to support"))
	m.run(m.staff, m.owner, "warn", discordtest.UserArg("member", m.bob.ID), discordtest.Arg("reason", "rude"))
	card := m.run(m.general, m.owner, "whois", discordtest.UserArg("member", m.bob.ID))
	for _, want := range []string{"**bob** · member #", "discord @bob", "Tier: Newcomer", "historical CLV 250.00", "2 orders",
		"1 active warning", "by olga: rude", "olga: Was rude to support"} {
		if !strings.Contains(card, want) {
			t.Errorf("/whois lacks %q:\n%s", want, card)
		}
	}

	if got := m.run(m.general, m.alice, "report", discordtest.Arg("message", m.link(bad)), discordtest.Arg("reason", "spam")); !strings.Contains(got, "The staff have been told") {
		t.Fatalf("/report = %q", got)
	}
	alert := m.posted(m.staff, "**Report #", "Author: bob (Newcomer)", "Reported by: alice", "Reason: spam", "("+m.link(bad)+")")
	if got := m.run(m.general, m.alice, "report", discordtest.Arg("message", m.link(bad))); !strings.Contains(got, "Please wait 10 min") {
		t.Errorf("second /report = %q", got)
	}
	edited := m.press(alert, fmt.Sprintf("modlog:r:%d:dismiss", m.lastID(`SELECT max(id) FROM reports`)))
	if !strings.Contains(edited, "olga dismissed the report.") {
		t.Errorf("after Dismiss: %q", edited)
	}
}

// TestAutomodOnDiscord: a flood is deleted and timed out; a blocked word
// is deleted and warned; a newcomer's link is deleted and warned.
func TestAutomodOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, func(o *bots.ModerationOptions) {
		o.Automod.FloodMessages, o.Automod.FloodWindow = 3, time.Minute
		o.Automod.Blocklist, _ = community.ParseBlocklist([]string{"spam"})
	})
	for i := range 3 {
		m.say(m.bob, fmt.Sprintf("wow %d", i))
	}
	if d := m.timedOut(m.bob); d < 59*time.Minute {
		t.Errorf("bob flooded and is timed out for %v", d)
	}
	m.say(m.alice, "this is SPAM")
	newcomer := discordtest.NewUser("nina")
	m.dc.Dispatch(t, "GUILD_MEMBER_ADD", m.dc.GuildMemberAdd(m.guild, newcomer))
	m.waitCount(t, 1, `SELECT count(*) FROM activities WHERE kind = 'join'`)
	m.say(newcomer, "my shop: https://example.com")
	m.say(m.alice, "a link from an old member: https://example.com")
	if left := m.membersSaid(); !slices.Equal(left, []string{"a link from an old member: https://example.com"}) {
		t.Errorf("messages left: %q", left)
	}
	m.posted(m.staff, "**Warning** · alice", "automod (a blocked word)")
	m.posted(m.staff, "**Warning** · nina", "automod (a newcomer's link or media)")
	m.posted(m.staff, "**Mute** · bob", "automod (flooding)", "Deleted 3 messages")
}

// TestAutomodMutesAVIPInsteadOfBanningOnDiscord: the ladder's ban of a
// VIP becomes a timeout and a review; Ban anyway bans after all.
func TestAutomodMutesAVIPInsteadOfBanningOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, func(o *bots.ModerationOptions) {
		o.Automod.Blocklist, _ = community.ParseBlocklist([]string{"spam"})
		o.Rules.Ladder, _ = community.ParseLadder([]string{"1=ban 1w"})
	})
	m.say(m.vera, "hello")
	values := map[int64]float64{memberIDs(t, m.world, m.vera)[0]: 900}
	for i := range 9 {
		rec, err := m.store.RecordInbound(context.Background(), []inbox.Inbound{{Platform: community.Discord, Key: fmt.Sprint("filler", i),
			At: time.Now(), From: bots.User{ID: fmt.Sprint(7000 + i)}, Done: true}})
		if err != nil {
			t.Fatal(err)
		}
		values[int64(rec[0].Member)] = float64(10 + i)
	}
	storagetest.SetValues(t, m.store.DB(), values)
	o := bots.DefaultCommunityOptions()
	if _, err := community.NewStandings(m.store, o.Engagement, o.Tiers, o.Loyalty, time.Now).Recompute(context.Background()); err != nil {
		t.Fatal(err)
	}
	m.say(m.vera, "spam")
	if m.dc.Banned(m.guild, m.vera.ID) {
		t.Fatal("automod banned a VIP")
	}
	if d := m.timedOut(m.vera); d < 6*24*time.Hour {
		t.Errorf("vera timed out for %v, want the ban's week", d)
	}
	review := m.posted(m.staff, "CLV guardrail · review #", "vera (VIP) reached the ban step", "historical CLV 900.00")
	edited := m.press(review, fmt.Sprintf("modlog:v:%d:ban", m.lastID(`SELECT max(id) FROM moderation_reviews`)))
	if !strings.Contains(edited, "olga banned them after all.") || !m.dc.Banned(m.guild, m.vera.ID) {
		t.Errorf("after Ban anyway: %q, banned %v", edited, m.dc.Banned(m.guild, m.vera.ID))
	}
}

// TestProtectedAndRightsOnDiscord: a member ranked above Hearth cannot be
// timed out, and a missing Ban Members permission is named.
func TestProtectedAndRightsOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	m.say(m.dave, "hi")
	m.say(m.bob, "hello")
	if got := m.run(m.general, m.owner, "mute", discordtest.UserArg("member", m.dave.ID)); got != "I can't mute an administrator." {
		t.Errorf("/mute dave = %q", got)
	}
	m.dc.SetRolePermissions(t, m.guild, m.hearth, moderationPermissions&^discordgo.PermissionBanMembers)
	if got := m.run(m.general, m.owner, "ban", discordtest.UserArg("member", m.bob.ID)); got != "I need the **Ban members** right in Tea Lovers." {
		t.Errorf("/ban without the permission = %q", got)
	}
	if n := m.lastID(`SELECT count(*) FROM sanctions`); n != 0 {
		t.Errorf("%d sanctions recorded", n)
	}
}
