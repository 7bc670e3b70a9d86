package discord_test

import (
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
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// npsQuestion waits for the NPS question in u's DM and returns it.
func npsQuestion(t *testing.T, dc *discordtest.Server, u discordgo.User) *discordgo.Message {
	t.Helper()
	var out *discordgo.Message
	storagetest.Eventually(t, "the NPS question to "+u.Username, func() bool {
		for _, m := range dc.Messages(dc.DMChannel(u)) {
			if strings.Contains(m.Content, "How likely are you to recommend") {
				out = m
				return true
			}
		}
		return false
	})
	return out
}

// TestNPSOnDiscord: the wave asks the members privately with 0-10 buttons;
// alice's 9 and her reason (a modal) count; bob, a VIP, gives 3 and the
// staff channel is alerted at once with Open a ticket, which opens his
// ticket; carol, who was not asked, is refused; /nps shows staff the
// hand-computed scores and refuses a member.
func TestNPSOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorld(t)
	for _, u := range []discordgo.User{aw.alice, aw.bob} {
		aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(aw.general, u, "hello"))
	}
	aw.waitCount(t, 3, `SELECT count(*) FROM identities WHERE platform = 'discord'`)
	ids := memberIDs(t, aw.world, aw.alice, aw.bob)
	storagetest.SetValues(t, aw.store.DB(), map[int64]float64{ids[0]: 100, ids[1]: 300})
	aw.setTier(t, aw.bob, community.TierVIP)
	botstest.RunJob(t, aw.svc, "nps.wave")
	aw.waitCount(t, 3, `SELECT count(*) FROM nps_asks`) // the owner, alice and bob
	aw.svc.Dispatcher.Wake()

	q := npsQuestion(t, aw.dc, aw.alice)
	press := aw.dc.ButtonPress(t, q, aw.alice, "survey:s:1:9")
	aw.dc.Dispatch(t, "INTERACTION_CREATE", press)
	if r := aw.dc.WaitInteractionReply(t, press.ID, 10*time.Second); r.Original == nil || !strings.Contains(r.Original.Content, "You gave us 9") {
		t.Fatalf("after 9: %+v", r)
	}
	why := aw.dc.ButtonPress(t, q, aw.alice, "survey:why:1")
	aw.dc.Dispatch(t, "INTERACTION_CREATE", why)
	if r := aw.dc.WaitInteractionReply(t, why.ID, 10*time.Second); r.Type != discordgo.InteractionResponseModal {
		t.Fatalf("Tell you why answered with type %d, want a modal", r.Type)
	}
	submit := aw.dc.ModalSubmit(t, why, map[string]string{"reason": "The oolong is superb"})
	aw.dc.Dispatch(t, "INTERACTION_CREATE", submit)
	if r := aw.dc.WaitInteractionReply(t, submit.ID, 10*time.Second); !strings.Contains(r.Data.Content, "Thank you for telling us") {
		t.Errorf("after the reason: %q", r.Data.Content)
	}

	bq := npsQuestion(t, aw.dc, aw.bob)
	bp := aw.dc.ButtonPress(t, bq, aw.bob, "survey:s:1:3")
	aw.dc.Dispatch(t, "INTERACTION_CREATE", bp)
	aw.dc.WaitInteractionReply(t, bp.ID, 10*time.Second)
	alert := waitChannelMessage(t, aw.dc, aw.staff, "NPS detractor")
	if !strings.Contains(alert.Content, "bob") || !strings.Contains(alert.Content, "VIP") || !strings.Contains(alert.Content, "CLV 300.00") {
		t.Errorf("alert %q", alert.Content)
	}
	var answer int64
	if err := aw.store.DB().Get(&answer, `SELECT id FROM nps_answers WHERE score = 3`); err != nil {
		t.Fatal(err)
	}
	open := aw.dc.ButtonPress(t, alert, aw.owner, fmt.Sprintf("nps:ticket:%d", answer))
	aw.dc.Dispatch(t, "INTERACTION_CREATE", open)
	aw.dc.WaitInteractionReply(t, open.ID, 10*time.Second)
	aw.waitCount(t, 1, `SELECT count(*) FROM tickets t JOIN nps_answers a ON a.ticket_id = t.id`)

	carol := aw.dc.SlashCommand("", aw.dc.DMChannel(aw.carol), aw.carol, "survey", discordtest.Arg("survey", 1))
	aw.dc.Dispatch(t, "INTERACTION_CREATE", carol)
	if r := aw.dc.WaitInteractionReply(t, carol.ID, 10*time.Second); !strings.Contains(r.Data.Content, "not sent to you") {
		t.Errorf("carol's /survey 1: %q", r.Data.Content)
	}

	report := aw.slash(t, aw.shop, aw.staff, aw.owner, "nps").Data.Content
	for _, part := range []string{"NPS: **0.0 (95% interval -100.0 to 100.0)**", "Weighted by CLV: -50.0 (95% interval -100.0 to 84.2)",
		"2 answers of 3 asked (66.7%)"} {
		if !strings.Contains(report, part) {
			t.Errorf("report lacks %q:\n%s", part, report)
		}
	}
	mine := aw.dc.SlashCommand("", aw.dc.DMChannel(aw.alice), aw.alice, "nps")
	aw.dc.Dispatch(t, "INTERACTION_CREATE", mine)
	if r := aw.dc.WaitInteractionReply(t, mine.ID, 10*time.Second); strings.Contains(r.Data.Content, "NPS of the last") {
		t.Errorf("a member saw the report: %q", r.Data.Content)
	}
}

