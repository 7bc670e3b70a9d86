package discord_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/community"
)

// replyIn dispatches u's message in channel replying to Hearth's message m.
func replyIn(t *testing.T, aw *announceWorld, channel string, u discordgo.User, m *discordgo.Message, text string) {
	t.Helper()
	msg := aw.dc.MessageCreate(channel, u, text)
	msg.MessageReference = &discordgo.MessageReference{MessageID: m.ID, ChannelID: channel, GuildID: aw.shop}
	msg.ReferencedMessage = m
	aw.dc.Dispatch(t, "MESSAGE_CREATE", msg)
}

// TestTicketRelayOnDiscord: alice, a VIP, asks in her DM; the ticket's
// card reaches #staff; olga answers by replying to it and alice gets it
// in her DM; a reply starting with "!" stays a note; alice's answer comes
// back to #staff, and olga's reply to it reaches her again; bob, not
// staff, replying in #staff is refused and audited.
func TestTicketRelayOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorld(t)
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
	var rows []string
	if err := aw.store.DB().Select(&rows, `SELECT direction || ':' || text FROM ticket_messages ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []string{"out:Sorry alice! A new one ships today.", "note:courier lost the first one", "in:thank you, which courier?", "out:ACS, tracking by e-mail."}
	if !slices.Equal(rows, want) {
		t.Errorf("ticket messages %q, want %q", rows, want)
	}
}
