package discord_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// runJob runs one of Hearth's scheduled jobs now.
func runJob(t *testing.T, svc *bots.Service, name string) {
	t.Helper()
	if err := svc.RunJob(context.Background(), name); err != nil {
		t.Fatal(err)
	}
}

// waitRoles waits until the user's roles in the guild are want.
func waitRoles(t *testing.T, dc *discordtest.Server, guildID, userID string, want ...string) {
	t.Helper()
	slices.Sort(want)
	storagetest.Eventually(t, fmt.Sprintf("roles %v of %s", want, userID), func() bool {
		m, ok := dc.Member(guildID, userID)
		if !ok {
			t.Fatalf("%s is not in %s", userID, guildID)
		}
		return slices.Equal(slices.Sorted(slices.Values(m.Roles)), want)
	})
}

// TestTierRolesFollowCLV: the recomputation gives each member their
// tier's role; when CLV changes, the roles follow (the old VIP loses the
// VIP role, the new one gets it) and the staff chat hears why.
func TestTierRolesFollowCLV(t *testing.T) {
	t.Parallel()
	owner, alice, bob := discordtest.NewUser("olga"), discordtest.NewUser("alice"), discordtest.NewUser("bob")
	vip := &discordgo.Role{ID: discordtest.NewID(), Name: "VIP", Position: 2}
	loyal := &discordgo.Role{ID: discordtest.NewID(), Name: "Loyal", Position: 1}
	guild, channel := textGuild("Tea Shop", owner.ID, vip, loyal)
	guild.Members = []*discordgo.Member{{User: &owner}, {User: &alice}, {User: &bob}}
	staffRoom := discordtest.NewID()
	guild.Channels = append(guild.Channels, &discordgo.Channel{ID: staffRoom, Name: "staff", Type: discordgo.ChannelTypeGuildText, Position: 1})
	rules := community.DefaultTierRules()
	rules.VIPValue, rules.LoyalValue = 70, 20 // two customers: the better is at 75, the other at 25
	w := startScene(t, scene{owner: owner.ID, prepare: func(dc *discordtest.Server) { dc.AddGuild(guild) },
		adapter: func(o *discord.Options) {
			o.TierRoles = map[community.Tier]string{community.TierVIP: vip.ID, community.TierLoyal: "Loyal"}
		},
		service: func(o *bots.ServiceOptions) {
			o.Community = bots.DefaultCommunityOptions()
			o.Community.Tiers = rules
		}})
	w.waitGuild(t, guild.ID)
	w.slash(t, guild.ID, staffRoom, owner, "setstaff")
	for _, u := range []discordgo.User{alice, bob} {
		w.dc.Dispatch(t, "MESSAGE_CREATE", w.dc.MessageCreate(channel, u, "hello from "+u.Username))
	}
	w.waitCount(t, 2, `SELECT count(*) FROM activities`)
	ids := memberIDs(t, w, alice, bob)

	storagetest.SetValues(t, w.store.DB(), map[int64]float64{ids[0]: 900, ids[1]: 40})
	runJob(t, w.svc, "standings.recompute")
	waitRoles(t, w.dc, guild.ID, alice.ID, vip.ID)
	waitRoles(t, w.dc, guild.ID, bob.ID, loyal.ID)

	storagetest.SetValues(t, w.store.DB(), map[int64]float64{ids[0]: 30, ids[1]: 5000})
	runJob(t, w.svc, "standings.recompute")
	waitRoles(t, w.dc, guild.ID, bob.ID, vip.ID)
	waitRoles(t, w.dc, guild.ID, alice.ID, loyal.ID)
	text := waitChannelText(t, w.dc, staffRoom, "changed tier")
	for _, want := range []string{"alice: VIP → Loyal", "bob: Loyal → VIP", "value: top 25%"} {
		if !strings.Contains(text, want) {
			t.Errorf("staff summary %q lacks %q", text, want)
		}
	}
}

func memberIDs(t *testing.T, w *world, users ...discordgo.User) []int64 {
	t.Helper()
	var out []int64
	for _, u := range users {
		m, err := w.store.FindMember(context.Background(), community.Discord, community.MemberRef{UserID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, int64(m.ID))
	}
	return out
}

// waitChannelText waits for a message in the channel containing part.
func waitChannelText(t *testing.T, dc *discordtest.Server, channelID, part string) string {
	t.Helper()
	text := ""
	storagetest.Eventually(t, fmt.Sprintf("a message in %s containing %q", channelID, part), func() bool {
		for _, m := range dc.Messages(channelID) {
			if strings.Contains(m.Content, part) {
				text = m.Content
				return true
			}
		}
		return false
	})
	return text
}
