package discordtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Dispatch sends an event to every identified session that would get it
// from Discord: one whose intents cover it (MESSAGE_CREATE in a guild needs
// GUILD_MESSAGES, GUILD_MEMBER_ADD needs GUILD_MEMBERS, ...), on the shard
// that owns its guild, with the session's next sequence number. Guild
// messages reach a session without MESSAGE_CONTENT with their content
// emptied, unless they mention the bot. It returns how many connections
// the event was written to.
//
// data is what Discord would send as "d": a discordgo type (*Message,
// *Interaction, *Guild, *Member, ...), a map, or json.RawMessage. The fake's
// data follows the event: MESSAGE_CREATE stores the message,
// INTERACTION_CREATE registers the interaction so that it can be answered
// (filling in application_id, and the member's roles and permissions from
// the stored guild), GUILD_CREATE stores the guild, THREAD_CREATE the
// thread (messages can then be posted in it) and GUILD_MEMBER_ADD /
// GUILD_MEMBER_REMOVE add and remove the member.
func (s *Server) Dispatch(t testing.TB, eventType string, data any) int {
	t.Helper()
	raw, err := wireValue(data)
	if err == nil {
		raw, err = s.absorb(eventType, raw)
	}
	if err != nil {
		t.Fatalf("discordtest: dispatch %s: %v", eventType, err)
	}
	return s.broadcast(eventType, raw)
}

// absorb updates the fake's data from a dispatched event and returns the
// event as it will be sent.
func (s *Server) absorb(eventType string, raw json.RawMessage) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	switch eventType {
	case "MESSAGE_CREATE":
		return s.absorbMessage(raw)
	case "INTERACTION_CREATE":
		return s.absorbInteraction(raw)
	case "GUILD_CREATE":
		var g discordgo.Guild
		if err := json.Unmarshal(raw, &g); err != nil {
			return nil, err
		}
		s.addGuildLocked(&g)
		return guildWire(&g), nil
	case "THREAD_CREATE":
		var ch discordgo.Channel
		if err := json.Unmarshal(raw, &ch); err != nil {
			return nil, err
		}
		if _, ok := s.guilds[ch.GuildID]; !ok || !ch.IsThread() {
			return nil, fmt.Errorf("THREAD_CREATE %s: want a thread (type 10-12) of a known guild", ch.ID)
		}
		s.channels[ch.ID] = &ch
		if s.threads[ch.ID] == nil {
			ts := &threadState{members: map[string]time.Time{}}
			if ch.OwnerID != "" {
				ts.members[ch.OwnerID] = time.Now().UTC() // who starts a thread is in it
			}
			s.threads[ch.ID] = ts
		}
	case "GUILD_MEMBER_ADD", "GUILD_MEMBER_REMOVE":
		var m discordgo.Member
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		s.absorbMember(eventType, &m)
	}
	return raw, nil
}

func (s *Server) absorbMessage(raw json.RawMessage) (json.RawMessage, error) {
	var m discordgo.Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if ch, ok := s.channels[m.ChannelID]; ok && m.GuildID == "" {
		m.GuildID = ch.GuildID
	}
	if m.Author != nil {
		u := *m.Author
		s.users[u.ID] = &u
		if _, member := s.memberLocked(m.GuildID, u.ID); member != nil && m.Member == nil {
			m.Member = &discordgo.Member{Roles: member.Roles, JoinedAt: member.JoinedAt, Nick: member.Nick,
				CommunicationDisabledUntil: member.CommunicationDisabledUntil}
		}
	}
	s.putMessageLocked(copyMessage(&m))
	return messageWire(&m)
}

func (s *Server) absorbInteraction(raw json.RawMessage) (json.RawMessage, error) {
	var in discordgo.Interaction
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	if in.AppID == "" {
		in.AppID = s.ApplicationID()
	}
	if in.Token == "" {
		in.Token = interactionToken(in.ID)
	}
	if in.Member != nil && in.Member.User != nil {
		if gs, m := s.memberLocked(in.GuildID, in.Member.User.ID); m != nil {
			in.Member.Roles, in.Member.JoinedAt, in.Member.Nick = m.Roles, m.JoinedAt, m.Nick
			in.Member.CommunicationDisabledUntil = m.CommunicationDisabledUntil
			in.Member.Permissions = gs.permissions(m)
		}
	}
	if in.Message != nil {
		if _, m := s.findMessageLocked(in.ChannelID, in.Message.ID); m != nil {
			in.Message = copyMessage(m)
		}
	}
	out, err := interactionWire(&in)
	if err != nil {
		return nil, err
	}
	var kept discordgo.Interaction
	if err := json.Unmarshal(out, &kept); err != nil {
		return nil, err
	}
	s.interactions[in.ID] = &interactionState{in: &kept}
	return out, nil
}

func (s *Server) absorbMember(eventType string, m *discordgo.Member) {
	if m.User == nil {
		return
	}
	gs, old := s.memberLocked(m.GuildID, m.User.ID)
	switch {
	case gs == nil:
	case eventType == "GUILD_MEMBER_REMOVE":
		gs.removeMember(m.User.ID)
	case old == nil:
		u := *m.User
		s.users[u.ID] = &u
		gs.guild.Members = append(gs.guild.Members, m)
		gs.guild.MemberCount = len(gs.guild.Members)
	}
}

