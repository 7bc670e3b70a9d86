package discordtest

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"
)

// store is the data the fake serves: guilds, channels, messages, commands
// and the interactions it dispatched. It is guarded by Server.mu.
type store struct {
	guilds       map[string]*guildState
	guildOrder   []string
	channels     map[string]*discordgo.Channel
	dms          map[string]string // recipient user id -> DM channel id
	messages     map[string][]*discordgo.Message
	users        map[string]*discordgo.User
	commands     map[string][]*discordgo.ApplicationCommand // "" = global
	interactions map[string]*interactionState
	nonces       map[string]nonceRecord // by author and nonce
	threads      map[string]*threadState
}

type guildState struct {
	guild *discordgo.Guild
	bans  map[string]string // user id -> reason
}

// interactionState is what the fake knows of a dispatched interaction and
// of the answers given to it.
type interactionState struct {
	in         *discordgo.Interaction
	callback   discordgo.InteractionResponseType // 0 while unanswered
	data       json.RawMessage                   // the callback's data as sent
	originalID string                            // id of the message the original response is
	followups  []string                          // ids of follow-up messages, oldest first
}

func newStore() store {
	return store{
		guilds:       map[string]*guildState{},
		channels:     map[string]*discordgo.Channel{},
		dms:          map[string]string{},
		messages:     map[string][]*discordgo.Message{},
		users:        map[string]*discordgo.User{},
		commands:     map[string][]*discordgo.ApplicationCommand{},
		interactions: map[string]*interactionState{},
		nonces:       map[string]nonceRecord{},
		threads:      map[string]*threadState{},
	}
}

// AddGuild makes the bot a member of g: the REST API answers its data and
// every gateway session gets a GUILD_CREATE for it (now if already
// connected, after READY otherwise). An @everyone role (id = guild id) is
// added if missing, and unless g lists the bot among its members, the bot
// joins with a managed role that is allowed everything and sits above
// every other role; list the bot yourself to test missing permissions.
// The fake keeps its own copy of g.
func (s *Server) AddGuild(g *discordgo.Guild) {
	var cp discordgo.Guild
	mustCopy(g, &cp)
	s.mu.Lock()
	s.addGuildLocked(&cp)
	raw := guildWire(&cp)
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcast("GUILD_CREATE", raw)
}

// addGuildLocked stores g, which the store then owns.
func (s *Server) addGuildLocked(g *discordgo.Guild) {
	if g.JoinedAt.IsZero() {
		g.JoinedAt = time.Now().UTC()
	}
	if findRole(g, g.ID) == nil {
		g.Roles = append([]*discordgo.Role{{ID: g.ID, Name: "@everyone", Permissions: everyonePermissions}}, g.Roles...)
	}
	s.addBotMemberLocked(g)
	for _, c := range g.Channels {
		c.GuildID = g.ID
		s.channels[c.ID] = c
	}
	for _, m := range g.Members {
		m.GuildID = g.ID
		if m.User != nil {
			s.users[m.User.ID] = m.User
		}
	}
	g.MemberCount = len(g.Members)
	if _, ok := s.guilds[g.ID]; !ok {
		s.guildOrder = append(s.guildOrder, g.ID)
	}
	s.guilds[g.ID] = &guildState{guild: g, bans: map[string]string{}}
}

// Guild returns a copy of the stored guild with its roles, channels and
// members as the fake's REST calls have left them.
func (s *Server) Guild(guildID string) (*discordgo.Guild, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, ok := s.guilds[guildID]
	if !ok {
		return nil, false
	}
	var cp discordgo.Guild
	mustCopy(gs.guild, &cp)
	return &cp, true
}

// Member returns a copy of a stored guild member (roles, timeout, nick).
func (s *Server) Member(guildID, userID string) (*discordgo.Member, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m := s.memberLocked(guildID, userID)
	if m == nil {
		return nil, false
	}
	var cp discordgo.Member
	mustCopy(m, &cp)
	return &cp, true
}

