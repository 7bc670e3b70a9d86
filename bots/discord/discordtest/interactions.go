package discordtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// The builders below make the interactions a user's clicks produce, ready
// for Dispatch(t, "INTERACTION_CREATE", in). Each has a fresh id and a
// token of its own, which the fake accepts on the callback and webhook
// endpoints once the interaction is dispatched.

// SlashCommand builds the interaction a user sends by running /name with
// options (see Arg, UserArg, SubCommand) in a guild channel, or in a DM
// with the bot when guildID is "". The data carries the registered
// command's id if one is registered, and resolves user, role and channel
// options from the fake's data. The member's roles and permissions come
// from the stored guild; the locale is en-US (set in.Locale to change it).
func (s *Server) SlashCommand(guildID, channelID string, user discordgo.User, name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.newInteractionLocked(discordgo.InteractionApplicationCommand, guildID, channelID, user)
	data := discordgo.ApplicationCommandInteractionData{ID: NewID(), Name: name,
		CommandType: discordgo.ChatApplicationCommand, Options: options}
	if c := s.commandLocked(guildID, name); c != nil {
		data.ID = c.ID
	}
	data.Resolved = s.resolveLocked(guildID, options)
	in.Data = data
	return in
}

// MessageCommand builds the interaction a user sends by picking the
// message context-menu command name (right-click a message, Apps ▸ name)
// on message m in a guild channel: the data carries m as the target, in
// resolved messages. With no such registered message command, the data
// still names it (Discord would not show it; tests of that check the
// registered commands).
func (s *Server) MessageCommand(guildID, channelID string, user discordgo.User, name string, m *discordgo.Message) *discordgo.Interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.newInteractionLocked(discordgo.InteractionApplicationCommand, guildID, channelID, user)
	data := discordgo.ApplicationCommandInteractionData{ID: NewID(), Name: name,
		CommandType: discordgo.MessageApplicationCommand, TargetID: m.ID,
		Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Messages: map[string]*discordgo.Message{m.ID: m}}}
	if c := s.commandOfTypeLocked(guildID, name, discordgo.MessageApplicationCommand); c != nil {
		data.ID = c.ID
	}
	in.Data = data
	return in
}

// ButtonPress builds the interaction a user sends by clicking the button
// with customID on message m (as the fake stores it now). It fails the
// test if the message has no such button, or if it is disabled or a link.
func (s *Server) ButtonPress(t testing.TB, m *discordgo.Message, user discordgo.User, customID string) *discordgo.Interaction {
	t.Helper()
	return s.componentInteraction(t, m, user, customID, nil)
}

// SelectMenu builds the interaction a user sends by picking values in the
// select menu with customID on message m.
func (s *Server) SelectMenu(t testing.TB, m *discordgo.Message, user discordgo.User, customID string, values ...string) *discordgo.Interaction {
	t.Helper()
	if values == nil {
		values = []string{}
	}
	return s.componentInteraction(t, m, user, customID, values)
}

// componentInteraction builds a component interaction; values is nil for a
// button.
func (s *Server) componentInteraction(t testing.TB, m *discordgo.Message, user discordgo.User, customID string, values []string) *discordgo.Interaction {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	stored := m
	if _, sm := s.findMessageLocked(m.ChannelID, m.ID); sm != nil {
		stored = sm
	}
	c, err := findComponent(stored, customID)
	if err == nil {
		err = usable(c, values != nil)
	}
	if err != nil {
		t.Fatalf("discordtest: message %s: %v", m.ID, err)
	}
	guildID := stored.GuildID
	if ch, ok := s.channels[stored.ChannelID]; ok && guildID == "" {
		guildID = ch.GuildID
	}
	in := s.newInteractionLocked(discordgo.InteractionMessageComponent, guildID, stored.ChannelID, user)
	in.Message = copyMessage(stored)
	in.Data = discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ComponentType(c.Type), Values: values}
	return in
}

// findComponent finds the interactive component with customID in a message.
func findComponent(m *discordgo.Message, customID string) (*componentPayload, error) {
	wire, err := messageWire(m)
	if err != nil {
		return nil, err
	}
	var body struct {
		Components []componentPayload `json:"components"`
	}
	if err := json.Unmarshal(wire, &body); err != nil {
		return nil, err
	}
	if c := searchComponents(body.Components, customID); c != nil {
		return c, nil
	}
	return nil, fmt.Errorf("no component with custom_id %q", customID)
}

