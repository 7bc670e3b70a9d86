package discordtest

import (
	"net/http"
	"slices"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// everyonePermissions is what a new guild's @everyone role allows on
// Discord: talk, read, react, join voice, use commands.
const everyonePermissions = discordgo.PermissionCreateInstantInvite | discordgo.PermissionAddReactions |
	discordgo.PermissionVoiceStreamVideo | discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles | discordgo.PermissionReadMessageHistory |
	discordgo.PermissionMentionEveryone | discordgo.PermissionUseExternalEmojis | discordgo.PermissionVoiceConnect |
	discordgo.PermissionVoiceSpeak | discordgo.PermissionVoiceUseVAD | discordgo.PermissionChangeNickname |
	discordgo.PermissionUseApplicationCommands | discordgo.PermissionCreatePublicThreads |
	discordgo.PermissionCreatePrivateThreads | discordgo.PermissionUseExternalStickers |
	discordgo.PermissionSendMessagesInThreads | discordgo.PermissionUseEmbeddedActivities |
	discordgo.PermissionSendVoiceMessages | discordgo.PermissionSendPolls

// allPermissions is every permission bit Discord defines today (up to
// USE_EXTERNAL_APPS, 1<<50), what an owner or administrator has;
// discordgo.PermissionAll predates many of them.
const allPermissions int64 = 1<<51 - 1

// addBotMemberLocked makes the bot a member of g unless the test put it
// there itself: with the managed role a bot gets when invited, allowed
// everything and placed above every other role, so that the fake's
// permission checks pass unless a test sets the bot's roles on purpose.
func (s *Server) addBotMemberLocked(g *discordgo.Guild) {
	for _, m := range g.Members {
		if m.User != nil && m.User.ID == s.bot.ID {
			return
		}
	}
	top := 0
	for _, r := range g.Roles {
		top = max(top, r.Position)
	}
	role := &discordgo.Role{ID: NewID(), Name: s.bot.Username, Managed: true, Position: top + 1,
		Permissions: discordgo.PermissionAdministrator}
	g.Roles = append(g.Roles, role)
	bot := s.bot
	g.Members = append(g.Members, &discordgo.Member{User: &bot, Roles: []string{role.ID}, JoinedAt: g.JoinedAt})
}

// topPosition is the position of a member's highest role (0 for
// @everyone only).
func (gs *guildState) topPosition(m *discordgo.Member) int {
	top := 0
	for _, id := range m.Roles {
		if r := findRole(gs.guild, id); r != nil {
			top = max(top, r.Position)
		}
	}
	return top
}

// botMayLocked checks that the bot holds perm in the guild and, when
// target is set, that it outranks that member as Discord's role hierarchy
// demands; it answers 403 Missing Permissions otherwise.
func (s *Server) botMayLocked(w http.ResponseWriter, gs *guildState, perm int64, target *discordgo.Member) bool {
	_, bot := s.memberLocked(gs.guild.ID, s.bot.ID)
	if bot == nil || gs.permissions(bot)&perm != perm || (target != nil && !gs.outranks(bot, target)) {
		missingPermissions(w)
		return false
	}
	return true
}

// outranks reports whether actor may moderate target: the owner may
// moderate anyone, nobody may moderate the owner, otherwise the actor's
// highest role must be above the target's.
func (gs *guildState) outranks(actor, target *discordgo.Member) bool {
	owner := gs.guild.OwnerID
	switch {
	case actor.User != nil && actor.User.ID == owner:
		return true
	case target.User != nil && target.User.ID == owner:
		return false
	}
	return gs.topPosition(actor) > gs.topPosition(target)
}

// botOutranksRoleLocked reports whether the bot may hand out or take away
// role: it must sit below the bot's highest role and not be managed.
func (s *Server) botOutranksRoleLocked(gs *guildState, role *discordgo.Role) bool {
	_, bot := s.memberLocked(gs.guild.ID, s.bot.ID)
	if bot == nil || role.Managed {
		return false
	}
	return (bot.User != nil && bot.User.ID == gs.guild.OwnerID) || gs.topPosition(bot) > role.Position
}

func missingPermissions(w http.ResponseWriter) {
	writeError(w, http.StatusForbidden, 50013, "Missing Permissions")
}

// channelPermissions applies a channel's overwrites to what a member may
// do in the guild, in Discord's order: the @everyone overwrite, those of
// the member's roles together, the member's own. Administrators and the
// owner are above overwrites.
func (gs *guildState) channelPermissions(ch *discordgo.Channel, m *discordgo.Member) int64 {
	p := gs.permissions(m)
	if p == allPermissions {
		return p
	}
	stages := []func(o *discordgo.PermissionOverwrite) bool{
		func(o *discordgo.PermissionOverwrite) bool { return o.ID == gs.guild.ID },
		func(o *discordgo.PermissionOverwrite) bool {
			return o.Type == discordgo.PermissionOverwriteTypeRole && slices.Contains(m.Roles, o.ID)
		},
		func(o *discordgo.PermissionOverwrite) bool {
			return o.Type == discordgo.PermissionOverwriteTypeMember && m.User != nil && o.ID == m.User.ID
		},
	}
	for _, applies := range stages {
		var allow, deny int64
		for _, o := range ch.PermissionOverwrites {
			if applies(o) {
				allow, deny = allow|o.Allow, deny|o.Deny
			}
		}
		p = p&^deny | allow
	}
	return p
}

// botMayInChannel checks that the bot holds perm in a channel, answering
// 403 as Discord does otherwise: Missing Access when it cannot see the
// channel, Missing Permissions when it lacks perm. In a DM it may.
func (s *Server) botMayInChannel(w http.ResponseWriter, ch discordgo.Channel, perm int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, ok := s.guilds[ch.GuildID]
	if !ok {
		return true
	}
	var p int64
	if _, bot := s.memberLocked(gs.guild.ID, s.bot.ID); bot != nil {
		p = gs.channelPermissions(&ch, bot)
	}
	switch {
	case p&discordgo.PermissionViewChannel == 0:
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
		return false
	case p&perm != perm:
		missingPermissions(w)
		return false
	}
	return true
}

// BotRoleID returns the id of the bot's highest role in a guild (the
// managed role AddGuild gives it unless the test listed the bot), "" if
// it has none.
func (s *Server) BotRoleID(guildID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, bot := s.memberLocked(guildID, s.bot.ID)
	if bot == nil {
		return ""
	}
	var top *discordgo.Role
	for _, id := range bot.Roles {
		if r := findRole(gs.guild, id); r != nil && (top == nil || r.Position > top.Position) {
			top = r
		}
	}
	if top == nil {
		return ""
	}
	return top.ID
}

// SetRolePermissions changes what a role allows, as a server's
// administrator would, and tells the gateway (GUILD_ROLE_UPDATE). It
// fails the test if the guild has no such role.
func (s *Server) SetRolePermissions(t testing.TB, guildID, roleID string, perms int64) {
	t.Helper()
	s.mu.Lock()
	gs, ok := s.guilds[guildID]
	var role *discordgo.Role
	if ok {
		role = findRole(gs.guild, roleID)
	}
	if role == nil {
		s.mu.Unlock()
		t.Fatalf("discordtest: guild %s has no role %s", guildID, roleID)
	}
	role.Permissions = perms
	update := map[string]any{"guild_id": guildID, "role": *role}
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcastJSON("GUILD_ROLE_UPDATE", update)
}
