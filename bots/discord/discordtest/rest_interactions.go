package discordtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/bwmarrin/discordgo"
)

func (s *Server) interactionRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /interactions/{iid}/{token}/callback", s.interactionCallback)
	m.HandleFunc("POST /webhooks/{app}/{token}", s.followup)
	m.HandleFunc("GET /webhooks/{app}/{token}/messages/{mid}", s.getWebhookMessage)
	m.HandleFunc("PATCH /webhooks/{app}/{token}/messages/{mid}", s.editWebhookMessage)
	m.HandleFunc("DELETE /webhooks/{app}/{token}/messages/{mid}", s.deleteWebhookMessage)
}

// callback is the body of POST /interactions/{id}/{token}/callback.
type callback struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data json.RawMessage                   `json:"data"`
}

// allowedCallbacks are the answers each kind of interaction accepts.
var allowedCallbacks = map[discordgo.InteractionType][]discordgo.InteractionResponseType{
	discordgo.InteractionApplicationCommand: {
		discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource,
		discordgo.InteractionResponseModal},
	discordgo.InteractionMessageComponent: {
		discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource,
		discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage,
		discordgo.InteractionResponseModal},
	discordgo.InteractionApplicationCommandAutocomplete: {discordgo.InteractionApplicationCommandAutocompleteResult},
	discordgo.InteractionModalSubmit: {
		discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource,
		discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage},
}

// interactionCallback records the initial answer to an interaction. Each
// interaction accepts one answer, of a type its kind allows, with data
// Discord would accept; the answer's message lands in the interaction's
// channel.
func (s *Server) interactionCallback(w http.ResponseWriter, r *http.Request) {
	raw, files, err := readBody(r)
	var cb callback
	if err != nil || json.Unmarshal(raw, &cb) != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	s.mu.Lock()
	st := s.interactionLocked(w, r.PathValue("iid"), r.PathValue("token"))
	s.mu.Unlock()
	if st == nil || !callbackValid(w, st.in, cb, files) {
		return
	}
	s.mu.Lock()
	if st.callback != 0 {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return
	}
	eventType, m := s.applyCallbackLocked(st, cb, files)
	s.notifyLocked()
	s.mu.Unlock()
	if m != nil {
		s.announce(eventType, m)
	}
	noContent(w)
}

// interactionLocked returns the dispatched interaction a callback names,
// answering 404 Unknown interaction or 400 already acknowledged otherwise.
func (s *Server) interactionLocked(w http.ResponseWriter, id, token string) *interactionState {
	st, ok := s.interactions[id]
	if !ok || st.in.Token != token {
		writeError(w, http.StatusNotFound, 10062, "Unknown interaction")
		return nil
	}
	if st.callback != 0 {
		writeError(w, http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
		return nil
	}
	return st
}

// callbackValid checks a callback's type against the interaction and its
// data as Discord does, answering 400 if it is not valid.
func callbackValid(w http.ResponseWriter, in *discordgo.Interaction, cb callback, files []File) bool {
	fe := formErrors{}
	allowed := slices.Contains(allowedCallbacks[in.Type], cb.Type)
	if cb.Type == discordgo.InteractionResponseUpdateMessage && in.Message == nil {
		allowed = false // a modal opened by a slash command has no message to update
	}
	if !allowed {
		fe.add("type", "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is not valid for this interaction.")
		writeFormErrors(w, fe)
		return false
	}
	switch cb.Type {
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseUpdateMessage:
		out, err := parseOutgoing(cb.Data, files)
		if err != nil {
			writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
			return false
		}
		return out.valid(w, "data", cb.Type == discordgo.InteractionResponseChannelMessageWithSource)
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		var d struct {
			Choices []json.RawMessage `json:"choices"`
		}
		_ = json.Unmarshal(cb.Data, &d)
		fe.count("data.choices", len(d.Choices), 0, 25)
	case discordgo.InteractionResponseModal:
		var modal modalPayload
		if err := json.Unmarshal(cb.Data, &modal); err != nil {
			writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
			return false
		}
		validateModal(fe, &modal)
	}
	if len(fe) > 0 {
		writeFormErrors(w, fe)
		return false
	}
	return true
}

// applyCallbackLocked records a valid callback and returns the message it
// created or updated, with the event that tells the gateway about it.
func (s *Server) applyCallbackLocked(st *interactionState, cb callback, files []File) (string, *discordgo.Message) {
	st.callback, st.data = cb.Type, cb.Data
	in := st.in
	switch cb.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		out, _ := parseOutgoing(cb.Data, files) // checked by callbackValid
		m := s.responseMessageLocked(in, out)
		st.originalID = m.ID
		return "MESSAGE_CREATE", m
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		var d struct {
			Flags discordgo.MessageFlags `json:"flags"`
		}
		_ = json.Unmarshal(cb.Data, &d)
		m := s.responseMessageLocked(in, outgoing{})
		m.Flags = discordgo.MessageFlagsLoading | d.Flags&discordgo.MessageFlagsEphemeral
		st.originalID = m.ID
		return "MESSAGE_CREATE", m
	case discordgo.InteractionResponseDeferredMessageUpdate:
		if in.Message != nil {
			st.originalID = in.Message.ID
		}
	case discordgo.InteractionResponseUpdateMessage:
		out, _ := parseOutgoing(cb.Data, files)
		edited, err := s.applyEdit(s.sourceMessageLocked(in), out)
		if err != nil {
			return "", nil
		}
		s.putMessageLocked(edited)
		st.originalID = edited.ID
		return "MESSAGE_UPDATE", edited
	}
	return "", nil
}

