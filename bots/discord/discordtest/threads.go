package discordtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Threads as https://discord.com/developers/docs/topics/threads and the
// channel resource describe them: sub-channels of a text (or
// announcement) channel, private ones visible only to their members and
// to moderators (MANAGE_THREADS), with permissions taken from the parent
// channel, where SEND_MESSAGES_IN_THREADS replaces SEND_MESSAGES.

// threadState is what the fake keeps of a thread besides its channel.
type threadState struct {
	members map[string]time.Time // user id -> join time
	sent    int                  // total_message_sent: never decremented
}

// autoArchiveChoices are the auto_archive_duration values Discord takes.
var autoArchiveChoices = []int{60, 1440, 4320, 10080}

// defaultAutoArchive is the auto_archive_duration of a thread created
// without one.
const defaultAutoArchive = 4320

// maxSlowmode is the largest rate_limit_per_user, in seconds.
const maxSlowmode = 21600

func (s *Server) threadRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /channels/{cid}/threads", s.startThread)
	m.HandleFunc("PATCH /channels/{cid}", s.modifyThread)
	m.HandleFunc("GET /channels/{cid}/thread-members", s.listThreadMembers)
	m.HandleFunc("GET /channels/{cid}/thread-members/{uid}", s.getThreadMember)
	m.HandleFunc("PUT /channels/{cid}/thread-members/{uid}", s.addThreadMember)
	m.HandleFunc("DELETE /channels/{cid}/thread-members/{uid}", s.removeThreadMember)
}

// threadBody is the JSON of Start Thread without Message and of Modify
// Channel for a thread; nil fields were not sent.
type threadBody struct {
	Name                *string `json:"name"`
	Type                *int    `json:"type"`
	AutoArchiveDuration *int    `json:"auto_archive_duration"`
	Invitable           *bool   `json:"invitable"`
	RateLimitPerUser    *int    `json:"rate_limit_per_user"`
	Archived            *bool   `json:"archived"`
	Locked              *bool   `json:"locked"`
}

// validate adds the form errors Discord answers for a thread's fields.
func (b *threadBody) validate(fe formErrors, creating bool) {
	switch {
	case b.Name != nil:
		fe.length("name", *b.Name, 1, 100)
	case creating:
		fe.add("name", "BASE_TYPE_REQUIRED", "This field is required")
	}
	if b.AutoArchiveDuration != nil && !slices.Contains(autoArchiveChoices, *b.AutoArchiveDuration) {
		fe.add("auto_archive_duration", "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}.")
	}
	if b.RateLimitPerUser != nil {
		switch n := *b.RateLimitPerUser; {
		case n < 0:
			fe.add("rate_limit_per_user", "NUMBER_TYPE_MIN", "int value should be greater than or equal to 0.")
		case n > maxSlowmode:
			fe.add("rate_limit_per_user", "NUMBER_TYPE_MAX", "int value should be less than or equal to 21600.")
		}
	}
	if creating && b.Type != nil && (*b.Type < int(discordgo.ChannelTypeGuildNewsThread) || *b.Type > int(discordgo.ChannelTypeGuildPrivateThread)) {
		fe.add("type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")
	}
}

// threadParent is the channel type each thread type is created in.
var threadParent = map[discordgo.ChannelType]discordgo.ChannelType{
	discordgo.ChannelTypeGuildNewsThread:    discordgo.ChannelTypeGuildNews,
	discordgo.ChannelTypeGuildPublicThread:  discordgo.ChannelTypeGuildText,
	discordgo.ChannelTypeGuildPrivateThread: discordgo.ChannelTypeGuildText,
}

// startThread is Start Thread without Message: type defaults to 12
// (private), which needs CREATE_PRIVATE_THREADS in the parent; 10 and 11
// need CREATE_PUBLIC_THREADS. The bot becomes the thread's owner and
// first member, and the gateway hears THREAD_CREATE (newly_created).
func (s *Server) startThread(w http.ResponseWriter, r *http.Request) {
	parent, ok := s.channel(w, r.PathValue("cid"))
	if !ok {
		return
	}
	var body threadBody
	if !decodeJSON(w, r, &body) {
		return
	}
	fe := formErrors{}
	body.validate(fe, true)
	if len(fe) > 0 {
		writeFormErrors(w, fe)
		return
	}
	typ := discordgo.ChannelTypeGuildPrivateThread
	if body.Type != nil {
		typ = discordgo.ChannelType(*body.Type)
	}
	switch {
	case parent.GuildID == "":
		writeError(w, http.StatusForbidden, 50003, "Cannot execute action on a DM channel")
		return
	case parent.Type != threadParent[typ]:
		writeError(w, http.StatusBadRequest, 50024, "Cannot execute action on this channel type")
		return
	}
	need := int64(discordgo.PermissionCreatePublicThreads)
	if typ == discordgo.ChannelTypeGuildPrivateThread {
		need = discordgo.PermissionCreatePrivateThreads
	}
	if !s.botMayInChannel(w, parent, need) {
		return
	}
	now := time.Now().UTC()
	th := &discordgo.Channel{ID: NewID(), GuildID: parent.GuildID, ParentID: parent.ID, OwnerID: s.bot.ID,
		Name: *body.Name, Type: typ, NSFW: parent.NSFW, MemberCount: 1,
		ThreadMetadata: &discordgo.ThreadMetadata{AutoArchiveDuration: defaultAutoArchive, ArchiveTimestamp: now}}
	if body.AutoArchiveDuration != nil {
		th.ThreadMetadata.AutoArchiveDuration = *body.AutoArchiveDuration
	}
	if body.RateLimitPerUser != nil {
		th.RateLimitPerUser = *body.RateLimitPerUser
	}
	if typ == discordgo.ChannelTypeGuildPrivateThread {
		th.ThreadMetadata.Invitable = body.Invitable == nil || *body.Invitable
	}
	s.mu.Lock()
	s.channels[th.ID] = th
	s.threads[th.ID] = &threadState{members: map[string]time.Time{s.bot.ID: now}}
	created := s.threadWireLocked(th, map[string]any{"newly_created": true})
	answer := s.threadWireLocked(th, nil)
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcast("THREAD_CREATE", created)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(answer)
}