// waitChannelMessage waits for a message in the channel containing part.
func waitChannelMessage(t *testing.T, dc *discordtest.Server, channelID, part string) *discordgo.Message {
	t.Helper()
	var out *discordgo.Message
	storagetest.Eventually(t, fmt.Sprintf("a message in %s containing %q", channelID, part), func() bool {
		i := slices.IndexFunc(dc.Messages(channelID), func(m *discordgo.Message) bool { return strings.Contains(m.Content, part) })
		if i >= 0 {
			out = dc.Messages(channelID)[i]
		}
		return i >= 0
	})
	return out
}

// startNPSWorld is the announce world asking everyone Hearth may write
// to (100%), with no quiet hours.
func startNPSWorld(t *testing.T) *announceWorld {
	t.Helper()
	return startNPSWorldWith(t, nil)
}

// startNPSWorldWith is startNPSWorld with the server changed by change
// (given the fake, for its bot) before the bot joins it.
func startNPSWorldWith(t *testing.T, change func(dc *discordtest.Server, shop *discordgo.Guild)) *announceWorld {
	t.Helper()
	aw := &announceWorld{owner: discordtest.NewUser("olga"), alice: discordtest.NewUser("alice"), bob: discordtest.NewUser("bob"),
		carol: discordtest.NewUser("carol"), general: discordtest.NewID(), staff: discordtest.NewID()}
	shop := &discordgo.Guild{ID: discordtest.NewID(), Name: "Tea Shop", OwnerID: aw.owner.ID,
		Members: []*discordgo.Member{{User: &aw.owner}, {User: &aw.alice}, {User: &aw.bob}, {User: &aw.carol}},
		Channels: []*discordgo.Channel{{ID: aw.general, Name: "general", Type: discordgo.ChannelTypeGuildText, Position: 0},
			{ID: aw.staff, Name: "staff", Type: discordgo.ChannelTypeGuildText, Position: 1}}}
	aw.shop = shop.ID
	aw.world = startScene(t, scene{owner: aw.owner.ID, prepare: func(dc *discordtest.Server) {
		if change != nil {
			change(dc, shop)
		}
		dc.AddGuild(shop)
	},
		service: func(o *bots.ServiceOptions) {
			o.Community = bots.DefaultCommunityOptions()
			o.Community.Location = time.UTC
			o.Community.Announce = bots.AnnounceOptions{WeeklyCap: 2}
			o.Community.NPS = bots.NPSOptions{Schedule: "0 11 * * TUE", AnswerWindow: 7 * 24 * time.Hour,
				Wave: feedback.WaveRules{SamplePercent: 100, MinInterval: 90 * 24 * time.Hour}}
		}})
	aw.waitGuild(t, shop.ID)
	aw.slash(t, shop.ID, aw.staff, aw.owner, "setstaff")
	return aw
}
