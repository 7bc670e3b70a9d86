package discord

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/outbox"
)

// everything is what a server's owner and its administrators may do.
const everything = ^int64(0)

// postPermissions are what posting a message in a channel takes.
const postPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages

// server is what Hearth reads of a Discord server from the gateway state:
// a copy taken under the state's lock, so that the gateway may change the
// state meanwhile. It is read afresh for every use, never kept.
type server struct {
	id, name, ownerID, systemChannelID string
	// unavailable: Discord has not sent the server yet (at connection)
	// or has lost it for a while (an outage); only its id is known.
	unavailable  bool
	roles        map[string]discordgo.Role
	textChannels []discordgo.Channel // by position
}

// server copies a server Hearth is in from the state; false when the id
// is not one (a channel, or a server of another shard).
func (a *Adapter) server(guildID string) (server, bool) {
	st := a.session.State
	g, err := st.Guild(guildID)
	if err != nil {
		return server{}, false
	}
	st.RLock()
	defer st.RUnlock()
	s := server{id: g.ID, name: g.Name, ownerID: g.OwnerID, systemChannelID: g.SystemChannelID, unavailable: g.Unavailable,
		roles: map[string]discordgo.Role{}}
	for _, r := range g.Roles {
		s.roles[r.ID] = *r
	}
	for _, c := range g.Channels {
		if c.Type == discordgo.ChannelTypeGuildText || c.Type == discordgo.ChannelTypeGuildNews {
			cp := *c
			cp.PermissionOverwrites = nil
			for _, o := range c.PermissionOverwrites {
				cp.PermissionOverwrites = append(cp.PermissionOverwrites, &discordgo.PermissionOverwrite{ID: o.ID, Type: o.Type, Allow: o.Allow, Deny: o.Deny})
			}
			s.textChannels = append(s.textChannels, cp)
		}
	}
	slices.SortFunc(s.textChannels, func(x, y discordgo.Channel) int {
		return cmp.Or(cmp.Compare(x.Position, y.Position), compareIDs(x.ID, y.ID))
	})
	return s, true
}

// String names the server in messages: its name and id.
func (s server) String() string {
	if s.name == "" {
		return "server " + s.id
	}
	return fmt.Sprintf("server %q (%s)", s.name, s.id)
}

// permissions is what a member's roles allow server-wide.
func (s server) permissions(m *discordgo.Member) int64 {
	if m.User != nil && m.User.ID == s.ownerID {
		return everything
	}
	p := s.roles[s.id].Permissions // @everyone has the server's id
	for _, id := range m.Roles {
		p |= s.roles[id].Permissions
	}
	if p&discordgo.PermissionAdministrator != 0 {
		return everything
	}
	return p
}

// channelPermissions is what a member may do in a channel: the server-wide
// permissions changed by the channel's overwrites for @everyone, then for
// the member's roles, then for the member.
func (s server) channelPermissions(c discordgo.Channel, m *discordgo.Member) int64 {
	p := s.permissions(m)
	if p == everything {
		return p
	}
	var everyone, member *discordgo.PermissionOverwrite
	var allow, deny int64
	for _, o := range c.PermissionOverwrites {
		switch {
		case o.ID == s.id:
			everyone = o
		case o.Type == discordgo.PermissionOverwriteTypeMember && m.User != nil && o.ID == m.User.ID:
			member = o
		case o.Type == discordgo.PermissionOverwriteTypeRole && slices.Contains(m.Roles, o.ID):
			allow, deny = allow|o.Allow, deny|o.Deny
		}
	}
	if everyone != nil {
		p = p&^everyone.Deny | everyone.Allow
	}
	p = p&^deny | allow
	if member != nil {
		p = p&^member.Deny | member.Allow
	}
	return p
}

// rank is the position of a member's highest role: Discord lets a member
// act on another only from a higher rank.
func (s server) rank(m *discordgo.Member) int {
	top := 0
	for _, id := range m.Roles {
		top = max(top, s.roles[id].Position)
	}
	return top
}

// postChannel is where Hearth posts to a whole server: its system channel
// (where Discord itself welcomes members), else the first text channel,
// by position, where Hearth may send messages. It reads the state and
// Hearth's own roles each time, so that a channel or a role changed on
// Discord takes effect at once.
func (a *Adapter) postChannel(ctx context.Context, s server) (string, error) {
	if s.unavailable {
		return "", fmt.Errorf("%s is unavailable on Discord for now", s)
	}
	me, err := a.admins.member(ctx, s.id, a.session.State.User.ID)
	if err != nil {
		return "", fmt.Errorf("read Hearth's roles in %s: %w", s, classify(err))
	}
	if me == nil {
		return "", outbox.Permanent(fmt.Errorf("the bot is not a member of %s", s))
	}
	channels := s.textChannels
	if i := slices.IndexFunc(channels, func(c discordgo.Channel) bool { return c.ID == s.systemChannelID }); i >= 0 {
		channels = append([]discordgo.Channel{channels[i]}, channels...)
	}
	for _, c := range channels {
		if s.channelPermissions(c, me)&postPermissions == postPermissions {
			return c.ID, nil
		}
	}
	return "", outbox.Permanent(fmt.Errorf("%s has no text channel Hearth may post in: %w", s, bots.ErrNoRights))
}

// compareIDs orders snowflakes, which grow with time.
func compareIDs(x, y string) int {
	return cmp.Or(cmp.Compare(len(x), len(y)), cmp.Compare(x, y))
}

// LeaveOutsider implements bots.GroupLeaver: with
// discord.leave_unknown_guilds, Hearth leaves a server that is not the
// community's.
func (a *Adapter) LeaveOutsider(ctx context.Context, guildID string) (bool, error) {
	if !a.o.LeaveUnknownGuilds {
		return false, nil
	}
	if err := a.session.GuildLeave(guildID, discordgo.WithContext(ctx)); err != nil {
		return false, fmt.Errorf("leave server %s: %w", guildID, classify(err))
	}
	a.log.Info("left a server that is not the community's", "guild", guildID)
	return true, nil
}
