package discordtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"
)

// maxCountedMembers is where a thread's member_count stops counting.
const maxCountedMembers = 50

// addThreadMember is Add Thread Member (and Join Thread for @me). Adding
// another needs the right to post in the thread, and in a private thread
// that is not invitable, MANAGE_THREADS. Nobody joins an archived thread.
// A new member makes THREAD_MEMBERS_UPDATE and, when someone else added
// them, a RECIPIENT_ADD system message in the thread; joining also makes
// THREAD_CREATE with the bot's thread member.
func (s *Server) addThreadMember(w http.ResponseWriter, r *http.Request) {
	uid, self := s.memberPathID(r)
	s.mu.Lock()
	th, ok := s.threadLocked(w, r.PathValue("cid"))
	if !ok {
		s.mu.Unlock()
		return
	}
	md, acc := metadata(th), s.threadAccessLocked(th, s.bot.ID)
	_, target := s.memberLocked(th.GuildID, uid)
	status, code, msg := 0, 0, ""
	switch {
	case !acc.sees && !(self && th.Type != discordgo.ChannelTypeGuildPrivateThread && acc.perms&discordgo.PermissionViewChannel != 0):
		status, code, msg = http.StatusForbidden, 50001, "Missing Access"
	case md.Archived:
		status, code, msg = http.StatusForbidden, 50083, "Thread is archived"
	case self:
	case target == nil:
		status, code, msg = http.StatusNotFound, 10007, "Unknown Member"
	default:
		status, code, msg = threadSendRefusal(md, acc, 0)
		if status == 0 && th.Type == discordgo.ChannelTypeGuildPrivateThread && !md.Invitable && !acc.moderator {
			status, code, msg = http.StatusForbidden, 50013, "Missing Permissions"
		}
	}
	if status != 0 {
		s.mu.Unlock()
		writeError(w, status, code, msg)
		return
	}
	ts := s.threads[th.ID]
	if _, in := ts.members[uid]; in {
		s.mu.Unlock()
		noContent(w)
		return
	}
	now := time.Now().UTC()
	ts.members[uid] = now
	th.MemberCount = min(len(ts.members), maxCountedMembers)
	added := map[string]any{"id": th.ID, "user_id": uid, "join_timestamp": now, "flags": 0, "presence": nil}
	if target != nil {
		added["member"] = memberWire(th.GuildID, target)
	}
	update := map[string]any{"id": th.ID, "guild_id": th.GuildID, "member_count": th.MemberCount,
		"added_members": []any{added}}
	var system *discordgo.Message
	var joined json.RawMessage
	if self {
		joined = s.threadWireLocked(th, nil)
	} else {
		system = s.systemMessageLocked(th, discordgo.MessageTypeRecipientAdd, uid)
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcastJSON("THREAD_MEMBERS_UPDATE", update)
	if joined != nil {
		s.broadcast("THREAD_CREATE", joined)
	}
	if system != nil {
		s.announce("MESSAGE_CREATE", system)
	}
	noContent(w)
}

// removeThreadMember is Remove Thread Member (and Leave Thread for @me):
// removing another needs MANAGE_THREADS, or to have created the private
// thread; nobody leaves an archived thread. Removing someone not in the
// thread changes nothing.
func (s *Server) removeThreadMember(w http.ResponseWriter, r *http.Request) {
	uid, self := s.memberPathID(r)
	s.mu.Lock()
	th, ok := s.threadLocked(w, r.PathValue("cid"))
	if !ok {
		s.mu.Unlock()
		return
	}
	md, acc := metadata(th), s.threadAccessLocked(th, s.bot.ID)
	status, code, msg := 0, 0, ""
	switch {
	case !acc.sees:
		status, code, msg = http.StatusForbidden, 50001, "Missing Access"
	case md.Archived:
		status, code, msg = http.StatusForbidden, 50083, "Thread is archived"
	case !self && !acc.moderator && !(acc.creator && th.Type == discordgo.ChannelTypeGuildPrivateThread):
		status, code, msg = http.StatusForbidden, 50013, "Missing Permissions"
	}
	if status != 0 {
		s.mu.Unlock()
		writeError(w, status, code, msg)
		return
	}
	ts := s.threads[th.ID]
	if _, in := ts.members[uid]; !in {
		s.mu.Unlock()
		noContent(w)
		return
	}
	delete(ts.members, uid)
	th.MemberCount = min(len(ts.members), maxCountedMembers)
	update := map[string]any{"id": th.ID, "guild_id": th.GuildID, "member_count": th.MemberCount,
		"removed_member_ids": []string{uid}}
	var system *discordgo.Message
	if !self {
		system = s.systemMessageLocked(th, discordgo.MessageTypeRecipientRemove, uid)
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcastJSON("THREAD_MEMBERS_UPDATE", update)
	if system != nil {
		s.announce("MESSAGE_CREATE", system)
	}
	noContent(w)
}

// getThreadMember answers a member of a thread the bot sees, with their
// guild member when with_member=true; 404 Unknown Member if not in it.
func (s *Server) getThreadMember(w http.ResponseWriter, r *http.Request) {
	uid, _ := s.memberPathID(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	th, ok := s.threadLocked(w, r.PathValue("cid"))
	if !ok {
		return
	}
	if !s.threadAccessLocked(th, s.bot.ID).sees {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	joined, in := s.threads[th.ID].members[uid]
	if !in {
		writeError(w, http.StatusNotFound, 10007, "Unknown Member")
		return
	}
	writeJSON(w, http.StatusOK, s.threadMemberWireLocked(th, uid, joined, r.URL.Query().Get("with_member") == "true"))
}

// listThreadMembers answers a thread's members by user id.
func (s *Server) listThreadMembers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	th, ok := s.threadLocked(w, r.PathValue("cid"))
	if !ok {
		return
	}
	if !s.threadAccessLocked(th, s.bot.ID).sees {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	withMember := r.URL.Query().Get("with_member") == "true"
	ts := s.threads[th.ID]
	out := []map[string]any{}
	for _, uid := range sortedIDs(ts.members) {
		out = append(out, s.threadMemberWireLocked(th, uid, ts.members[uid], withMember))
	}
	writeJSON(w, http.StatusOK, out)
}

// threadMemberWireLocked is a thread member object; s.mu must be held.
func (s *Server) threadMemberWireLocked(th *discordgo.Channel, uid string, joined time.Time, withMember bool) map[string]any {
	out := map[string]any{"id": th.ID, "user_id": uid, "join_timestamp": joined, "flags": 0}
	if _, m := s.memberLocked(th.GuildID, uid); withMember && m != nil {
		out["member"] = memberWire(th.GuildID, m)
	}
	return out
}

// memberPathID reads {uid}, which is the bot for "@me".
func (s *Server) memberPathID(r *http.Request) (uid string, self bool) {
	uid = r.PathValue("uid")
	if uid == "@me" {
		uid = s.bot.ID
	}
	return uid, uid == s.bot.ID
}

// systemMessageLocked stores the system message Discord posts in a
// thread when the bot adds or removes someone: RECIPIENT_ADD or
// RECIPIENT_REMOVE, mentioning them. s.mu must be held.
func (s *Server) systemMessageLocked(th *discordgo.Channel, typ discordgo.MessageType, userID string) *discordgo.Message {
	bot := s.bot
	m := &discordgo.Message{ID: NewID(), ChannelID: th.ID, GuildID: th.GuildID, Type: typ, Author: &bot,
		Timestamp: time.Now().UTC(), Mentions: []*discordgo.User{s.userLocked(userID)}, MentionRoles: []string{}}
	s.putMessageLocked(m)
	return m
}

// sortedIDs returns a member map's user ids in snowflake order.
func sortedIDs(members map[string]time.Time) []string {
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, compareIDs)
	return ids
}