// responseMessageLocked stores the message the bot posts in answer to an
// interaction: a webhook message of the application, linked to it.
func (s *Server) responseMessageLocked(in *discordgo.Interaction, out outgoing) *discordgo.Message {
	m := s.newBotMessageLocked(in.ChannelID, out)
	if m.GuildID == "" {
		m.GuildID = in.GuildID
	}
	m.WebhookID = s.ApplicationID()
	invoker := interactionUser(in)
	m.InteractionMetadata = &discordgo.MessageInteractionMetadata{ID: in.ID, Type: in.Type, User: invoker}
	if in.Type == discordgo.InteractionApplicationCommand {
		m.Type = discordgo.MessageTypeChatInputCommand
		name := in.ApplicationCommandData().Name
		m.Interaction = &discordgo.MessageInteraction{ID: in.ID, Type: in.Type, Name: name, User: invoker}
	}
	s.putMessageLocked(m)
	return m
}

// sourceMessageLocked is the stored message a component was used on.
func (s *Server) sourceMessageLocked(in *discordgo.Interaction) *discordgo.Message {
	if _, m := s.findMessageLocked(in.ChannelID, in.Message.ID); m != nil {
		return copyMessage(m)
	}
	return copyMessage(in.Message)
}

// interactionUser is who used an interaction, in a guild or a DM.
func interactionUser(in *discordgo.Interaction) *discordgo.User {
	if in.Member != nil && in.Member.User != nil {
		return in.Member.User
	}
	return in.User
}

// webhookLocked returns the answered interaction a webhook path names,
// answering 404 Unknown Webhook otherwise: an interaction's token works
// as a webhook only once the interaction has been answered.
func (s *Server) webhookLocked(w http.ResponseWriter, r *http.Request) *interactionState {
	if r.PathValue("app") == s.ApplicationID() {
		for _, st := range s.interactions {
			if st.in.Token == r.PathValue("token") && st.callback != 0 {
				return st
			}
		}
	}
	writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	return nil
}

// webhookMessageLocked returns a copy of the original response (@original)
// or a follow-up of the interaction, answering 404 otherwise.
func (s *Server) webhookMessageLocked(w http.ResponseWriter, r *http.Request) *discordgo.Message {
	st := s.webhookLocked(w, r)
	if st == nil {
		return nil
	}
	id := r.PathValue("mid")
	if id == "@original" {
		id = st.originalID
	}
	var m *discordgo.Message
	if id != "" && (id == st.originalID || slices.Contains(st.followups, id)) {
		_, m = s.findMessageLocked(st.in.ChannelID, id)
	}
	if m == nil {
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return nil
	}
	return copyMessage(m)
}