// modifyThread is Modify Channel for a thread. Renaming, archiving and
// the auto-archive duration need MANAGE_THREADS or to be the thread's
// creator; locking, invitable and slowmode need MANAGE_THREADS;
// unarchiving needs only to be in the thread, unless it is locked. An
// archived thread takes no change that does not unarchive it. The
// gateway hears THREAD_UPDATE. Other channels are beyond the fake.
func (s *Server) modifyThread(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r.PathValue("cid"))
	if !ok {
		return
	}
	if !ch.IsThread() {
		writeError(w, http.StatusNotImplemented, 0, "discordtest: Modify Channel is only faked for threads")
		return
	}
	var body threadBody
	if !decodeJSON(w, r, &body) {
		return
	}
	fe := formErrors{}
	body.validate(fe, false)
	if len(fe) > 0 {
		writeFormErrors(w, fe)
		return
	}
	s.mu.Lock()
	th, ok := s.channels[ch.ID]
	if !ok { // deleted meanwhile
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return
	}
	md := metadata(th)
	acc := s.threadAccessLocked(th, s.bot.ID)
	if status, code, msg := threadEditRefusal(&body, md, acc); status != 0 {
		s.mu.Unlock()
		writeError(w, status, code, msg)
		return
	}
	now := time.Now().UTC()
	if body.Name != nil {
		th.Name = *body.Name
	}
	if body.Archived != nil && *body.Archived != md.Archived {
		md.Archived, md.ArchiveTimestamp = *body.Archived, now
	}
	if body.AutoArchiveDuration != nil {
		md.AutoArchiveDuration, md.ArchiveTimestamp = *body.AutoArchiveDuration, now
	}
	if body.Locked != nil {
		md.Locked = *body.Locked
	}
	if body.Invitable != nil && th.Type == discordgo.ChannelTypeGuildPrivateThread {
		md.Invitable = *body.Invitable
	}
	if body.RateLimitPerUser != nil {
		th.RateLimitPerUser = *body.RateLimitPerUser
	}
	wire := s.threadWireLocked(th, nil)
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcast("THREAD_UPDATE", wire)
	w.Header().Set("Content-Type", "application/json")
	w.Write(wire)
}

// threadEditRefusal is Discord's answer to an edit the bot may not make,
// or status 0.
func threadEditRefusal(b *threadBody, md *discordgo.ThreadMetadata, acc threadAccess) (status, code int, msg string) {
	unarchives := b.Archived != nil && !*b.Archived
	switch {
	case !acc.sees:
		return http.StatusForbidden, 50001, "Missing Access"
	case md.Archived && !unarchives:
		return http.StatusForbidden, 50083, "Thread is archived"
	case (b.Locked != nil || b.RateLimitPerUser != nil || b.Invitable != nil) && !acc.moderator:
		return http.StatusForbidden, 50013, "Missing Permissions"
	case (b.Name != nil || b.AutoArchiveDuration != nil || b.Archived != nil && *b.Archived) && !acc.moderator && !acc.creator:
		return http.StatusForbidden, 50013, "Missing Permissions"
	case unarchives && md.Locked && !acc.moderator && !acc.creator:
		return http.StatusForbidden, 50013, "Missing Permissions"
	case unarchives && !acc.member && !acc.moderator:
		return http.StatusForbidden, 50013, "Missing Permissions"
	}
	return 0, 0, ""
}

// metadata returns a thread's metadata, making it for a thread a test
// dispatched without.
func metadata(th *discordgo.Channel) *discordgo.ThreadMetadata {
	if th.ThreadMetadata == nil {
		th.ThreadMetadata = &discordgo.ThreadMetadata{AutoArchiveDuration: defaultAutoArchive, ArchiveTimestamp: time.Now().UTC()}
	}
	return th.ThreadMetadata
}

// threadAccess is what a user may do in a thread, from their permissions
// in its parent channel and their membership.
type threadAccess struct {
	perms     int64
	moderator bool // MANAGE_THREADS: sees every thread, manages them all
	member    bool // in the thread
	creator   bool // started it
	sees      bool // views the parent and, for a private thread, is in it or moderates
}

