package discordtest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// What tests see of threads and how they play the people in them.

// Thread returns a copy of a stored thread: its name, owner, parent,
// counts and thread_metadata (archived, locked, invitable) as the bot's
// calls and the tests' events have left them.
func (s *Server) Thread(threadID string) (*discordgo.Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	th, ok := s.channels[threadID]
	if !ok || !th.IsThread() {
		return nil, false
	}
	var cp discordgo.Channel
	mustCopy(th, &cp)
	return &cp, true
}

// ThreadMembers returns the ids of a thread's members in snowflake order,
// the bot included once it started or joined the thread.
func (s *Server) ThreadMembers(threadID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts, ok := s.threads[threadID]
	if !ok {
		return nil
	}
	return sortedIDs(ts.members)
}

// PostInThread plays author posting content in a thread and returns the
// message, dispatched as MESSAGE_CREATE with channel_id the thread's id.
// As on Discord the message unarchives an archived thread (THREAD_UPDATE
// first); it fails the test where Discord would refuse the author: not
// seeing the thread (a private one they are not in, without
// MANAGE_THREADS), lacking SEND_MESSAGES_IN_THREADS, or a locked thread
// without MANAGE_THREADS.
func (s *Server) PostInThread(t testing.TB, threadID string, author discordgo.User, content string) *discordgo.Message {
	t.Helper()
	s.mu.Lock()
	th, ok := s.channels[threadID]
	if !ok || !th.IsThread() {
		s.mu.Unlock()
		t.Fatalf("discordtest: PostInThread: %s is no thread the fake knows", threadID)
	}
	status, code, msg := threadSendRefusal(metadata(th), s.threadAccessLocked(th, author.ID), 0)
	s.mu.Unlock()
	if status != 0 {
		t.Fatalf("discordtest: %s may not post in thread %s: Discord would answer %d (%d %s)", author.Username, threadID, status, code, msg)
	}
	m := s.MessageCreate(threadID, author, content)
	s.mu.Lock()
	unarchived := s.postedInThreadLocked(th, m.ID)
	s.mu.Unlock()
	if unarchived != nil {
		s.broadcast("THREAD_UPDATE", unarchived)
	}
	s.Dispatch(t, "MESSAGE_CREATE", m)
	return m
}

// JoinThread plays user joining a thread in the app (a moderator opening
// a private one, anyone a public one): they become a member and the
// gateway hears THREAD_MEMBERS_UPDATE, which a bot without GUILD_MEMBERS
// does not get. It fails the test where Discord would refuse.
func (s *Server) JoinThread(t testing.TB, threadID string, user discordgo.User) {
	t.Helper()
	s.mu.Lock()
	th, ok := s.channels[threadID]
	if !ok || !th.IsThread() {
		s.mu.Unlock()
		t.Fatalf("discordtest: JoinThread: %s is no thread the fake knows", threadID)
	}
	acc := s.threadAccessLocked(th, user.ID)
	if !acc.moderator && (th.Type == discordgo.ChannelTypeGuildPrivateThread || acc.perms&discordgo.PermissionViewChannel == 0) ||
		metadata(th).Archived {
		s.mu.Unlock()
		t.Fatalf("discordtest: %s may not join thread %s", user.Username, threadID)
	}
	if s.threads[th.ID] == nil {
		s.threads[th.ID] = &threadState{members: map[string]time.Time{}}
	}
	ts := s.threads[th.ID]
	now := time.Now().UTC()
	ts.members[user.ID] = now
	th.MemberCount = min(len(ts.members), maxCountedMembers)
	added := s.threadMemberWireLocked(th, user.ID, now, true)
	added["presence"] = nil
	update := map[string]any{"id": th.ID, "guild_id": th.GuildID, "member_count": th.MemberCount,
		"added_members": []any{added}}
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcastJSON("THREAD_MEMBERS_UPDATE", update)
}

// SetThreadState plays by archiving or unarchiving, locking or unlocking
// a thread in the app (a moderator closing a ticket by hand): the gateway
// hears THREAD_UPDATE. It fails the test where Discord would refuse by.
func (s *Server) SetThreadState(t testing.TB, threadID string, by discordgo.User, archived, locked bool) {
	t.Helper()
	s.mu.Lock()
	th, ok := s.channels[threadID]
	if !ok || !th.IsThread() {
		s.mu.Unlock()
		t.Fatalf("discordtest: SetThreadState: %s is no thread the fake knows", threadID)
	}
	md := metadata(th)
	body := threadBody{Archived: &archived}
	if locked != md.Locked {
		body.Locked = &locked
	}
	if status, code, msg := threadEditRefusal(&body, md, s.threadAccessLocked(th, by.ID)); status != 0 {
		s.mu.Unlock()
		t.Fatalf("discordtest: %s may not change thread %s: Discord would answer %d (%d %s)", by.Username, threadID, status, code, msg)
	}
	if md.Archived != archived {
		md.Archived, md.ArchiveTimestamp = archived, time.Now().UTC()
	}
	md.Locked = locked
	var wire json.RawMessage = s.threadWireLocked(th, nil)
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcast("THREAD_UPDATE", wire)
}