// Banned reports whether userID is banned from the guild.
func (s *Server) Banned(guildID, userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	gs, ok := s.guilds[guildID]
	if !ok {
		return false
	}
	_, banned := gs.bans[userID]
	return banned
}

// Messages returns copies of the messages a channel holds now, oldest
// first: those the bot sent or edited and those dispatched as MESSAGE_CREATE,
// minus deleted ones.
func (s *Server) Messages(channelID string) []*discordgo.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*discordgo.Message, 0, len(s.messages[channelID]))
	for _, m := range s.messages[channelID] {
		out = append(out, copyMessage(m))
	}
	return out
}

// Commands returns the application commands registered for a guild, or the
// global ones for guildID "".
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*discordgo.ApplicationCommand
	mustCopy(s.commands[guildID], &out)
	return out
}

func (s *Server) memberLocked(guildID, userID string) (*guildState, *discordgo.Member) {
	gs, ok := s.guilds[guildID]
	if !ok {
		return nil, nil
	}
	for _, m := range gs.guild.Members {
		if m.User != nil && m.User.ID == userID {
			return gs, m
		}
	}
	return gs, nil
}

func (gs *guildState) removeMember(userID string) bool {
	n := len(gs.guild.Members)
	gs.guild.Members = slices.DeleteFunc(gs.guild.Members, func(m *discordgo.Member) bool {
		return m.User != nil && m.User.ID == userID
	})
	gs.guild.MemberCount = len(gs.guild.Members)
	return len(gs.guild.Members) != n
}

// permissions computes a member's guild-wide permissions from its roles.
func (gs *guildState) permissions(m *discordgo.Member) int64 {
	g := gs.guild
	if m.User != nil && m.User.ID == g.OwnerID {
		return allPermissions
	}
	var p int64
	if r := findRole(g, g.ID); r != nil {
		p = r.Permissions
	}
	for _, id := range m.Roles {
		if r := findRole(g, id); r != nil {
			p |= r.Permissions
		}
	}
	if p&discordgo.PermissionAdministrator != 0 {
		return allPermissions
	}
	return p
}

func findRole(g *discordgo.Guild, roleID string) *discordgo.Role {
	for _, r := range g.Roles {
		if r.ID == roleID {
			return r
		}
	}
	return nil
}

// findMessage returns the stored message and its index in its channel.
func (s *Server) findMessageLocked(channelID, messageID string) (int, *discordgo.Message) {
	for i, m := range s.messages[channelID] {
		if m.ID == messageID {
			return i, m
		}
	}
	return -1, nil
}

// putMessageLocked stores m, replacing a stored message with the same id.
func (s *Server) putMessageLocked(m *discordgo.Message) {
	if i, _ := s.findMessageLocked(m.ChannelID, m.ID); i >= 0 {
		s.messages[m.ChannelID][i] = m
		return
	}
	s.messages[m.ChannelID] = append(s.messages[m.ChannelID], m)
}

func (s *Server) deleteMessageLocked(channelID, messageID string) bool {
	i, _ := s.findMessageLocked(channelID, messageID)
	if i < 0 {
		return false
	}
	s.messages[channelID] = slices.Delete(s.messages[channelID], i, i+1)
	return true
}

// userLocked returns a known user, or a plain one with that id.
func (s *Server) userLocked(id string) *discordgo.User {
	if u, ok := s.users[id]; ok {
		return u
	}
	return &discordgo.User{ID: id, Username: "user" + id, Discriminator: "0"}
}

// mustCopy deep-copies src into dst through JSON; the fake's own data
// always encodes, so a failure is a bug in the fake.
func mustCopy(src, dst any) {
	b, err := json.Marshal(src)
	if err == nil {
		err = json.Unmarshal(b, dst)
	}
	if err != nil {
		panic("discordtest: copy: " + err.Error())
	}
}

// copyMessage deep-copies a message, components included.
func copyMessage(m *discordgo.Message) *discordgo.Message {
	var cp discordgo.Message
	raw, err := messageWire(m)
	if err == nil {
		err = json.Unmarshal(raw, &cp)
	}
	if err != nil {
		panic("discordtest: copy message: " + err.Error())
	}
	return &cp
}
