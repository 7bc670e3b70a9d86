package discord_test

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// replyIn dispatches u's message in channel replying to Hearth's message m.
func replyIn(t *testing.T, aw *announceWorld, channel string, u discordgo.User, m *discordgo.Message, text string) {
	t.Helper()
	msg := aw.dc.MessageCreate(channel, u, text)
	msg.MessageReference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: channel, GuildID: aw.shop}
	msg.ReferencedMessage = m
	aw.dc.Dispatch(t, "MESSAGE_CREATE", msg)
}

// TestTicketRelayOnDiscord: where #staff takes no private threads (an
// announcement channel), alice's ticket (she is a VIP, asking in her DM) has its card in
// #staff itself; olga answers by replying to it and alice gets it in her
// DM; a reply starting with "!" stays a note; alice's answer comes back
// to #staff, and olga's reply to it reaches her again; bob, not staff,
// replying in #staff is refused and audited.
func TestTicketRelayOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorldWith(t, func(_ *discordtest.Server, shop *discordgo.Guild) {
		shop.Channels[1].Type = discordgo.ChannelTypeGuildNews // an announcement channel has no private threads
	})
	dm := aw.dc.DMChannel(aw.alice)
	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(aw.general, aw.alice, "hello"))
	aw.waitCount(t, 2, `SELECT count(*) FROM identities WHERE platform = 'discord'`)
	aw.setTier(t, aw.alice, community.TierVIP)
	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(dm, aw.alice, "my grinder arrived broken"))
	waitChannelMessage(t, aw.dc, dm, "within about 1 hour")
	card := waitChannelMessage(t, aw.dc, aw.staff, "Question #1 from alice")
	if !strings.Contains(card.Content, "high") {
		t.Errorf("card %q", card.Content)
	}

	replyIn(t, aw, aw.staff, aw.owner, card, "Sorry alice! A new one ships today.")
	if got := waitChannelMessage(t, aw.dc, dm, "A new one ships today."); !strings.Contains(got.Content, "olga") {
		t.Errorf("relayed %q, want it signed by olga", got.Content)
	}
	replyIn(t, aw, aw.staff, aw.owner, card, "!courier lost the first one")
	aw.waitCount(t, 1, `SELECT count(*) FROM ticket_messages WHERE direction = 'note'`)

	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(dm, aw.alice, "thank you, which courier?"))
	back := waitChannelMessage(t, aw.dc, aw.staff, "thank you, which courier?")
	replyIn(t, aw, aw.staff, aw.owner, back, "ACS, tracking by e-mail.")
	waitChannelMessage(t, aw.dc, dm, "ACS, tracking by e-mail.")
	replyIn(t, aw, aw.staff, aw.bob, back, "I am not staff")
	aw.waitCount(t, 1, `SELECT count(*) FROM audit_log WHERE action = 'relay.refused'`)

	for _, m := range aw.dc.Messages(dm) {
		if strings.Contains(m.Content, "courier lost") {
			t.Errorf("a note reached alice: %q", m.Content)
		}
	}
	botstest.WantTicketMessages(t, aw.store.DB(), "out:Sorry alice! A new one ships today.", "note:courier lost the first one", "in:thank you, which courier?", "out:ACS, tracking by e-mail.")
}

