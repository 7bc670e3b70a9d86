package discord_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// connect runs the adapter's own gateway session against the fake, with
// no router: enough for platform actions. It waits until the state has
// the guilds.
func connect(t *testing.T, dc *discordtest.Server, o discord.Options, guildIDs ...string) *discord.Adapter {
	t.Helper()
	o.Token, o.HTTPClient = token, dc.HTTPClient()
	a, err := discord.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Session().Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Session().Close() })
	for _, id := range guildIDs {
		storagetest.Eventually(t, "guild "+id+" in the state", func() bool {
			st := a.Session().State
			g, err := st.Guild(id)
			if err != nil {
				return false
			}
			st.RLock()
			defer st.RUnlock()
			return !g.Unavailable
		})
	}
	return a
}

// moderationPermissions are what Hearth's role allows in modScene.
const moderationPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionModerateMembers | discordgo.PermissionBanMembers |
	discordgo.PermissionKickMembers | discordgo.PermissionManageMessages | discordgo.PermissionManageRoles

// modScene is a server where Hearth moderates with a role of its own,
// ranked between the administrators' role (carol) and the moderators'
// (bob); alice is a plain member and olga the owner.
type modScene struct {
	dc                       *discordtest.Server
	a                        *discord.Adapter
	guild, channel, hearth   string
	owner, alice, bob, carol discordgo.User
	ctx                      context.Context
}

func moderationScene(t *testing.T) *modScene {
	t.Helper()
	dc := discordtest.New(t, token)
	s := &modScene{dc: dc, owner: discordtest.NewUser("olga"), alice: discordtest.NewUser("alice"),
		bob: discordtest.NewUser("bob"), carol: discordtest.NewUser("carol"), ctx: context.Background()}
	admins := &discordgo.Role{ID: discordtest.NewID(), Name: "Admins", Position: 1, Permissions: discordgo.PermissionAdministrator}
	hearth := &discordgo.Role{ID: discordtest.NewID(), Name: "Hearth", Position: 2, Permissions: moderationPermissions}
	mods := &discordgo.Role{ID: discordtest.NewID(), Name: "Moderators", Position: 3, Permissions: discordgo.PermissionModerateMembers}
	g, channel := textGuild("Tea Lovers", s.owner.ID, admins, hearth, mods)
	bot := dc.BotUser()
	g.Members = []*discordgo.Member{{User: &bot, Roles: []string{hearth.ID}}, {User: &s.owner}, {User: &s.alice},
		{User: &s.bob, Roles: []string{mods.ID}}, {User: &s.carol, Roles: []string{admins.ID}}}
	dc.AddGuild(g)
	s.guild, s.channel, s.hearth = g.ID, channel, hearth.ID
	s.a = connect(t, dc, discord.Options{}, g.ID)
	return s
}

func (s *modScene) member(t *testing.T, u discordgo.User) *discordgo.Member {
	t.Helper()
	m, ok := s.dc.Member(s.guild, u.ID)
	if !ok {
		t.Fatalf("%s is not a member", u.Username)
	}
	return m
}

// TestMuteTimesOutAtMost28Days: a mute is a Discord timeout until the
// time given; none or one beyond Discord's 28 days is capped at 28 days,
// which Discord accepts; unmute ends it; a user not in the server is no
// error.
func TestMuteTimesOutAtMost28Days(t *testing.T) {
	t.Parallel()
	s := moderationScene(t)
	hour := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := s.a.Mute(s.ctx, s.guild, s.alice.ID, hour); err != nil {
		t.Fatalf("mute for an hour: %v", err)
	}
	if got := s.member(t, s.alice).CommunicationDisabledUntil; got == nil || !got.Equal(hour) {
		t.Errorf("timed out until %v, want %v", got, hour)
	}
	for name, until := range map[string]time.Time{"no end": {}, "60 days": time.Now().Add(60 * 24 * time.Hour)} {
		before := time.Now()
		if err := s.a.Mute(s.ctx, s.guild, s.alice.ID, until); err != nil {
			t.Fatalf("mute with %s: %v", name, err)
		}
		got := s.member(t, s.alice).CommunicationDisabledUntil
		if longest := 28 * 24 * time.Hour; got == nil || got.Before(before.Add(longest-2*time.Minute)) || got.After(time.Now().Add(longest)) {
			t.Errorf("mute with %s: timed out until %v, want 28 days from now", name, got)
		}
	}
	if err := s.a.Unmute(s.ctx, s.guild, s.alice.ID); err != nil {
		t.Fatalf("unmute: %v", err)
	}
	if got := s.member(t, s.alice).CommunicationDisabledUntil; got != nil {
		t.Errorf("still timed out until %v after unmute", got)
	}
	stranger := discordtest.NewUser("stranger")
	if err := s.a.Mute(s.ctx, s.guild, stranger.ID, hour); err != nil {
		t.Errorf("mute of a user not in the server: %v", err)
	}
}

