package discord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
)

// announceWorld is Hearth on Discord in two servers: Tea Shop, whose
// system channel is #news and whose #staff is the staff chat, and Tea
// Club, with only #general. alice, bob and carol are members of Tea Shop.
type announceWorld struct {
	*world
	owner, alice, bob, carol discordgo.User
	shop, club               string
	news, staff, general     string
	clubGeneral              string
}

func startAnnounceWorld(t *testing.T) *announceWorld {
	t.Helper()
	aw := &announceWorld{owner: discordtest.NewUser("olga"), alice: discordtest.NewUser("alice"), bob: discordtest.NewUser("bob"),
		carol: discordtest.NewUser("carol"), news: discordtest.NewID(), staff: discordtest.NewID(), general: discordtest.NewID(),
		clubGeneral: discordtest.NewID()}
	shop := &discordgo.Guild{ID: discordtest.NewID(), Name: "Tea Shop", OwnerID: aw.owner.ID, SystemChannelID: aw.news,
		Members: []*discordgo.Member{{User: &aw.owner}, {User: &aw.alice}, {User: &aw.bob}, {User: &aw.carol}},
		Channels: []*discordgo.Channel{
			{ID: aw.general, Name: "general", Type: discordgo.ChannelTypeGuildText, Position: 0},
			{ID: aw.news, Name: "news", Type: discordgo.ChannelTypeGuildText, Position: 1},
			{ID: aw.staff, Name: "staff", Type: discordgo.ChannelTypeGuildText, Position: 2}}}
	club := &discordgo.Guild{ID: discordtest.NewID(), Name: "Tea Club", OwnerID: aw.owner.ID, Members: []*discordgo.Member{{User: &aw.owner}},
		Channels: []*discordgo.Channel{{ID: aw.clubGeneral, Name: "general", Type: discordgo.ChannelTypeGuildText}}}
	aw.shop, aw.club = shop.ID, club.ID
	aw.world = startScene(t, scene{owner: aw.owner.ID, prepare: func(dc *discordtest.Server) { dc.AddGuild(shop); dc.AddGuild(club) },
		service: func(o *bots.ServiceOptions) {
			o.Community = bots.DefaultCommunityOptions()
			o.Community.Announce = bots.AnnounceOptions{WeeklyCap: 2}
		}})
	aw.waitGuild(t, shop.ID)
	aw.waitGuild(t, club.ID)
	aw.slash(t, shop.ID, aw.staff, aw.owner, "setstaff")
	return aw
}

