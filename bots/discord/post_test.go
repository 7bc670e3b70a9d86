package discord_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// exportFile is a member's data export, as /mydata sends it.
var exportFile = &bots.File{Name: "hearth-data.json", Data: []byte(`{"member":{"name":"alice"},"ideas":[]}`)}

// postToServer queues msg for a whole server, as welcome messages and
// announcements are sent, and waits until the dispatcher has sent it.
func postToServer(t *testing.T, w *world, guildID string, msg bots.Reply) {
	t.Helper()
	err := w.store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Discord, ChatID: guildID}, Message: msg}})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Dispatcher.Wake()
	w.waitCount(t, 1, `SELECT count(*) FROM deliveries WHERE status = 'sent'`)
}

// TestPostToAServer: a message for a server lands in its system channel;
// without one, in the first text channel (by position) Hearth may post
// in, passing over a voice channel, a category and a channel where
// @everyone may not write.
func TestPostToAServer(t *testing.T) {
	t.Parallel()
	owner := discordtest.NewUser("olga")
	hearth := &discordgo.Role{ID: discordtest.NewID(), Name: "Hearth", Position: 1,
		Permissions: discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionAttachFiles}
	channels := func() (all []*discordgo.Channel, rules, general, welcome *discordgo.Channel) {
		rules = &discordgo.Channel{ID: discordtest.NewID(), Name: "rules", Type: discordgo.ChannelTypeGuildText, Position: 1}
		general = &discordgo.Channel{ID: discordtest.NewID(), Name: "general", Type: discordgo.ChannelTypeGuildText, Position: 3}
		welcome = &discordgo.Channel{ID: discordtest.NewID(), Name: "welcome", Type: discordgo.ChannelTypeGuildText, Position: 5}
		all = []*discordgo.Channel{welcome, general,
			{ID: discordtest.NewID(), Name: "Lounge", Type: discordgo.ChannelTypeGuildVoice, Position: 0},
			{ID: discordtest.NewID(), Name: "Talk", Type: discordgo.ChannelTypeGuildCategory, Position: 2}, rules}
		return all, rules, general, welcome
	}
	for _, tc := range []struct {
		name   string
		system bool
	}{{"system channel", true}, {"first text channel Hearth may post in", false}} {
		t.Run(tc.name, func(t *testing.T) {
			all, rules, general, welcome := channels()
			g := &discordgo.Guild{ID: discordtest.NewID(), Name: "Tea Lovers", OwnerID: owner.ID, Channels: all,
				Roles: []*discordgo.Role{hearth}}
			rules.PermissionOverwrites = []*discordgo.PermissionOverwrite{{ID: g.ID, Type: discordgo.PermissionOverwriteTypeRole,
				Deny: discordgo.PermissionSendMessages}}
			want := general
			if tc.system {
				g.SystemChannelID, want = welcome.ID, welcome
			}
			w := startScene(t, scene{owner: owner.ID, prepare: func(dc *discordtest.Server) {
				bot := dc.BotUser()
				g.Members = []*discordgo.Member{{User: &owner}, {User: &bot, Roles: []string{hearth.ID}}}
				dc.AddGuild(g)
			}})
			w.waitGuild(t, g.ID)
			postToServer(t, w, g.ID, bots.Reply{Text: "Welcome, *everyone*!"})
			msgs := w.dc.Messages(want.ID)
			if len(msgs) != 1 || msgs[0].Content != "Welcome, **everyone**!" {
				t.Fatalf("#%s holds %d messages, want the welcome", want.Name, len(msgs))
			}
			if n := len(w.dc.Requests("POST", "/channels/")); n != 1 {
				t.Errorf("%d messages posted, want 1", n)
			}
		})
	}
}

// TestFileToAServer: a reply with a file, sent from the outbox, arrives
// as an attachment of the message, byte for byte, with its name and
// type.
func TestFileToAServer(t *testing.T) {
	t.Parallel()
	owner := discordtest.NewUser("olga")
	g, channel := textGuild("Tea Lovers", owner.ID)
	w := startScene(t, scene{owner: owner.ID, prepare: func(dc *discordtest.Server) { dc.AddGuild(g) }})
	w.waitGuild(t, g.ID)
	postToServer(t, w, g.ID, bots.Reply{Text: "This week's export", File: exportFile})
	msgs := w.dc.Messages(channel)
	if len(msgs) != 1 || msgs[0].Content != "This week's export" {
		t.Fatalf("the channel holds %d messages, want the export", len(msgs))
	}
	checkExport(t, msgs[0], w.dc.Requests("POST", "/channels/"+channel+"/messages")[0])
}

// TestFileAnswersACommandOnlyForTheMember: a command answered with a
// file and only for the member (as /mydata is) uploads the file with the
// interaction's answer, which stays ephemeral.
func TestFileAnswersACommandOnlyForTheMember(t *testing.T) {
	t.Parallel()
	w, guild, channel, alice := imageWorld(t, bots.Reply{Text: "Your data", File: exportFile, Ephemeral: true})
	r := w.slash(t, guild, channel, alice, "chart")
	if r.Original == nil || r.Original.Content != "Your data" || !r.Ephemeral() {
		t.Fatalf("answer = %+v, ephemeral %t; want the data, only for alice", r.Original, r.Ephemeral())
	}
	checkExport(t, r.Original, w.dc.WaitRequests(t, "POST", "/interactions/"+r.Interaction.ID, 1, 10*time.Second)[0])
	storagetest.WaitSettled(t, w.store.DB())
	if n := len(w.dc.Requests("POST", "/channels/")); n != 0 {
		t.Errorf("%d messages posted in channels; the export is for alice only", n)
	}
}

// checkExport checks that a message carries exportFile, sent by call.
func checkExport(t *testing.T, m *discordgo.Message, call discordtest.Request) {
	t.Helper()
	if a := m.Attachments; len(a) != 1 || a[0].Filename != exportFile.Name || a[0].ContentType != "application/json" || a[0].Size != len(exportFile.Data) {
		t.Errorf("attachments = %+v; want the export as application/json", a)
	}
	files, err := call.Files()
	if err != nil || len(files) != 1 || !bytes.Equal(files[0].Data, exportFile.Data) {
		t.Errorf("uploaded %+v, %v; want the export's bytes", files, err)
	}
}