// TestBanAndUnban: a ban removes the member and keeps them out, deleting
// none of their messages; unban lifts it, and lifting a ban that is not
// there is no error. A user who never joined can be banned too.
func TestBanAndUnban(t *testing.T) {
	t.Parallel()
	s := moderationScene(t)
	if err := s.a.Ban(s.ctx, s.guild, s.alice.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("ban: %v", err)
	}
	if _, member := s.dc.Member(s.guild, s.alice.ID); member || !s.dc.Banned(s.guild, s.alice.ID) {
		t.Fatalf("after the ban alice is a member: %t, banned: %t", member, s.dc.Banned(s.guild, s.alice.ID))
	}
	bans := s.dc.Requests("PUT", "/guilds/"+s.guild+"/bans/"+s.alice.ID)
	if len(bans) != 1 || bans[0].Query.Has("delete_message_days") || bans[0].Query.Has("delete_message_seconds") {
		t.Errorf("ban requests %v; want one that deletes no messages", bans)
	}
	for range 2 {
		if err := s.a.Unban(s.ctx, s.guild, s.alice.ID); err != nil {
			t.Fatalf("unban: %v", err)
		}
	}
	if s.dc.Banned(s.guild, s.alice.ID) {
		t.Error("alice is still banned")
	}
	stranger := discordtest.NewUser("stranger")
	if err := s.a.Ban(s.ctx, s.guild, stranger.ID, time.Time{}); err != nil || !s.dc.Banned(s.guild, stranger.ID) {
		t.Errorf("ban of a user not in the server: %v, banned %t", err, s.dc.Banned(s.guild, stranger.ID))
	}
}

// TestKick: a kick removes the member; kicking someone who is not there
// is no error.
func TestKick(t *testing.T) {
	t.Parallel()
	s := moderationScene(t)
	for range 2 {
		if err := s.a.Kick(s.ctx, s.guild, s.alice.ID); err != nil {
			t.Fatalf("kick: %v", err)
		}
	}
	if _, member := s.dc.Member(s.guild, s.alice.ID); member || s.dc.Banned(s.guild, s.alice.ID) {
		t.Errorf("after the kick alice is a member: %t, banned: %t; want gone, not banned", member, s.dc.Banned(s.guild, s.alice.ID))
	}
}

// TestModerationWithoutThePermission: each action Hearth's role is not
// allowed fails with bots.ErrNoRights, saying what and where.
func TestModerationWithoutThePermission(t *testing.T) {
	t.Parallel()
	s := moderationScene(t)
	s.dc.Dispatch(t, "MESSAGE_CREATE", s.dc.MessageCreate(s.channel, s.alice, "spam"))
	msgs := s.dc.Messages(s.channel)
	for _, tc := range []struct {
		name string
		perm int64
		act  func() error
	}{
		{"mute", discordgo.PermissionModerateMembers, func() error { return s.a.Mute(s.ctx, s.guild, s.alice.ID, time.Time{}) }},
		{"unmute", discordgo.PermissionModerateMembers, func() error { return s.a.Unmute(s.ctx, s.guild, s.alice.ID) }},
		{"ban", discordgo.PermissionBanMembers, func() error { return s.a.Ban(s.ctx, s.guild, s.alice.ID, time.Time{}) }},
		{"unban", discordgo.PermissionBanMembers, func() error { return s.a.Unban(s.ctx, s.guild, s.alice.ID) }},
		{"kick", discordgo.PermissionKickMembers, func() error { return s.a.Kick(s.ctx, s.guild, s.alice.ID) }},
		{"delete", discordgo.PermissionManageMessages, func() error {
			return s.a.DeleteMessages(s.ctx, s.channel, []string{msgs[0].ID})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.dc.SetRolePermissions(t, s.guild, s.hearth, moderationPermissions&^tc.perm)
			err := tc.act()
			if !errors.Is(err, bots.ErrNoRights) || errors.Is(err, bots.ErrProtected) {
				t.Fatalf("%s without the permission: %v; want bots.ErrNoRights", tc.name, err)
			}
			if where := "Tea Lovers"; tc.name == "delete" {
				where = "#general"
				if !strings.Contains(err.Error(), where) {
					t.Errorf("the error does not say where: %v", err)
				}
			} else if !strings.Contains(err.Error(), where) || !strings.Contains(err.Error(), s.alice.ID) {
				t.Errorf("the error does not say who and where: %v", err)
			}
		})
	}
	if _, member := s.dc.Member(s.guild, s.alice.ID); !member || len(s.dc.Messages(s.channel)) != 1 {
		t.Errorf("something was done without the permission")
	}
}