// TestTicketThreadsOnDiscord: a ticket opens a private thread in #staff,
// with the owner in it, named with its number, member and urgency; the
// card and alice's later messages go there; what staff write in it
// reaches alice's DM, "!" notes excepted; closing the ticket archives and
// locks the thread, and /reopen opens it again.
func TestTicketThreadsOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorld(t)
	dm := aw.dc.DMChannel(aw.alice)
	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(aw.general, aw.alice, "hello"))
	aw.waitCount(t, 2, `SELECT count(*) FROM identities WHERE platform = 'discord'`)
	aw.setTier(t, aw.alice, community.TierVIP)
	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(dm, aw.alice, "my grinder arrived broken"))
	waitChannelMessage(t, aw.dc, dm, "within about 1 hour")
	aw.waitCount(t, 1, `SELECT count(*) FROM ticket_threads`)
	var thread string
	if err := aw.store.DB().Get(&thread, `SELECT thread_id FROM ticket_threads`); err != nil {
		t.Fatal(err)
	}
	waitChannelMessage(t, aw.dc, thread, "Question #1 from alice")
	th, ok := aw.dc.Thread(thread)
	if !ok || th.Name != "#1 alice · VIP" || th.ParentID != aw.staff || th.Type != discordgo.ChannelTypeGuildPrivateThread {
		t.Fatalf("thread %+v", th)
	}
	if !slices.Contains(aw.dc.ThreadMembers(thread), aw.owner.ID) {
		t.Errorf("the owner is not in the thread: %v", aw.dc.ThreadMembers(thread))
	}

	aw.dc.PostInThread(t, thread, aw.owner, "Sorry alice! A new one ships today.")
	waitChannelMessage(t, aw.dc, dm, "A new one ships today.")
	aw.dc.PostInThread(t, thread, aw.owner, "!courier lost the first one")
	aw.waitCount(t, 1, `SELECT count(*) FROM ticket_messages WHERE direction = 'note'`)
	// A file staff attach in the thread reaches alice with its words; the
	// one she sends back reaches the thread.
	manual := aw.dc.MessageCreate(thread, aw.owner, "the manual")
	aw.dc.Attach(manual, discordtest.Attachment{Name: "manual.pdf", ContentType: "application/pdf", Size: 9,
		Open: func() io.Reader { return strings.NewReader("%PDF-1.4\n") }})
	aw.dc.Dispatch(t, "MESSAGE_CREATE", manual)
	if got := waitChannelMessage(t, aw.dc, dm, "the manual"); len(got.Attachments) != 1 || got.Attachments[0].Filename != "manual.pdf" {
		t.Errorf("the manual reached alice as %+v", got.Attachments)
	}
	photo := pngBytes(t)
	thanks := aw.dc.MessageCreate(dm, aw.alice, "thank you!")
	aw.dc.Attach(thanks, discordtest.Attachment{Name: "grinder.png", ContentType: "image/png", Size: int64(len(photo)),
		Open: func() io.Reader { return bytes.NewReader(photo) }})
	aw.dc.Dispatch(t, "MESSAGE_CREATE", thanks)
	if got := waitChannelMessage(t, aw.dc, thread, "thank you!"); len(got.Attachments) != 1 || got.Attachments[0].Filename != "grinder.png" {
		t.Errorf("alice's photo reached the thread as %+v", got.Attachments)
	}

	aw.dc.Dispatch(t, "INTERACTION_CREATE", aw.dc.SlashCommand(aw.shop, aw.staff, aw.owner, "close",
		stringOption("ticket", "1")))
	storagetest.Eventually(t, "the thread archived and locked", func() bool {
		th, _ := aw.dc.Thread(thread)
		return th.ThreadMetadata != nil && th.ThreadMetadata.Archived && th.ThreadMetadata.Locked
	})
	aw.dc.Dispatch(t, "INTERACTION_CREATE", aw.dc.SlashCommand(aw.shop, aw.staff, aw.owner, "reopen",
		stringOption("ticket", "1")))
	storagetest.Eventually(t, "the thread open again", func() bool {
		th, _ := aw.dc.Thread(thread)
		return th.ThreadMetadata != nil && !th.ThreadMetadata.Archived && !th.ThreadMetadata.Locked
	})
	for _, m := range aw.dc.Messages(dm) {
		if strings.Contains(m.Content, "courier lost") {
			t.Errorf("a note reached alice: %q", m.Content)
		}
	}
	botstest.WantTicketMessages(t, aw.store.DB(), "out:Sorry alice! A new one ships today.", "note:courier lost the first one", "out:the manual", "in:thank you!")
}

// TestKnowledgeBaseOnDiscord: alice's DM question, phrased unlike the
// entry, is answered at once by the knowledge base with That solved it
// and Talk to a person; Talk to a person opens a ticket whose card
// reaches the staff channel's thread.
func TestKnowledgeBaseOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorld(t)
	botstest.SaveEntry(t, aw.store, botstest.DeliveryEntry)
	dm := aw.dc.DMChannel(aw.alice)
	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(dm, aw.alice, "when will my parcel arrive? how long is shipping"))
	answer := waitChannelMessage(t, aw.dc, dm, "delivery takes 1-3 days")
	var ids []string
	for _, row := range answer.Components {
		if r, ok := row.(*discordgo.ActionsRow); ok {
			for _, c := range r.Components {
				if b, ok := c.(*discordgo.Button); ok {
					ids = append(ids, b.CustomID)
				}
			}
		}
	}
	if len(ids) != 2 || !strings.HasPrefix(ids[0], "ask:ok:") || !strings.HasPrefix(ids[1], "ask:person:") {
		t.Fatalf("buttons %v", ids)
	}
	press := aw.dc.ButtonPress(t, answer, aw.alice, ids[1])
	aw.dc.Dispatch(t, "INTERACTION_CREATE", press)
	if r := aw.dc.WaitInteractionReply(t, press.ID, 10*time.Second); r.Original == nil || !strings.Contains(r.Original.Content, "ticket #1") {
		t.Fatalf("after Talk to a person: %+v", r)
	}
	aw.waitCount(t, 1, `SELECT count(*) FROM ticket_threads`)
	var thread string
	if err := aw.store.DB().Get(&thread, `SELECT thread_id FROM ticket_threads`); err != nil {
		t.Fatal(err)
	}
	waitChannelMessage(t, aw.dc, thread, "when will my parcel arrive?")
}
