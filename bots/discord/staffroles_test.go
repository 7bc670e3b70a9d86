package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
)

var pingCommand = bots.Command{Name: "ping", Permission: community.RoleStaff, Where: bots.Anywhere, Run: reply(bots.Reply{Text: "pong"})}

const refused = "is for the community's staff"

// TestStaffRoleMakesAMemberStaff: a member holding one of
// Options.StaffRoleIDs, a role that grants no permission at all, may run
// a staff command; members without it, one with another role included,
// are refused.
func TestStaffRoleMakesAMemberStaff(t *testing.T) {
	t.Parallel()
	owner, helper, alice, regular := discordtest.NewUser("olga"), discordtest.NewUser("hana"), discordtest.NewUser("alice"), discordtest.NewUser("reg")
	helpers := &discordgo.Role{ID: discordtest.NewID(), Name: "Helpers", Position: 2}
	regulars := &discordgo.Role{ID: discordtest.NewID(), Name: "Regulars", Position: 1}
	g, channel := textGuild("Tea Lovers", owner.ID, helpers, regulars)
	w := startScene(t, scene{
		owner: owner.ID,
		prepare: func(dc *discordtest.Server) {
			dc.AddGuild(g)
			dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(g.ID, helper, helpers.ID))
			dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(g.ID, alice))
			dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(g.ID, regular, regulars.ID))
		},
		adapter:  func(o *discord.Options) { o.StaffRoleIDs = []string{helpers.ID} },
		commands: []bots.Command{pingCommand},
	})
	w.waitGuild(t, g.ID)

	r := w.slash(t, g.ID, channel, helper, "ping")
	if r.Data.Content != "pong" {
		t.Errorf("/ping by a member with a staff role = %q, want pong", r.Data.Content)
	}
	if perms := r.Interaction.Member.Permissions; perms&discord.StaffPermissions != 0 {
		t.Fatalf("the helper has staff permissions %b; the test needs a role that grants none", perms)
	}
	for _, u := range []discordgo.User{alice, regular} {
		if r := w.slash(t, g.ID, channel, u, "ping"); !strings.Contains(r.Data.Content, refused) {
			t.Errorf("/ping by %s = %q; want a refusal", u.Username, r.Data.Content)
		}
	}
	w.waitCount(t, 2, `SELECT count(*) FROM audit_log WHERE action = 'command.refused'`)
}

// TestStaffRoleInAnotherServerCounts: staff of any of Hearth's servers
// are staff of the community. A member who holds a staff role only in
// the staff server (which the adapter asks Discord about) may run a staff
// command in the community server.
func TestStaffRoleInAnotherServerCounts(t *testing.T) {
	t.Parallel()
	owner, sam, alice := discordtest.NewUser("olga"), discordtest.NewUser("sam"), discordtest.NewUser("alice")
	crew := &discordgo.Role{ID: discordtest.NewID(), Name: "Crew", Position: 1}
	home, channel := textGuild("Tea Lovers", owner.ID)
	staffServer, _ := textGuild("Tea Staff", owner.ID, crew)
	w := startScene(t, scene{
		owner: owner.ID,
		prepare: func(dc *discordtest.Server) {
			dc.AddGuild(home)
			dc.AddGuild(staffServer)
			for _, u := range []discordgo.User{sam, alice} {
				dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(home.ID, u))
			}
			dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(staffServer.ID, sam, crew.ID))
		},
		adapter:  func(o *discord.Options) { o.StaffRoleIDs = []string{crew.ID} },
		commands: []bots.Command{pingCommand},
	})
	w.waitGuild(t, home.ID)
	w.waitGuild(t, staffServer.ID)

	if r := w.slash(t, home.ID, channel, sam, "ping"); r.Data.Content != "pong" {
		t.Errorf("/ping by staff of the staff server = %q, want pong", r.Data.Content)
	}
	if n := len(w.dc.Requests("GET", "/guilds/"+staffServer.ID+"/members/"+sam.ID)); n != 1 {
		t.Errorf("asked Discord %d times for sam in the staff server, want once", n)
	}
	if r := w.slash(t, home.ID, channel, alice, "ping"); !strings.Contains(r.Data.Content, refused) {
		t.Errorf("/ping by a member of neither = %q; want a refusal", r.Data.Content)
	}
}

// TestStaffCheckWhileServersJoin: Hearth joining servers while members'
// commands are checked is safe (run with -race) and changes no answer.
func TestStaffCheckWhileServersJoin(t *testing.T) {
	t.Parallel()
	owner, alice := discordtest.NewUser("olga"), discordtest.NewUser("alice")
	g, channel := textGuild("Tea Lovers", owner.ID)
	w := startScene(t, scene{
		owner: owner.ID,
		prepare: func(dc *discordtest.Server) {
			dc.AddGuild(g)
			dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(g.ID, alice))
		},
		commands: []bots.Command{pingCommand},
	})
	w.waitGuild(t, g.ID)
	var asked []string
	for range 10 {
		i := w.dc.SlashCommand(g.ID, channel, alice, "ping")
		w.dc.Dispatch(t, "INTERACTION_CREATE", i)
		asked = append(asked, i.ID)
	}
	// Servers join while the commands are checked: one after the other,
	// each once the one before is recorded, so that the race detector sees
	// them overlap the checks.
	for range 30 {
		joined, _ := textGuild("Another server", owner.ID)
		w.dc.AddGuild(joined)
		w.waitGuild(t, joined.ID)
	}
	for _, id := range asked {
		if r := w.dc.WaitInteractionReply(t, id, 10*time.Second); !strings.Contains(r.Data.Content, refused) {
			t.Errorf("/ping by a member = %q; want a refusal", r.Data.Content)
		}
	}
	w.waitCount(t, 31, `SELECT count(*) FROM chats WHERE platform = 'discord' AND kind = 'group'`)
}