func searchComponents(cs []componentPayload, customID string) *componentPayload {
	for i := range cs {
		c := &cs[i]
		if c.CustomID != nil && *c.CustomID == customID {
			return c
		}
		if found := searchComponents(c.Components, customID); found != nil {
			return found
		}
		if c.Accessory != nil {
			if found := searchComponents([]componentPayload{*c.Accessory}, customID); found != nil {
				return found
			}
		}
	}
	return nil
}

// usable reports why a user could not use component c, if so.
func usable(c *componentPayload, isSelect bool) error {
	button := discordgo.ComponentType(c.Type) == discordgo.ButtonComponent
	switch {
	case c.Disabled:
		return fmt.Errorf("component %q is disabled", *c.CustomID)
	case button && isSelect:
		return fmt.Errorf("%q is a button, not a select menu", *c.CustomID)
	case !button && !isSelect:
		return fmt.Errorf("%q is not a button (type %d)", *c.CustomID, c.Type)
	case button && discordgo.ButtonStyle(c.Style) == discordgo.LinkButton:
		return fmt.Errorf("%q is a link button", *c.CustomID)
	}
	return nil
}

// ModalSubmit builds the interaction a user sends by filling in and
// submitting the modal the bot answered shown with (callback type 9);
// values maps text input custom ids to what the user typed. It fails the
// test if shown got no modal, if a value names no field of it, or if a
// value breaks the field's required/min_length/max_length.
func (s *Server) ModalSubmit(t testing.TB, shown *discordgo.Interaction, values map[string]string) *discordgo.Interaction {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.interactions[shown.ID]
	if !ok || st.callback != discordgo.InteractionResponseModal {
		t.Fatalf("discordtest: interaction %s was not answered with a modal", shown.ID)
	}
	var modal modalPayload
	if err := json.Unmarshal(st.data, &modal); err != nil {
		t.Fatalf("discordtest: decode modal: %v", err)
	}
	rows, err := fillModal(modal.Components, values)
	if err != nil {
		t.Fatalf("discordtest: modal %q: %v", modal.CustomID, err)
	}
	in := s.newInteractionLocked(discordgo.InteractionModalSubmit, st.in.GuildID, st.in.ChannelID, *interactionUser(st.in))
	in.Locale = st.in.Locale
	if st.in.Message != nil {
		in.Message = copyMessage(st.in.Message)
	}
	in.Data = discordgo.ModalSubmitInteractionData{CustomID: modal.CustomID, Components: rows}
	return in
}

// fillModal returns the submitted rows of a modal's text inputs.
func fillModal(rows []componentPayload, values map[string]string) ([]discordgo.MessageComponent, error) {
	fields := map[string]bool{}
	var out []discordgo.MessageComponent
	for _, row := range rows {
		for _, c := range row.Components {
			if c.CustomID == nil || discordgo.ComponentType(c.Type) != discordgo.TextInputComponent {
				continue
			}
			fields[*c.CustomID] = true
			v := values[*c.CustomID]
			if err := fieldValid(c, v); err != nil {
				return nil, err
			}
			out = append(out, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: *c.CustomID, Value: v}}})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(values)) {
		if !fields[id] {
			return nil, fmt.Errorf("the modal has no field %q", id)
		}
	}
	return out, nil
}

// fieldValid applies a text input's limits, as the Discord client does
// before it lets a user submit.
func fieldValid(c componentPayload, v string) error {
	n := utf8.RuneCountInString(v)
	required := c.Required == nil || *c.Required
	switch {
	case required && n == 0:
		return fmt.Errorf("field %q is required", *c.CustomID)
	case n > 0 && c.MinLength != nil && n < *c.MinLength:
		return fmt.Errorf("field %q needs at least %d characters", *c.CustomID, *c.MinLength)
	case c.MaxLength != nil && n > *c.MaxLength:
		return fmt.Errorf("field %q takes at most %d characters", *c.CustomID, *c.MaxLength)
	}
	return nil
}

