package discordtest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /gateway", s.getGateway)
	m.HandleFunc("GET /gateway/bot", s.getGatewayBot)
	m.HandleFunc("GET /users/@me", s.getMe)
	m.HandleFunc("POST /users/@me/channels", s.createDM)
	m.HandleFunc("GET /channels/{cid}", s.getChannel)
	m.HandleFunc("POST /channels/{cid}/typing", s.typing)
	m.HandleFunc("POST /channels/{cid}/messages", s.createMessage)
	m.HandleFunc("POST /channels/{cid}/messages/bulk-delete", s.bulkDelete)
	m.HandleFunc("GET /channels/{cid}/messages/{mid}", s.getMessage)
	m.HandleFunc("PATCH /channels/{cid}/messages/{mid}", s.editMessage)
	m.HandleFunc("DELETE /channels/{cid}/messages/{mid}", s.deleteMessage)
	m.HandleFunc("PUT /channels/{cid}/messages/{mid}/reactions/{emoji}/@me", s.addReaction)
	s.threadRoutes(m)
	s.interactionRoutes(m)
	s.commandRoutes(m)
	s.guildRoutes(m)
	m.HandleFunc("/", notFound)
	return m
}

func (s *Server) getGateway(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"url": s.gatewayURL()})
}

func (s *Server) getGatewayBot(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.gatewayURL(),
		"shards": s.cfg.shards,
		"session_start_limit": map[string]int{
			"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1,
		},
	})
}

func (s *Server) getMe(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.bot)
}

