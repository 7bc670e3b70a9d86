package discordtest

import (
	"encoding/json"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// discordgo leaves components out when it marshals a Message or a modal
// submit (json:"-"), so the fake encodes those types itself.

type object map[string]json.RawMessage

func toObject(v any) (object, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var o object
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("%T does not encode as a JSON object: %w", v, err)
	}
	return o, nil
}

func (o object) set(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	o[key] = b
	return nil
}

// emptyArrays turns null into [] for keys Discord always sends as arrays.
func (o object) emptyArrays(keys ...string) {
	for _, k := range keys {
		if v, ok := o[k]; !ok || string(v) == "null" {
			o[k] = json.RawMessage("[]")
		}
	}
}

// messageWire encodes a message as Discord sends it.
func messageWire(m *discordgo.Message) (json.RawMessage, error) {
	o, err := toObject(m)
	if err != nil {
		return nil, err
	}
	comps := m.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	if err := o.set("components", comps); err != nil {
		return nil, err
	}
	if m.ReferencedMessage != nil {
		ref, err := messageWire(m.ReferencedMessage)
		if err != nil {
			return nil, err
		}
		o["referenced_message"] = ref
	}
	if m.GuildID == "" {
		delete(o, "guild_id")
	}
	o.emptyArrays("attachments", "embeds", "mentions", "mention_roles")
	return json.Marshal(o)
}

// interactionWire encodes an interaction as Discord sends it.
func interactionWire(in *discordgo.Interaction) (json.RawMessage, error) {
	o, err := toObject(in)
	if err != nil {
		return nil, err
	}
	var modal *discordgo.ModalSubmitInteractionData
	switch d := in.Data.(type) {
	case discordgo.ModalSubmitInteractionData:
		modal = &d
	case *discordgo.ModalSubmitInteractionData:
		modal = d
	}
	if modal != nil {
		err := o.set("data", struct {
			CustomID   string                       `json:"custom_id"`
			Components []discordgo.MessageComponent `json:"components"`
		}{modal.CustomID, modal.Components})
		if err != nil {
			return nil, err
		}
	}
	if in.Message != nil {
		if o["message"], err = messageWire(in.Message); err != nil {
			return nil, err
		}
	}
	return json.Marshal(o)
}

// guildWire encodes a stored guild as GUILD_CREATE carries it.
func guildWire(g *discordgo.Guild) json.RawMessage {
	o, err := toObject(g)
	if err == nil {
		o.emptyArrays("roles", "channels", "members", "emojis", "stickers", "threads", "presences", "voice_states", "features")
		err = o.set("large", g.MemberCount > largeThreshold)
	}
	if err != nil {
		panic("discordtest: encode guild: " + err.Error())
	}
	b, _ := json.Marshal(o)
	return b
}

// largeThreshold is the member count above which a guild is "large".
const largeThreshold = 250

// restGuild encodes a guild as GET /guilds/{id} answers it: no members,
// channels or other gateway-only fields.
func restGuild(g *discordgo.Guild) json.RawMessage {
	o, err := toObject(g)
	if err != nil {
		panic("discordtest: encode guild: " + err.Error())
	}
	for _, k := range []string{"members", "channels", "threads", "presences", "voice_states", "joined_at", "large", "member_count", "unavailable", "guild_scheduled_events"} {
		delete(o, k)
	}
	o.emptyArrays("roles", "emojis", "stickers", "features")
	b, _ := json.Marshal(o)
	return b
}

// wireValue encodes what a test passes to Dispatch.
func wireValue(data any) (json.RawMessage, error) {
	switch v := data.(type) {
	case json.RawMessage:
		return v, nil
	case []byte:
		return v, nil
	case *discordgo.Message:
		return messageWire(v)
	case discordgo.Message:
		return messageWire(&v)
	case *discordgo.MessageCreate:
		return messageWire(v.Message)
	case *discordgo.MessageUpdate:
		return messageWire(v.Message)
	case *discordgo.Interaction:
		return interactionWire(v)
	case discordgo.Interaction:
		return interactionWire(&v)
	case *discordgo.InteractionCreate:
		return interactionWire(v.Interaction)
	case *discordgo.Guild:
		return guildWire(v), nil
	default:
		return json.Marshal(v)
	}
}