// newInteractionLocked builds what every interaction carries: ids, token,
// locale, and the user as a guild member (with roles and permissions) or,
// in a DM, as a plain user.
func (s *Server) newInteractionLocked(typ discordgo.InteractionType, guildID, channelID string, user discordgo.User) *discordgo.Interaction {
	id := NewID()
	owner := guildID
	if owner == "" {
		owner = "0"
	}
	in := &discordgo.Interaction{ID: id, AppID: s.ApplicationID(), Type: typ, GuildID: guildID, ChannelID: channelID,
		Token: interactionToken(id), Version: 1, Locale: discordgo.EnglishUS,
		AuthorizingIntegrationOwners: map[discordgo.ApplicationIntegrationType]string{discordgo.ApplicationIntegrationGuildInstall: owner}}
	u := user
	if guildID == "" {
		in.User, in.Context = &u, discordgo.InteractionContextBotDM
		return in
	}
	member := &discordgo.Member{JoinedAt: time.Now().UTC(), Roles: []string{}}
	locale := discordgo.EnglishUS
	if gs, m := s.memberLocked(guildID, user.ID); gs != nil {
		if m != nil {
			mustCopy(m, member)
		}
		member.User = &u
		member.Permissions = gs.permissions(member)
		if gs.guild.PreferredLocale != "" {
			locale = discordgo.Locale(gs.guild.PreferredLocale)
		}
		if _, bot := s.memberLocked(guildID, s.bot.ID); bot != nil {
			in.AppPermissions = gs.permissions(bot)
		}
	}
	member.User, member.GuildID = &u, ""
	in.Member, in.GuildLocale, in.Context = member, &locale, discordgo.InteractionContextGuild
	return in
}

// InteractionReply is how the bot answered one dispatched interaction.
type InteractionReply struct {
	Interaction *discordgo.Interaction             // as dispatched
	Type        discordgo.InteractionResponseType  // the callback type, 0 while unanswered
	Data        *discordgo.InteractionResponseData // the callback's data, nil without any
	Original    *discordgo.Message                 // the original response as it is now, nil if none
	Followups   []*discordgo.Message               // follow-ups not deleted, oldest first
}

// Ephemeral reports whether the original response is visible to its user
// only.
func (r InteractionReply) Ephemeral() bool {
	if r.Original != nil {
		return r.Original.Flags&discordgo.MessageFlagsEphemeral != 0
	}
	return r.Data != nil && r.Data.Flags&discordgo.MessageFlagsEphemeral != 0
}

// InteractionReply returns how the bot answered a dispatched interaction.
func (s *Server) InteractionReply(interactionID string) (InteractionReply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.interactions[interactionID]
	if !ok {
		return InteractionReply{}, false
	}
	return s.replyLocked(st), true
}

// WaitInteractionReply waits until the bot has answered a dispatched
// interaction and returns the answer, failing the test after timeout.
func (s *Server) WaitInteractionReply(t testing.TB, interactionID string, timeout time.Duration) InteractionReply {
	t.Helper()
	var r InteractionReply
	ok := s.waitUntil(timeout, func() bool {
		st, ok := s.interactions[interactionID]
		if ok && st.callback != 0 {
			r = s.replyLocked(st)
		}
		return ok && st.callback != 0
	})
	if !ok {
		t.Fatalf("discordtest: interaction %s not answered within %v", interactionID, timeout)
	}
	return r
}

func (s *Server) replyLocked(st *interactionState) InteractionReply {
	var in discordgo.Interaction
	raw, err := interactionWire(st.in)
	if err == nil {
		err = json.Unmarshal(raw, &in)
	}
	if err != nil {
		panic("discordtest: copy interaction: " + err.Error())
	}
	r := InteractionReply{Interaction: &in, Type: st.callback}
	if len(st.data) > 0 && string(st.data) != "null" {
		r.Data = decodeResponseData(st.data)
	}
	if _, m := s.findMessageLocked(st.in.ChannelID, st.originalID); m != nil && st.originalID != "" {
		r.Original = copyMessage(m)
	}
	for _, id := range st.followups {
		if _, m := s.findMessageLocked(st.in.ChannelID, id); m != nil {
			r.Followups = append(r.Followups, copyMessage(m))
		}
	}
	return r
}

// decodeResponseData decodes callback data; discordgo cannot decode its
// components by itself, so they are decoded one by one.
func decodeResponseData(raw json.RawMessage) *discordgo.InteractionResponseData {
	var o object
	var d discordgo.InteractionResponseData
	var comps []json.RawMessage
	if err := json.Unmarshal(raw, &o); err != nil {
		return &d // validated already; cannot happen
	}
	if c, ok := o["components"]; ok {
		_ = json.Unmarshal(c, &comps)
		delete(o, "components")
	}
	b, _ := json.Marshal(o)
	_ = json.Unmarshal(b, &d)
	for _, c := range comps {
		if mc, err := discordgo.MessageComponentFromJSON(c); err == nil {
			d.Components = append(d.Components, mc)
		}
	}
	return &d
}