// createDM opens (or returns) the DM channel with a user.
func (s *Server) createDM(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RecipientID string `json:"recipient_id"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	if body.RecipientID == "" {
		fe := formErrors{}
		fe.add("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
		writeFormErrors(w, fe)
		return
	}
	s.mu.Lock()
	ch := *s.dmChannelLocked(body.RecipientID)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, &ch)
}

// channel returns a copy of a known channel, answering 404 otherwise.
func (s *Server) channel(w http.ResponseWriter, id string) (discordgo.Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[id]
	if !ok {
		writeError(w, http.StatusNotFound, 10003, "Unknown Channel")
		return discordgo.Channel{}, false
	}
	return *ch, true
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r.PathValue("cid"))
	if !ok {
		return
	}
	if !ch.IsThread() {
		writeJSON(w, http.StatusOK, &ch)
		return
	}
	s.mu.Lock()
	th := s.channels[ch.ID]
	sees := s.threadAccessLocked(th, s.bot.ID).sees
	wire := s.threadWireLocked(th, nil)
	s.mu.Unlock()
	if !sees {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(wire)
}

func (s *Server) typing(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.channel(w, r.PathValue("cid")); ok {
		noContent(w)
	}
}

// textless channels cannot hold messages.
var textless = []discordgo.ChannelType{discordgo.ChannelTypeGuildCategory, discordgo.ChannelTypeGuildForum,
	discordgo.ChannelTypeGuildMedia, discordgo.ChannelTypeGuildDirectory}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r.PathValue("cid"))
	if !ok {
		return
	}
	if slices.Contains(textless, ch.Type) {
		writeError(w, http.StatusBadRequest, 50008, "Cannot send messages in a non-text channel")
		return
	}
	out, ok := readOutgoing(w, r)
	if !ok || !out.valid(w, "", true) {
		return
	}
	nonce, ok := out.nonce(w)
	if !ok {
		return
	}
	var need int64
	if len(out.files) > 0 {
		need |= discordgo.PermissionAttachFiles
	}
	if !ch.IsThread() && !s.botMayInChannel(w, ch, need|discordgo.PermissionSendMessages) {
		return
	}
	s.mu.Lock()
	th := s.channels[ch.ID]
	if ch.IsThread() {
		if status, code, msg := threadSendRefusal(metadata(th), s.threadAccessLocked(th, s.bot.ID), need); status != 0 {
			s.mu.Unlock()
			writeError(w, status, code, msg)
			return
		}
	}
	if out.payload.EnforceNonce && nonce != "" {
		if earlier, found := s.earlierByNonceLocked(nonce); found {
			s.mu.Unlock()
			s.answerEarlier(w, earlier, out.payload.Nonce)
			return
		}
	}
	m := s.newBotMessageLocked(ch.ID, out)
	s.putMessageLocked(m)
	s.rememberNonceLocked(nonce, m)
	var unarchived json.RawMessage
	if ch.IsThread() {
		unarchived = s.postedInThreadLocked(th, m.ID) // a message unarchives its thread
	}
	s.mu.Unlock()
	if unarchived != nil {
		s.broadcast("THREAD_UPDATE", unarchived)
	}
	s.answerCreated(w, m, out.payload.Nonce)
}

// answerMessage tells the gateway about a created or edited message and
// answers it.
func (s *Server) answerMessage(w http.ResponseWriter, eventType string, m *discordgo.Message) {
	wire, err := s.announce(eventType, m)
	if err != nil {
		writeError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
		return
	}
	writeJSON(w, http.StatusOK, wire)
}

// announce tells the gateway about a created or edited message, unless
// only its recipient can see it, and returns the message as Discord sends
// it.
func (s *Server) announce(eventType string, m *discordgo.Message) (json.RawMessage, error) {
	wire, err := messageWire(m)
	if err != nil {
		return nil, err
	}
	if m.Flags&discordgo.MessageFlagsEphemeral == 0 {
		s.broadcast(eventType, wire)
	}
	return wire, nil
}

var (
	userMention = regexp.MustCompile(`<@!?(\d+)>`)
	roleMention = regexp.MustCompile(`<@&(\d+)>`)
)

// newBotMessageLocked builds the message the bot sends with out.
func (s *Server) newBotMessageLocked(channelID string, out outgoing) *discordgo.Message {
	var m discordgo.Message
	if len(out.raw) > 0 {
		_ = json.Unmarshal(out.raw, &m) // validated already
	}
	bot := s.bot
	m.ID, m.ChannelID, m.Author, m.Timestamp = NewID(), channelID, &bot, time.Now().UTC()
	if ch, ok := s.channels[channelID]; ok {
		m.GuildID = ch.GuildID
	}
	m.EditedTimestamp, m.Pinned, m.Reactions, m.Member = nil, false, nil, nil
	m.Type = discordgo.MessageTypeDefault
	if m.MessageReference != nil {
		m.Type = discordgo.MessageTypeReply
	}
	for _, e := range m.Embeds {
		if e.Type == "" {
			e.Type = discordgo.EmbedTypeRich
		}
	}
	m.Attachments = s.attachments(channelID, out.files)
	m.Mentions, m.MentionRoles = nil, nil
	for _, sub := range userMention.FindAllStringSubmatch(m.Content, -1) {
		m.Mentions = append(m.Mentions, s.userLocked(sub[1]))
	}
	for _, sub := range roleMention.FindAllStringSubmatch(m.Content, -1) {
		m.MentionRoles = append(m.MentionRoles, sub[1])
	}
	return &m
}

// message returns a copy of a stored message, answering 404 otherwise.
func (s *Server) message(w http.ResponseWriter, channelID, messageID string) (*discordgo.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m := s.findMessageLocked(channelID, messageID)
	if m == nil {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return nil, false
	}
	return copyMessage(m), true
}

func (s *Server) getMessage(w http.ResponseWriter, r *http.Request) {
	m, ok := s.message(w, r.PathValue("cid"), r.PathValue("mid"))
	if !ok {
		return
	}
	wire, err := messageWire(m)
	if err != nil {
		writeError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
		return
	}
	writeJSON(w, http.StatusOK, wire)
}

func (s *Server) editMessage(w http.ResponseWriter, r *http.Request) {
	m, ok := s.message(w, r.PathValue("cid"), r.PathValue("mid"))
	if !ok {
		return
	}
	if m.Author == nil || m.Author.ID != s.bot.ID {
		writeError(w, http.StatusForbidden, 50005, "Cannot edit a message authored by another user")
		return
	}
	out, ok := readOutgoing(w, r)
	if !ok || !out.valid(w, "", false) {
		return
	}
	s.editAndAnswer(w, m, out)
}

// editAndAnswer applies an edit to a stored message and answers it.
func (s *Server) editAndAnswer(w http.ResponseWriter, m *discordgo.Message, out outgoing) {
	edited, err := s.applyEdit(m, out)
	if err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	s.mu.Lock()
	s.putMessageLocked(edited)
	s.mu.Unlock()
	s.answerMessage(w, "MESSAGE_UPDATE", edited)
}

// editable are the message fields an edit may set, with what null sets them to.
var editable = map[string]json.RawMessage{
	"content": json.RawMessage(`""`), "embeds": json.RawMessage("[]"),
	"components": json.RawMessage("[]"), "flags": json.RawMessage("0"),
}

// applyEdit returns m with the fields an edit payload sets replaced.
func (s *Server) applyEdit(m *discordgo.Message, out outgoing) (*discordgo.Message, error) {
	wire, err := messageWire(m)
	if err != nil {
		return nil, err
	}
	var o, patch object
	if err := json.Unmarshal(wire, &o); err != nil {
		return nil, err
	}
	if len(out.raw) > 0 {
		if err := json.Unmarshal(out.raw, &patch); err != nil {
			return nil, err
		}
	}
	for k, cleared := range editable {
		if v, ok := patch[k]; ok {
			if string(v) == "null" {
				v = cleared
			}
			o[k] = v
		}
	}
	if err := o.set("edited_timestamp", time.Now().UTC()); err != nil {
		return nil, err
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var edited discordgo.Message
	if err := json.Unmarshal(b, &edited); err != nil {
		return nil, err
	}
	edited.Flags &^= discordgo.MessageFlagsLoading // an edit ends "thinking..."
	edited.Attachments = keepAttachments(edited.Attachments, patch["attachments"])
	edited.Attachments = append(edited.Attachments, s.attachments(m.ChannelID, out.files)...)
	return &edited, nil
}

// keepAttachments keeps the attachments an edit lists (all if it lists none).
func keepAttachments(have []*discordgo.MessageAttachment, listed json.RawMessage) []*discordgo.MessageAttachment {
	var keep []struct {
		ID string `json:"id"`
	}
	if len(listed) == 0 || json.Unmarshal(listed, &keep) != nil {
		return have
	}
	ids := map[string]bool{}
	for _, k := range keep {
		ids[k.ID] = true
	}
	return slices.DeleteFunc(have, func(a *discordgo.MessageAttachment) bool { return !ids[a.ID] })
}

// deleteMessage deletes a message: the bot's own with no permission,
// another's with Manage Messages.
func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r.PathValue("cid"))
	if !ok {
		return
	}
	m, ok := s.message(w, ch.ID, r.PathValue("mid"))
	if !ok {
		return
	}
	need := int64(discordgo.PermissionViewChannel)
	if m.Author == nil || m.Author.ID != s.bot.ID {
		need |= discordgo.PermissionManageMessages
	}
	if !s.botMayInChannel(w, ch, need) {
		return
	}
	s.mu.Lock()
	s.deleteMessageLocked(m.ChannelID, m.ID)
	s.notifyLocked()
	s.mu.Unlock()
	s.announceDelete(m)
	noContent(w)
}

// announceDelete tells the gateway a message is gone, unless only its
// recipient could see it.
func (s *Server) announceDelete(m *discordgo.Message) {
	if m.Flags&discordgo.MessageFlagsEphemeral == 0 {
		s.broadcastJSON("MESSAGE_DELETE", withGuild(map[string]any{"id": m.ID, "channel_id": m.ChannelID}, m.GuildID))
	}
}

const bulkDeleteMaxAge = 14 * 24 * time.Hour

// bulkDelete deletes 2 to 100 messages younger than 14 days, with Manage
// Messages. As on Discord, ids of messages that do not exist count
// towards the limits and are passed over.
func (s *Server) bulkDelete(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.channel(w, r.PathValue("cid"))
	if !ok {
		return
	}
	var body struct {
		Messages []string `json:"messages"`
	}
	if !decodeJSON(w, r, &body) {
		return
	}
	if ch.GuildID == "" {
		writeError(w, http.StatusForbidden, 50003, "Cannot execute action on a DM channel")
		return
	}
	if n := len(body.Messages); n < 2 || n > 100 {
		fe := formErrors{}
		fe.add("messages", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.")
		writeFormErrors(w, fe)
		return
	}
	for _, id := range body.Messages {
		if at, err := discordgo.SnowflakeTimestamp(id); err != nil || time.Since(at) > bulkDeleteMaxAge {
			writeError(w, http.StatusBadRequest, 50034, "You can only bulk delete messages that are under 14 days old.")
			return
		}
	}
	if !s.botMayInChannel(w, ch, discordgo.PermissionManageMessages) {
		return
	}
	s.mu.Lock()
	for _, id := range body.Messages {
		s.deleteMessageLocked(ch.ID, id)
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.broadcastJSON("MESSAGE_DELETE_BULK", map[string]any{"ids": body.Messages, "channel_id": ch.ID, "guild_id": ch.GuildID})
	noContent(w)
}

func (s *Server) addReaction(w http.ResponseWriter, r *http.Request) {
	m, ok := s.message(w, r.PathValue("cid"), r.PathValue("mid"))
	if !ok {
		return
	}
	emoji := map[string]any{"name": r.PathValue("emoji"), "id": nil}
	if name, id, custom := strings.Cut(r.PathValue("emoji"), ":"); custom {
		emoji = map[string]any{"name": name, "id": id}
	}
	s.broadcastJSON("MESSAGE_REACTION_ADD", withGuild(map[string]any{"user_id": s.bot.ID, "channel_id": m.ChannelID,
		"message_id": m.ID, "emoji": emoji}, m.GuildID))
	noContent(w)
}

// broadcastJSON encodes a small event of the fake's own making and sends it.
func (s *Server) broadcastJSON(eventType string, d any) {
	b, err := json.Marshal(d)
	if err != nil {
		panic("discordtest: encode " + eventType + ": " + err.Error())
	}
	s.broadcast(eventType, b)
}

// withGuild adds guild_id to an event unless it happened in a DM.
func withGuild(d map[string]any, guildID string) map[string]any {
	if guildID != "" {
		d["guild_id"] = guildID
	}
	return d
}

// decodeJSON decodes a JSON body, answering Discord's 50109 if it is not.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return false
	}
	return true
}
