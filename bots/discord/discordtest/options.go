package discordtest

import (
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// Arg is a slash command option as a user filled it in. value is a string
// (option type 3), an int or int64 (4), a bool (5) or a float64 (10).
func Arg(name string, value any) *discordgo.ApplicationCommandInteractionDataOption {
	var typ discordgo.ApplicationCommandOptionType
	switch value.(type) {
	case string:
		typ = discordgo.ApplicationCommandOptionString
	case int, int64:
		typ = discordgo.ApplicationCommandOptionInteger
	case bool:
		typ = discordgo.ApplicationCommandOptionBoolean
	case float64:
		typ = discordgo.ApplicationCommandOptionNumber
	default:
		panic(fmt.Sprintf("discordtest: Arg %q: use UserArg, RoleArg or ChannelArg for %T", name, value))
	}
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: typ, Value: value}
}

// UserArg is a user option (type 6) naming userID; SlashCommand resolves it.
func UserArg(name, userID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionUser, Value: userID}
}

// RoleArg is a role option (type 8) naming roleID; SlashCommand resolves it.
func RoleArg(name, roleID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionRole, Value: roleID}
}

// ChannelArg is a channel option (type 7) naming channelID; SlashCommand
// resolves it.
func ChannelArg(name, channelID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionChannel, Value: channelID}
}

// SubCommand is a subcommand (type 1) with the options given to it.
func SubCommand(name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: options}
}

// SubCommandGroup is a subcommand group (type 2) holding one subcommand.
func SubCommandGroup(name string, sub *discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommandGroup,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{sub}}
}

// resolveLocked fills the "resolved" part of command data: the users,
// members, roles and channels its options name, as the fake knows them.
func (s *Server) resolveLocked(guildID string, options []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataResolved {
	res := &discordgo.ApplicationCommandInteractionDataResolved{}
	s.resolveInto(res, guildID, options)
	if res.Users == nil && res.Roles == nil && res.Channels == nil {
		return nil
	}
	return res
}

func (s *Server) resolveInto(res *discordgo.ApplicationCommandInteractionDataResolved, guildID string, options []*discordgo.ApplicationCommandInteractionDataOption) {
	for _, o := range options {
		id, _ := o.Value.(string)
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommand, discordgo.ApplicationCommandOptionSubCommandGroup:
			s.resolveInto(res, guildID, o.Options)
		case discordgo.ApplicationCommandOptionUser:
			s.resolveUserLocked(res, guildID, id)
		case discordgo.ApplicationCommandOptionRole:
			if gs, ok := s.guilds[guildID]; ok {
				if r := findRole(gs.guild, id); r != nil {
					res.Roles = setKey(res.Roles, id, r)
				}
			}
		case discordgo.ApplicationCommandOptionChannel:
			if ch, ok := s.channels[id]; ok {
				res.Channels = setKey(res.Channels, id, &discordgo.Channel{ID: ch.ID, Name: ch.Name, Type: ch.Type, ParentID: ch.ParentID})
			}
		}
	}
}

// resolveUserLocked adds a user and, if they are a member of the guild,
// their member (without user, with permissions) as Discord does.
func (s *Server) resolveUserLocked(res *discordgo.ApplicationCommandInteractionDataResolved, guildID, userID string) {
	res.Users = setKey(res.Users, userID, s.userLocked(userID))
	gs, m := s.memberLocked(guildID, userID)
	if m == nil {
		return
	}
	var cp discordgo.Member
	mustCopy(m, &cp)
	cp.Permissions = gs.permissions(m)
	cp.User, cp.GuildID = nil, ""
	res.Members = setKey(res.Members, userID, &cp)
}

func setKey[V any](m map[string]V, key string, v V) map[string]V {
	if m == nil {
		m = map[string]V{}
	}
	m[key] = v
	return m
}