// threadAccessLocked works out a user's access to a thread; s.mu must be
// held.
func (s *Server) threadAccessLocked(th *discordgo.Channel, userID string) threadAccess {
	acc := threadAccess{creator: th.OwnerID == userID}
	if ts := s.threads[th.ID]; ts != nil {
		_, acc.member = ts.members[userID]
	}
	gs, m := s.memberLocked(th.GuildID, userID)
	switch {
	case gs == nil:
		acc.perms = allPermissions
	case m == nil:
		acc.perms = 0
	case s.channels[th.ParentID] != nil:
		acc.perms = gs.channelPermissions(s.channels[th.ParentID], m)
	default:
		acc.perms = gs.permissions(m)
	}
	acc.moderator = acc.perms&discordgo.PermissionManageThreads != 0
	acc.sees = acc.perms&discordgo.PermissionViewChannel != 0 &&
		(th.Type != discordgo.ChannelTypeGuildPrivateThread || acc.member || acc.moderator)
	return acc
}

// threadSendRefusal is Discord's answer when a user may not post in a
// thread (need: the permissions the message needs besides
// SEND_MESSAGES_IN_THREADS), or status 0.
func threadSendRefusal(md *discordgo.ThreadMetadata, acc threadAccess, need int64) (status, code int, msg string) {
	need |= discordgo.PermissionSendMessagesInThreads
	switch {
	case !acc.sees:
		return http.StatusForbidden, 50001, "Missing Access"
	case acc.perms&need != need:
		return http.StatusForbidden, 50013, "Missing Permissions"
	case md.Locked && md.Archived && !acc.moderator:
		return http.StatusForbidden, 50083, "Thread is archived"
	case md.Locked && !acc.moderator:
		return http.StatusForbidden, 160005, "Thread is locked"
	}
	return 0, 0, ""
}

// postedInThreadLocked counts a message posted in a thread and unarchives
// the thread, as a message does; it returns the thread as THREAD_UPDATE
// carries it if it was archived, else nil. s.mu must be held.
func (s *Server) postedInThreadLocked(th *discordgo.Channel, messageID string) json.RawMessage {
	th.MessageCount++
	th.LastMessageID = messageID
	if ts := s.threads[th.ID]; ts != nil {
		ts.sent++
	}
	md := metadata(th)
	if !md.Archived {
		return nil
	}
	md.Archived, md.ArchiveTimestamp = false, time.Now().UTC()
	return s.threadWireLocked(th, nil)
}

// threadWireLocked encodes a thread as Discord sends it: with
// total_message_sent, and with the bot's own thread member as "member"
// when it is in the thread (discordgo reads that field as
// "thread_member"). extra fields are added. s.mu must be held.
func (s *Server) threadWireLocked(th *discordgo.Channel, extra map[string]any) json.RawMessage {
	o, err := toObject(th)
	if err != nil {
		panic("discordtest: encode thread: " + err.Error())
	}
	delete(o, "thread_member")
	ts := s.threads[th.ID]
	if ts != nil {
		err = o.set("total_message_sent", ts.sent)
		if joined, in := ts.members[s.bot.ID]; in && err == nil {
			err = o.set("member", threadMember(th.ID, s.bot.ID, joined))
		}
	}
	for k, v := range extra {
		if err == nil {
			err = o.set(k, v)
		}
	}
	if err != nil {
		panic("discordtest: encode thread: " + err.Error())
	}
	b, _ := json.Marshal(o)
	return b
}

// threadMember is a thread member object.
func threadMember(threadID, userID string, joined time.Time) discordgo.ThreadMember {
	return discordgo.ThreadMember{ID: threadID, UserID: userID, JoinTimestamp: joined}
}

// thread returns a stored thread, answering 404 Unknown Channel when the
// channel is unknown and 400 when it is no thread; s.mu must be held.
func (s *Server) threadLocked(w http.ResponseWriter, id string) (*discordgo.Channel, bool) {
	th, ok := s.channels[id]
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return nil, false
	case !th.IsThread():
		writeError(w, http.StatusBadRequest, 50024, "Cannot execute action on this channel type")
		return nil, false
	}
	if s.threads[id] == nil {
		s.threads[id] = &threadState{members: map[string]time.Time{}}
	}
	return th, true
}

// withThreadsLocked adds to a guild's GUILD_CREATE the active threads of
// the guild the bot sees, with its thread member in those it is in, as
// Discord sends them when a session starts. s.mu must be held.
func (s *Server) withThreadsLocked(guildID string, raw json.RawMessage) json.RawMessage {
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		panic("discordtest: decode guild: " + err.Error())
	}
	threads := []json.RawMessage{}
	for _, ch := range s.channels {
		if ch.GuildID == guildID && ch.IsThread() && !metadata(ch).Archived && s.threadAccessLocked(ch, s.bot.ID).sees {
			threads = append(threads, s.threadWireLocked(ch, nil))
		}
	}
	o["threads"], _ = json.Marshal(threads) // already encoded
	b, _ := json.Marshal(o)
	return b
}