// subscribeDM runs /subscribe with options in u's DM with Hearth.
func (aw *announceWorld) subscribeDM(t *testing.T, u discordgo.User, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.InteractionReply {
	t.Helper()
	i := aw.dc.SlashCommand("", aw.dc.DMChannel(u), u, "subscribe", opts...)
	aw.dc.Dispatch(t, "INTERACTION_CREATE", i)
	return aw.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
}

// announce runs /announce with options in the staff channel.
func (aw *announceWorld) announce(t *testing.T, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.InteractionReply {
	t.Helper()
	i := aw.dc.SlashCommand(aw.shop, aw.staff, aw.owner, "announce", opts...)
	aw.dc.Dispatch(t, "INTERACTION_CREATE", i)
	return aw.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
}

// pressSend presses Send on a preview and returns the updated preview.
func (aw *announceWorld) pressSend(t *testing.T, preview discordtest.InteractionReply, id string) string {
	t.Helper()
	press := aw.dc.ButtonPress(t, preview.Original, aw.owner, "announce:send:"+id)
	aw.dc.Dispatch(t, "INTERACTION_CREATE", press)
	r := aw.dc.WaitInteractionReply(t, press.ID, 10*time.Second)
	if r.Original == nil {
		t.Fatalf("Send answered with %+v, want the preview updated", r)
	}
	return r.Original.Content
}

func (aw *announceWorld) setTier(t *testing.T, u discordgo.User, tier community.Tier) {
	t.Helper()
	id := memberIDs(t, aw.world, u)[0]
	st := community.MemberStanding{Standing: community.Standing{Member: community.MemberID(id), Tier: tier, ComputedAt: time.Now(),
		Engagement: community.Engagement{Level: 4}}}
	if err := aw.store.SaveStandings(context.Background(), community.StandingsUpdate{At: time.Now(), Standings: []community.MemberStanding{st}}); err != nil {
		t.Fatal(err)
	}
}

// countText counts the messages in a channel containing part.
func (aw *announceWorld) countText(channelID, part string) int {
	n := 0
	for _, m := range aw.dc.Messages(channelID) {
		if strings.Contains(m.Content, part) {
			n++
		}
	}
	return n
}

// TestDiscordAnnouncementReachesServersAndSubscribers: a loyal-and-above
// announcement goes privately to the VIP and Loyal subscribers only and
// is posted in no server; an announcement to everyone is posted in each
// server's system channel (or first text channel) and reaches every
// subscriber privately, never bob who did not subscribe.
func TestDiscordAnnouncementReachesServersAndSubscribers(t *testing.T) {
	t.Parallel()
	aw := startAnnounceWorld(t)
	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(aw.general, aw.bob, "hello"))
	for _, u := range []discordgo.User{aw.alice, aw.carol} {
		if r := aw.subscribeDM(t, u, discordtest.Arg("choice", "on")); !strings.Contains(r.Data.Content, "at most 2 private messages a week") {
			t.Fatalf("/subscribe on = %q", r.Data.Content)
		}
	}
	aw.waitCount(t, 2, `SELECT count(*) FROM members WHERE announcements_dm`)
	aw.setTier(t, aw.alice, community.TierVIP)
	aw.setTier(t, aw.carol, community.TierRegular)

	preview := aw.announce(t, discordtest.Arg("tier", "loyal"), discordtest.Arg("text", "Early access to the *spring* harvest"))
	text := preview.Data.Content
	for _, want := range []string{"to Loyal members and above", "Not posted in the groups", "Privately to 1 member (VIP 1)", "Early access to the **spring** harvest"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q:\n%s", want, text)
		}
	}
	if done := aw.pressSend(t, preview, "1"); !strings.Contains(done, "Announcement #1 sent") {
		t.Errorf("after Send: %q", done)
	}
	waitChannelText(t, aw.dc, aw.dc.DMChannel(aw.alice), "spring")

	preview = aw.announce(t, discordtest.Arg("text", "The tea festival starts on Friday"))
	if text := preview.Data.Content; !strings.Contains(text, "Posted in 2 groups on Discord") || !strings.Contains(text, "Privately to 2 members (VIP 1, Regular 1)") {
		t.Errorf("preview to everyone:\n%s", text)
	}
	aw.pressSend(t, preview, "2")
	for _, ch := range []string{aw.news, aw.clubGeneral, aw.dc.DMChannel(aw.alice), aw.dc.DMChannel(aw.carol)} {
		waitChannelText(t, aw.dc, ch, "tea festival")
	}
	aw.waitCount(t, 0, `SELECT count(*) FROM deliveries WHERE status = 'pending'`)
	dm := waitChannelText(t, aw.dc, aw.dc.DMChannel(aw.carol), "tea festival")
	if !strings.HasPrefix(dm, "📣 **Tea Lovers**") || !strings.Contains(dm, "/subscribe off stops them") {
		t.Errorf("carol's private message = %q", dm)
	}
	for ch, want := range map[string][2]int{aw.dc.DMChannel(aw.carol): {0, 0}, aw.dc.DMChannel(aw.bob): {0, 0},
		aw.general: {0, 0}, aw.news: {0, 1}, aw.clubGeneral: {0, 1}} {
		if got := [2]int{aw.countText(ch, "spring"), aw.countText(ch, "Want these privately?")}; got != want {
			t.Errorf("channel %s holds %v (tier announcements, posts), want %v", ch, got, want)
		}
	}
	if n := aw.countText(aw.staff, "Want these privately?"); n != 0 {
		t.Errorf("the announcement was posted in the staff channel")
	}
}

// TestDiscordAnnounceRefusesAnUnknownTier: a tier that does not exist is
// refused, naming the tiers, and nothing is recorded; /subscribe's button
// turns announcements off in place.
func TestDiscordAnnounceRefusesAnUnknownTier(t *testing.T) {
	t.Parallel()
	aw := startAnnounceWorld(t)
	r := aw.announce(t, discordtest.Arg("tier", "gold"), discordtest.Arg("text", "Hello"))
	if !r.Ephemeral() || !strings.Contains(r.Data.Content, "“gold” is not a tier. The tiers are: vip, loyal, regular, newcomer.") {
		t.Errorf("unknown tier answered %q (ephemeral %t)", r.Data.Content, r.Ephemeral())
	}
	if n := aw.countRows(t, `SELECT count(*) FROM announcements`); n != 0 {
		t.Errorf("%d announcements recorded", n)
	}
	on := aw.subscribeDM(t, aw.alice, discordtest.Arg("choice", "on"))
	press := aw.dc.ButtonPress(t, on.Original, aw.alice, "subscribe:off")
	aw.dc.Dispatch(t, "INTERACTION_CREATE", press)
	if off := aw.dc.WaitInteractionReply(t, press.ID, 10*time.Second); off.Original == nil || !strings.Contains(off.Original.Content, "You do not get") {
		t.Errorf("after Stop them: %+v", off.Original)
	}
	aw.waitCount(t, 0, `SELECT count(*) FROM members WHERE announcements_dm`)
}

func (aw *announceWorld) countRows(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := aw.store.DB().Get(&n, query); err != nil {
		t.Fatal(err)
	}
	return n
}
