package discordtest

import (
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The builders below make the events other users cause, ready for
// Dispatch: Dispatch(t, "MESSAGE_CREATE", srv.MessageCreate(...)).

// NewUser returns a human user with a fresh id, for guild members and
// message authors.
func NewUser(name string) discordgo.User {
	return discordgo.User{ID: NewID(), Username: name, GlobalName: name, Discriminator: "0"}
}

// MessageCreate builds the message author posts in a channel: in the
// channel's guild if the fake knows the channel (the author's member is
// added on dispatch), in a DM otherwise (see DMChannel). Mentions of
// users (<@id>) and roles (<@&id>) in content are filled in.
func (s *Server) MessageCreate(channelID string, author discordgo.User, content string) *discordgo.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := author
	m := &discordgo.Message{ID: NewID(), ChannelID: channelID, Content: content, Timestamp: time.Now().UTC(),
		Author: &u, Type: discordgo.MessageTypeDefault, Mentions: []*discordgo.User{}, MentionRoles: []string{},
		MentionEveryone: strings.Contains(content, "@everyone") || strings.Contains(content, "@here")}
	if ch, ok := s.channels[channelID]; ok {
		m.GuildID = ch.GuildID
	}
	for _, sub := range userMention.FindAllStringSubmatch(content, -1) {
		m.Mentions = append(m.Mentions, s.userLocked(sub[1]))
	}
	for _, sub := range roleMention.FindAllStringSubmatch(content, -1) {
		m.MentionRoles = append(m.MentionRoles, sub[1])
	}
	return m
}

// DMChannel returns the id of the DM channel between the bot and user,
// opening it as POST /users/@me/channels does.
func (s *Server) DMChannel(user discordgo.User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := user
	s.users[u.ID] = &u
	return s.dmChannelLocked(u.ID).ID
}

// dmChannelLocked returns the DM channel with a user, opening it if needed.
func (s *Server) dmChannelLocked(userID string) *discordgo.Channel {
	if id, ok := s.dms[userID]; ok {
		return s.channels[id]
	}
	ch := &discordgo.Channel{ID: NewID(), Type: discordgo.ChannelTypeDM, Recipients: []*discordgo.User{s.userLocked(userID)}}
	s.dms[userID] = ch.ID
	s.channels[ch.ID] = ch
	return ch
}

// GuildMemberAdd builds the member user becomes on joining a guild, with
// the given roles; dispatching it as GUILD_MEMBER_ADD stores the member.
func (s *Server) GuildMemberAdd(guildID string, user discordgo.User, roles ...string) *discordgo.Member {
	u := user
	if roles == nil {
		roles = []string{}
	}
	return &discordgo.Member{GuildID: guildID, User: &u, Roles: roles, JoinedAt: time.Now().UTC()}
}
