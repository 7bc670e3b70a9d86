package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
)

// menu picks a message menu command (right-click, Apps) on msg as u and
// returns Hearth's answer.
func (m *modDC) menu(u discordgo.User, label string, msg *discordgo.Message) string {
	m.t.Helper()
	i := m.dc.MessageCommand(m.guild, msg.ChannelID, u, label, msg)
	m.dc.Dispatch(m.t, "INTERACTION_CREATE", i)
	r := m.dc.WaitInteractionReply(m.t, i.ID, 10*time.Second)
	if r.Data == nil {
		return ""
	}
	return r.Data.Content
}

// post posts a message as u in channel, replying to parent when given,
// and waits until Hearth has handled it.
func (m *modDC) post(channel string, u discordgo.User, text string, parent *discordgo.Message) *discordgo.Message {
	m.t.Helper()
	msg := m.dc.MessageCreate(channel, u, text)
	if parent != nil {
		msg.Type, msg.ReferencedMessage = discordgo.MessageTypeReply, parent
		msg.MessageReference = &discordgo.MessageReference{MessageID: parent.ID, ChannelID: parent.ChannelID, GuildID: m.guild}
	}
	m.dc.Dispatch(m.t, "MESSAGE_CREATE", msg)
	m.waitCount(m.t, 1, `SELECT count(*) FROM inbound_updates WHERE platform = 'discord' AND update_key = $1 AND handled_at IS NOT NULL`, "message:"+msg.ID)
	return msg
}

func (m *modDC) activities(u discordgo.User, kind string) int {
	m.t.Helper()
	var n int
	if err := m.store.DB().Get(&n, `SELECT count(*) FROM activities a JOIN identities i ON i.member_id = a.member_id
		WHERE i.platform = 'discord' AND i.platform_user_id = $1 AND a.kind = $2`, u.ID, kind); err != nil {
		m.t.Fatal(err)
	}
	return n
}

// TestMessageMenusOnDiscord: "Mark as helpful" and "Report message" are
// message menu commands, registered with their translations; the asker
// marks a reply helpful from its menu (a bystander may not), and a
// member reports a message from its menu with its text.
func TestMessageMenusOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	menus := map[string]*discordgo.ApplicationCommand{}
	for _, c := range m.dc.Commands("") {
		if c.Type == discordgo.MessageApplicationCommand {
			menus[c.Name] = c
		}
	}
	for _, label := range []string{"Mark as helpful", "Report message"} {
		c := menus[label]
		if c == nil {
			t.Fatalf("no message command %q among %v", label, menus)
		}
		if c.NameLocalizations == nil || (*c.NameLocalizations)[discordgo.Russian] == "" {
			t.Errorf("%q has no Russian name", label)
		}
	}

	question := m.post(m.general, m.alice, "Which teapot for pu-erh?", nil)
	answer := m.post(m.general, m.bob, "A small clay one.", question)
	if got := m.menu(m.dave, "Mark as helpful", answer); !strings.Contains(got, "Only the member who asked") {
		t.Fatalf("a bystander marking it helpful: %q", got)
	}
	if got := m.menu(m.alice, "Mark as helpful", answer); !strings.Contains(got, "alice marked bob's answer as helpful") {
		t.Fatalf("the asker marking it helpful: %q", got)
	}
	if n := m.activities(m.bob, "helpful_answer"); n != 1 {
		t.Fatalf("bob's helpful answers: %d, want 1", n)
	}

	if got := m.menu(m.vera, "Report message", answer); !strings.Contains(got, "The staff have been told") {
		t.Fatalf("reporting from the menu: %q", got)
	}
	m.posted(m.staff, "**Report #", "Author: bob", "Reported by: vera", "A small clay one.")
}

// TestThreadsOnDiscord: a member starting a thread is engagement, and a
// message in the thread answers its starter, who may mark it helpful.
// System messages ("alice joined", pins) count for nothing.
func TestThreadsOnDiscord(t *testing.T) {
	t.Parallel()
	m := startModDC(t, nil)
	thread := &discordgo.Channel{ID: discordtest.NewID(), GuildID: m.guild, ParentID: m.general, OwnerID: m.alice.ID,
		Name: "Brewing oolong", Type: discordgo.ChannelTypeGuildPublicThread, ThreadMetadata: &discordgo.ThreadMetadata{}}
	m.dc.Dispatch(t, "THREAD_CREATE", map[string]any{"id": thread.ID, "guild_id": thread.GuildID, "parent_id": thread.ParentID,
		"owner_id": thread.OwnerID, "name": thread.Name, "type": thread.Type, "thread_metadata": thread.ThreadMetadata, "newly_created": true})
	m.waitCount(t, 1, `SELECT count(*) FROM inbound_updates WHERE platform = 'discord' AND update_key = $1 AND handled_at IS NOT NULL`, "thread:"+thread.ID)
	if n := m.activities(m.alice, "thread_started"); n != 1 {
		t.Fatalf("threads alice started: %d, want 1", n)
	}
	var name string
	if err := m.store.DB().Get(&name, `SELECT display_name FROM identities WHERE platform = 'discord' AND platform_user_id = $1`, m.alice.ID); err != nil || name != "alice" {
		t.Fatalf("alice's name after a thread that named her by id only: %q, %v", name, err)
	}

	answer := m.post(thread.ID, m.bob, "Rinse the leaves first.", nil)
	if got := m.menu(m.alice, "Mark as helpful", answer); !strings.Contains(got, "alice marked bob's answer as helpful") {
		t.Fatalf("the thread's starter marking an answer in it helpful: %q", got)
	}

	joined := m.dc.MessageCreate(m.general, m.vera, "")
	joined.Type = discordgo.MessageTypeGuildMemberJoin
	m.dc.Dispatch(t, "MESSAGE_CREATE", joined)
	m.waitCount(t, 1, `SELECT count(*) FROM inbound_updates WHERE platform = 'discord' AND update_key = $1 AND handled_at IS NOT NULL`, "message:"+joined.ID)
	if n := m.activities(m.vera, "message"); n != 0 {
		t.Fatalf("vera's join notice counted as %d messages", n)
	}
}
