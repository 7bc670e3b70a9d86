package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestStrangersServerGrantsNothing: a stranger invites Hearth to a server
// of their own, where they are the owner. Hearth tells that server once
// that an owner must connect it and does nothing else: it records no
// member and no activity, and the stranger's staff commands are refused
// there and in the community's server (audited). An administrator of the
// community's own server (from discord.guild_ids) is staff as before.
func TestStrangersServerGrantsNothing(t *testing.T) {
	t.Parallel()
	owner, mod, stranger := discordtest.NewUser("olga"), discordtest.NewUser("mo"), discordtest.NewUser("mallory")
	mods := &discordgo.Role{ID: discordtest.NewID(), Name: "Moderators", Permissions: discordgo.PermissionModerateMembers}
	ours, ourChannel := textGuild("Tea Lovers", owner.ID, mods)
	theirs, theirChannel := textGuild("Mallory's Deals", stranger.ID)
	w := startScene(t, scene{
		owner: owner.ID, strangers: true,
		prepare: func(dc *discordtest.Server) {
			dc.AddGuild(ours)
			dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(ours.ID, mod, mods.ID))
			dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(ours.ID, stranger))
		},
		adapter:  func(o *discord.Options) { o.GuildIDs = []string{ours.ID} },
		commands: []bots.Command{pingCommand},
	})
	w.waitGuild(t, ours.ID)
	w.dc.AddGuild(theirs)
	w.waitGuild(t, theirs.ID)
	notices := w.dc.WaitRequests(t, "POST", "/channels/"+theirChannel+"/messages", 1, 10*time.Second)
	var notice discordgo.MessageSend
	if err := notices[0].JSON(&notice); err != nil || !strings.Contains(notice.Content, "/connect") {
		t.Fatalf("notice in the stranger's server = %q, %v; want that an owner must /connect it", notice.Content, err)
	}

	w.dc.Dispatch(t, "MESSAGE_CREATE", w.dc.MessageCreate(theirChannel, stranger, "buy my stuff"))
	for _, name := range []string{"ping", "announce"} {
		r := w.slash(t, theirs.ID, theirChannel, stranger, name)
		if !strings.Contains(r.Data.Content, "/connect") || r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("/%s in the stranger's server = %q; want, privately, that the server is not connected", name, r.Data.Content)
		}
	}
	if r := w.slash(t, ours.ID, ourChannel, stranger, "ping"); !strings.Contains(r.Data.Content, refused) {
		t.Errorf("the stranger's /ping in the community's server = %q; want a refusal", r.Data.Content)
	}
	if r := w.slash(t, ours.ID, ourChannel, mod, "ping"); r.Data.Content != "pong" {
		t.Errorf("the community's moderator got %q, want pong", r.Data.Content)
	}
	w.waitCount(t, 0, `SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL`)
	w.waitCount(t, 0, `SELECT count(*) FROM activities a JOIN chats c ON c.id = a.chat_id WHERE c.platform_chat_id = $1`, theirChannel)
	w.waitCount(t, 1, `SELECT count(*) FROM audit_log WHERE action = 'command.refused'`)
	w.waitCount(t, 2, `SELECT count(*) FROM audit_log WHERE action = 'command.outside'`)
	if n := len(w.dc.Requests("POST", "/channels/"+theirChannel+"/messages")); n != 1 {
		t.Errorf("%d messages posted in the stranger's server, want the one notice", n)
	}
}

// TestUnknownServerIsLeft: with discord.leave_unknown_guilds, Hearth leaves
// a server it is invited to that is not the community's, and says nothing
// there; the community's server stays.
func TestUnknownServerIsLeft(t *testing.T) {
	t.Parallel()
	owner, stranger := discordtest.NewUser("olga"), discordtest.NewUser("mallory")
	ours, _ := textGuild("Tea Lovers", owner.ID)
	theirs, theirChannel := textGuild("Mallory's Deals", stranger.ID)
	w := startScene(t, scene{
		owner: owner.ID, strangers: true,
		prepare: func(dc *discordtest.Server) { dc.AddGuild(ours) },
		adapter: func(o *discord.Options) { o.GuildIDs, o.LeaveUnknownGuilds = []string{ours.ID}, true },
	})
	w.waitGuild(t, ours.ID)
	w.dc.AddGuild(theirs)
	w.dc.WaitRequests(t, "DELETE", "/users/@me/guilds/"+theirs.ID, 1, 10*time.Second)
	w.waitCount(t, 1, `SELECT count(*) FROM audit_log WHERE action = 'group.left' AND details->>'group' = $1`, theirs.ID)
	if _, ok := w.dc.Guild(ours.ID); !ok {
		t.Error("Hearth left the community's own server")
	}
	storagetest.WaitSettled(t, w.store.DB())
	if n := len(w.dc.Requests("POST", "/channels/"+theirChannel+"/messages")); n != 0 {
		t.Errorf("%d messages posted in the server Hearth left", n)
	}
}
