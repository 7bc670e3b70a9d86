package discord

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
)

// fromMessage converts a message posted in a channel Hearth can see.
func (a *Adapter) fromMessage(m *discordgo.Message, kind bots.UpdateKind, id string) bots.Update {
	u := bots.Update{Platform: community.Discord, ID: id, Seq: snowflake(m.ID), Kind: kind, At: m.Timestamp, MessageID: m.ID,
		Chat: a.chatOf(m.GuildID, m.ChannelID), Text: m.Content}
	if m.Author != nil {
		u.From = userOf(m.Author, m.Member, "")
	}
	if ch, err := a.session.State.Channel(m.ChannelID); err == nil && ch.IsThread() {
		u.ThreadID = ch.ID
	}
	if r := m.ReferencedMessage; r != nil {
		u.ReplyTo = &bots.Message{ID: r.ID, Text: r.Content, Media: mediaOf(r.Attachments)}
		if r.Author != nil {
			u.ReplyTo.From = userOf(r.Author, nil, "")
		}
	}
	u.Media = mediaOf(m.Attachments)
	return u
}

// mediaOf names a message's attachments by their CDN URLs.
func mediaOf(attachments []*discordgo.MessageAttachment) []bots.Media {
	var out []bots.Media
	for _, at := range attachments {
		out = append(out, bots.Media{Kind: mediaKind(at.ContentType), FileID: at.URL, Name: at.Filename, Size: int64(at.Size)})
	}
	return out
}

// snowflake is a Discord id as a number: ids grow with time, so they
// order one channel's messages and interactions.
func snowflake(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

func mediaKind(contentType string) string {
	switch {
	case strings.HasPrefix(contentType, "image/gif"):
		return "animation"
	case strings.HasPrefix(contentType, "image/"):
		return "photo"
	case strings.HasPrefix(contentType, "video/"):
		return "video"
	case strings.HasPrefix(contentType, "audio/"):
		return "audio"
	default:
		return "document"
	}
}

// fromInteraction converts a slash command, a button press or a submitted
// modal. Handle carries what answering it takes: its id, its token and
// the application's id (which a process that has just started does not
// know until the gateway is ready).
func (a *Adapter) fromInteraction(i *discordgo.Interaction) (bots.Update, bool) {
	u := bots.Update{Platform: community.Discord, ID: "interaction:" + i.ID, Seq: snowflake(i.ID), At: time.Now(),
		Chat: a.chatOf(i.GuildID, i.ChannelID), Handle: i.ID + ":" + i.Token + ":" + i.AppID}
	u.From = userOf(i.User, i.Member, string(i.Locale))
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		d := i.ApplicationCommandData()
		if d.CommandType == discordgo.MessageApplicationCommand {
			return a.fromMessageMenu(u, d)
		}
		u.Kind, u.Command, u.Options = bots.KindMessage, d.Name, map[string]string{}
		line := []string{"/" + d.Name}
		for _, o := range d.Options {
			u.Options[o.Name] = optionValue(o)
			line = append(line, u.Options[o.Name])
		}
		u.Text = strings.Join(line, " ")
	case discordgo.InteractionMessageComponent:
		d := i.MessageComponentData()
		u.Kind, u.Data = bots.KindButton, d.CustomID
		if i.Message != nil {
			u.MessageID = i.Message.ID
		}
	case discordgo.InteractionModalSubmit:
		d := i.ModalSubmitData()
		u.Kind, u.Data, u.Fields = bots.KindForm, d.CustomID, map[string]string{}
		for _, row := range d.Components {
			if r, ok := row.(*discordgo.ActionsRow); ok {
				for _, c := range r.Components {
					if in, ok := c.(*discordgo.TextInput); ok {
						u.Fields[in.CustomID] = in.Value
					}
				}
			}
		}
	default:
		return u, false
	}
	return u, u.From.ID != ""
}

// fromMessageMenu converts a command picked on a message's menu into the
// command in reply to that message.
func (a *Adapter) fromMessageMenu(u bots.Update, d discordgo.ApplicationCommandInteractionData) (bots.Update, bool) {
	name, ok := a.menuCommand(d.Name)
	if !ok || d.Resolved == nil || d.Resolved.Messages[d.TargetID] == nil {
		return u, false
	}
	m := d.Resolved.Messages[d.TargetID]
	u.Kind, u.Command, u.Options, u.Text = bots.KindMessage, name, map[string]string{}, "/"+name
	u.ReplyTo = &bots.Message{ID: m.ID, Text: m.Content, Media: mediaOf(m.Attachments)}
	if m.Author != nil {
		u.ReplyTo.From = userOf(m.Author, nil, "")
	}
	return u, u.From.ID != ""
}

func optionValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch o.Type {
	case discordgo.ApplicationCommandOptionUser, discordgo.ApplicationCommandOptionMentionable:
		if id, ok := o.Value.(string); ok {
			return "<@" + id + ">"
		}
	case discordgo.ApplicationCommandOptionInteger:
		if f, ok := o.Value.(float64); ok {
			return fmt.Sprintf("%d", int64(f))
		}
	}
	return fmt.Sprint(o.Value)
}

// chatOf describes a channel: a direct conversation when there is no
// guild, else a channel of the guild, which is the community group.
func (a *Adapter) chatOf(guildID, channelID string) bots.Chat {
	if guildID == "" {
		return bots.Chat{ID: channelID, Kind: community.ChatDirect}
	}
	c := bots.Chat{ID: channelID, Kind: community.ChatChannel, GroupID: guildID}
	if g, err := a.session.State.Guild(guildID); err == nil {
		c.GroupTitle = g.Name
	}
	if ch, err := a.session.State.Channel(channelID); err == nil {
		c.Title = "#" + ch.Name
	}
	return c
}

// userOf describes a user; member, when given, has their server nickname.
func userOf(u *discordgo.User, m *discordgo.Member, locale string) bots.User {
	if u == nil && m != nil {
		u = m.User
	}
	if u == nil {
		return bots.User{}
	}
	name := u.GlobalName
	if m != nil && m.Nick != "" {
		name = m.Nick
	}
	if name == "" {
		name = u.Username
	}
	if locale == "" {
		locale = u.Locale
	}
	return bots.User{ID: u.ID, Username: u.Username, DisplayName: name, Language: locale, IsBot: u.Bot}
}