// broadcast sends an event to the sessions that would get it and returns
// how many connections it was written to.
func (s *Server) broadcast(eventType string, raw json.RawMessage) int {
	info := readEventInfo(eventType, raw)
	s.mu.Lock()
	targets := make([]*gatewaySession, 0, len(s.sessions))
	for _, sess := range s.sessions {
		if wants(sess, eventType, info) && (eventType != "THREAD_MEMBERS_UPDATE" ||
			slices.Contains(info.threadMembers, s.bot.ID) || sess.identify.Intents&discordgo.IntentsGuildMembers != 0) {
			targets = append(targets, sess)
		}
	}
	s.mu.Unlock()
	delivered := 0
	for _, sess := range targets {
		d := raw
		if needsContentRemoved(sess, eventType, info, s.bot.ID) {
			d = withoutContent(raw)
		}
		if sess.dispatch(eventType, d) {
			delivered++
		}
	}
	return delivered
}

// eventInfo is what routing an event needs to know about it.
type eventInfo struct {
	guildID  string
	authorID string
	mentions []string
	// threadMembers are the users a THREAD_MEMBERS_UPDATE adds or
	// removes: without GUILD_MEMBERS, a bot hears only of itself.
	threadMembers []string
}

func readEventInfo(eventType string, raw json.RawMessage) eventInfo {
	var v struct {
		ID      string `json:"id"`
		GuildID string `json:"guild_id"`
		Author  *struct {
			ID string `json:"id"`
		} `json:"author"`
		Mentions []struct {
			ID string `json:"id"`
		} `json:"mentions"`
		AddedMembers []struct {
			UserID string `json:"user_id"`
		} `json:"added_members"`
		RemovedMemberIDs []string `json:"removed_member_ids"`
	}
	_ = json.Unmarshal(raw, &v) // events without these fields route as DMs
	info := eventInfo{guildID: v.GuildID}
	if eventType == "GUILD_CREATE" || eventType == "GUILD_UPDATE" || eventType == "GUILD_DELETE" {
		info.guildID = v.ID
	}
	if v.Author != nil {
		info.authorID = v.Author.ID
	}
	for _, m := range v.Mentions {
		info.mentions = append(info.mentions, m.ID)
	}
	for _, m := range v.AddedMembers {
		info.threadMembers = append(info.threadMembers, m.UserID)
	}
	info.threadMembers = append(info.threadMembers, v.RemovedMemberIDs...)
	return info
}

func wants(sess *gatewaySession, eventType string, info eventInfo) bool {
	need := requiredIntent(eventType, info.guildID != "")
	return sess.identify.Intents&need == need && onShard(info.guildID, sess.shard)
}

// requiredIntent is the intent a session needs to receive an event,
// https://discord.com/developers/docs/events/gateway#list-of-intents.
func requiredIntent(eventType string, inGuild bool) discordgo.Intent {
	pick := func(guild, dm discordgo.Intent) discordgo.Intent {
		if inGuild {
			return guild
		}
		return dm
	}
	switch {
	case eventType == "GUILD_CREATE", eventType == "GUILD_UPDATE", eventType == "GUILD_DELETE",
		strings.HasPrefix(eventType, "GUILD_ROLE_"), strings.HasPrefix(eventType, "CHANNEL_"),
		strings.HasPrefix(eventType, "THREAD_"):
		return discordgo.IntentsGuilds
	case strings.HasPrefix(eventType, "GUILD_MEMBER_") && eventType != "GUILD_MEMBERS_CHUNK":
		return discordgo.IntentsGuildMembers
	case strings.HasPrefix(eventType, "GUILD_BAN_"), eventType == "GUILD_AUDIT_LOG_ENTRY_CREATE":
		return discordgo.IntentsGuildBans
	case eventType == "PRESENCE_UPDATE":
		return discordgo.IntentsGuildPresences
	case eventType == "VOICE_STATE_UPDATE":
		return discordgo.IntentsGuildVoiceStates
	case strings.HasPrefix(eventType, "MESSAGE_REACTION_"):
		return pick(discordgo.IntentsGuildMessageReactions, discordgo.IntentsDirectMessageReactions)
	case strings.HasPrefix(eventType, "MESSAGE_"):
		return pick(discordgo.IntentsGuildMessages, discordgo.IntentsDirectMessages)
	case eventType == "TYPING_START":
		return pick(discordgo.IntentsGuildMessageTyping, discordgo.IntentsDirectMessageTyping)
	}
	return 0
}

// needsContentRemoved: without MESSAGE_CONTENT a bot sees the content of a
// guild message only if it wrote it or is mentioned in it.
func needsContentRemoved(sess *gatewaySession, eventType string, info eventInfo, botID string) bool {
	if eventType != "MESSAGE_CREATE" && eventType != "MESSAGE_UPDATE" {
		return false
	}
	if info.guildID == "" || sess.identify.Intents&discordgo.IntentsMessageContent != 0 || info.authorID == botID {
		return false
	}
	for _, id := range info.mentions {
		if id == botID {
			return false
		}
	}
	return true
}

func withoutContent(raw json.RawMessage) json.RawMessage {
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return raw
	}
	o["content"] = json.RawMessage(`""`)
	for _, k := range []string{"embeds", "attachments", "components"} {
		o[k] = json.RawMessage("[]")
	}
	delete(o, "poll")
	b, err := json.Marshal(o)
	if err != nil {
		panic(fmt.Sprintf("discordtest: re-encode message: %v", err))
	}
	return b
}