// TestModerationOfProtectedMembers: the owner is protected (Hearth does
// not even ask Discord), so is a member ranked above Hearth, and an
// administrator cannot be timed out; the errors wrap bots.ErrProtected.
func TestModerationOfProtectedMembers(t *testing.T) {
	t.Parallel()
	s := moderationScene(t)
	actions := map[string]func(userID string) error{
		"mute":   func(id string) error { return s.a.Mute(s.ctx, s.guild, id, time.Time{}) },
		"unmute": func(id string) error { return s.a.Unmute(s.ctx, s.guild, id) },
		"ban":    func(id string) error { return s.a.Ban(s.ctx, s.guild, id, time.Time{}) },
		"kick":   func(id string) error { return s.a.Kick(s.ctx, s.guild, id) },
	}
	for name, act := range actions {
		if err := act(s.owner.ID); !errors.Is(err, bots.ErrProtected) || !strings.Contains(err.Error(), "owner") {
			t.Errorf("%s the owner: %v; want bots.ErrProtected", name, err)
		}
	}
	for _, r := range s.dc.Requests("", "/guilds/"+s.guild) {
		if strings.Contains(r.Path, s.owner.ID) {
			t.Errorf("asked Discord to act on the owner: %s", r)
		}
	}
	for _, name := range []string{"mute", "ban", "kick"} {
		if err := actions[name](s.bob.ID); !errors.Is(err, bots.ErrProtected) || errors.Is(err, bots.ErrNoRights) {
			t.Errorf("%s a moderator ranked above Hearth: %v; want bots.ErrProtected", name, err)
		}
	}
	if err := actions["mute"](s.carol.ID); !errors.Is(err, bots.ErrProtected) {
		t.Errorf("mute an administrator: %v; want bots.ErrProtected", err)
	}
	if err := actions["kick"](s.carol.ID); err != nil {
		t.Errorf("kick an administrator ranked below Hearth: %v", err)
	}
	if _, member := s.dc.Member(s.guild, s.bob.ID); !member || s.dc.Banned(s.guild, s.bob.ID) {
		t.Errorf("the moderator was removed")
	}
}

// TestDeleteMessages: messages younger than 14 days go in one bulk
// delete; an old one, which bulk delete refuses, and one deleted already
// go one by one; a lone message is deleted alone.
func TestDeleteMessages(t *testing.T) {
	t.Parallel()
	s := moderationScene(t)
	post := func(text string, at time.Time) string {
		m := s.dc.MessageCreate(s.channel, s.alice, text)
		m.ID, m.Timestamp = discordtest.IDAt(at), at
		s.dc.Dispatch(t, "MESSAGE_CREATE", m)
		return m.ID
	}
	now := time.Now()
	recent1, recent2, kept := post("buy now", now.Add(-time.Hour)), post("cheap", now), post("hello", now)
	old := post("old spam", now.Add(-20*24*time.Hour))
	gone := discordtest.IDAt(now.Add(-30 * 24 * time.Hour))
	if err := s.a.DeleteMessages(s.ctx, s.channel, []string{recent1, old, gone, recent2}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	bulk := s.dc.Requests("POST", "/channels/"+s.channel+"/messages/bulk-delete")
	var body struct {
		Messages []string `json:"messages"`
	}
	if len(bulk) != 1 || bulk[0].JSON(&body) != nil || !slices.Equal(body.Messages, []string{recent1, recent2}) {
		t.Errorf("bulk deletes %v with %v; want one of the two recent messages", bulk, body.Messages)
	}
	singles := s.dc.Requests("DELETE", "/channels/"+s.channel+"/messages/")
	if len(singles) != 2 || !strings.HasSuffix(singles[0].Path, old) || singles[1].Status != 404 {
		t.Errorf("single deletes %v; want the old message, then the unknown one (404)", singles)
	}
	left := s.dc.Messages(s.channel)
	if len(left) != 1 || left[0].ID != kept {
		t.Errorf("%d messages left, want only the one not named", len(left))
	}
	if err := s.a.DeleteMessages(s.ctx, s.channel, []string{kept}); err != nil {
		t.Fatalf("delete one: %v", err)
	}
	if n := len(s.dc.Requests("POST", "/channels/"+s.channel+"/messages/bulk-delete")); n != 1 || len(s.dc.Messages(s.channel)) != 0 {
		t.Errorf("a lone message: %d bulk deletes in all, %d messages left; want it deleted alone", n, len(s.dc.Messages(s.channel)))
	}
}
