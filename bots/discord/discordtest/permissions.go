package discordtest

import (
	"net/http"

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