func (s *Server) getWebhookMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.webhookMessageLocked(w, r)
	s.mu.Unlock()
	if m == nil {
		return
	}
	wire, err := messageWire(m)
	if err != nil {
		writeError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
		return
	}
	writeJSON(w, http.StatusOK, wire)
}

// editWebhookMessage edits the original response or a follow-up; editing
// a deferred response replaces its "thinking..." state.
func (s *Server) editWebhookMessage(w http.ResponseWriter, r *http.Request) {
	out, ok := readOutgoing(w, r)
	if !ok || !out.valid(w, "", false) {
		return
	}
	s.mu.Lock()
	m := s.webhookMessageLocked(w, r)
	s.mu.Unlock()
	if m != nil {
		s.editAndAnswer(w, m, out)
	}
}

func (s *Server) deleteWebhookMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.webhookMessageLocked(w, r)
	if m != nil {
		s.deleteMessageLocked(m.ChannelID, m.ID)
		s.notifyLocked()
	}
	s.mu.Unlock()
	if m == nil {
		return
	}
	s.announceDelete(m)
	noContent(w)
}

// followup posts a follow-up message. As on Discord, the first follow-up
// to a deferred response fills that response in instead of posting anew.
// With ?wait=true it answers the message, otherwise 204.
func (s *Server) followup(w http.ResponseWriter, r *http.Request) {
	out, ok := readOutgoing(w, r)
	if !ok || !out.valid(w, "", true) {
		return
	}
	s.mu.Lock()
	st := s.webhookLocked(w, r)
	var m *discordgo.Message
	var eventType string
	if st != nil {
		m, eventType = s.postFollowupLocked(st, out)
		s.notifyLocked()
	}
	s.mu.Unlock()
	if st == nil {
		return
	}
	var wire json.RawMessage
	err := errEncode
	if m != nil {
		wire, err = s.announce(eventType, m)
	}
	switch {
	case err != nil:
		writeError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
	case r.URL.Query().Get("wait") == "true":
		writeJSON(w, http.StatusOK, wire)
	default:
		noContent(w)
	}
}

// errEncode stands for a message the fake failed to build or encode.
var errEncode = errors.New("discordtest: cannot encode message")

// postFollowupLocked stores a follow-up and returns it with the event that
// announces it.
func (s *Server) postFollowupLocked(st *interactionState, out outgoing) (*discordgo.Message, string) {
	if deferred := s.deferredOriginalLocked(st); deferred != nil {
		out.raw = withoutKey(out.raw, "flags") // the deferral already fixed who sees it
		m, err := s.applyEdit(deferred, out)
		if err != nil {
			return nil, ""
		}
		s.putMessageLocked(m)
		return m, "MESSAGE_UPDATE"
	}
	m := s.responseMessageLocked(st.in, out)
	m.InteractionMetadata.OriginalResponseMessageID = st.originalID
	st.followups = append(st.followups, m.ID)
	return m, "MESSAGE_CREATE"
}

// deferredOriginalLocked returns a copy of the original response while it
// is still "thinking...", nil otherwise.
func (s *Server) deferredOriginalLocked(st *interactionState) *discordgo.Message {
	if st.callback != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		return nil
	}
	_, m := s.findMessageLocked(st.in.ChannelID, st.originalID)
	if m == nil || m.Flags&discordgo.MessageFlagsLoading == 0 {
		return nil
	}
	return copyMessage(m)
}

// withoutKey drops one key from a JSON object.
func withoutKey(raw json.RawMessage, key string) json.RawMessage {
	var o object
	if len(raw) == 0 || json.Unmarshal(raw, &o) != nil {
		return raw
	}
	delete(o, key)
	b, _ := json.Marshal(o)
	return b
}
