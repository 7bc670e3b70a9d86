package discord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/outbox"
)

// Discord's limits and error codes Hearth relies on.
const (
	maxContent             = 2000
	codeUnknownInteraction = 10062 // answered too late (after 3 s) or never known
	codeAlreadyAnswered    = 40060 // answered by an earlier attempt
	originalResponse       = "@original"
)

// Send implements bots.Sender: an answer to an interaction when the
// delivery has one, else a message in a channel or a direct message.
func (a *Adapter) Send(ctx context.Context, d outbox.Delivery) ([]string, error) {
	if len(d.Message.Media) > 0 {
		d.Target.Handle = "" // stored files are posted as a message of their own
	}
	if d.Target.Handle != "" {
		return a.respond(ctx, d)
	}
	channel, err := a.channelOf(ctx, d.Target)
	if err != nil {
		return d.SentIDs, err
	}
	m := d.Message
	if m.Edit && d.Target.EditID != "" && m.Image == nil && m.File == nil && len(m.Media) == 0 {
		return a.edit(ctx, channel, d.Target.EditID, m)
	}
	if m.Form != nil {
		m = formAsText(*m.Form) // a modal needs an interaction to open
	}
	sent := d.SentIDs
	parts := split(m.Text)
	for i := len(sent); i < len(parts); i++ {
		msg := &discordgo.MessageSend{Content: parts[i], AllowedMentions: mentions(parts[i])}
		if i == 0 {
			msg.Files, msg.Embeds = attachments(m)
			if len(m.Media) > 0 {
				files, err := outbox.OpenMedia(ctx, a.o.Media, m.Media)
				if err != nil {
					return sent, err
				}
				defer outbox.CloseMedia(files)
				msg.Files = mediaFiles(files)
			}
			if d.Target.ReplyTo != "" {
				msg.Reference = &discordgo.MessageReference{MessageID: d.Target.ReplyTo, ChannelID: channel, FailIfNotExists: new(false)}
			}
		}
		if i == len(parts)-1 {
			msg.Components = components(m.Buttons)
		}
		out, err := a.createMessage(ctx, channel, msg, d.PartKey(i))
		switch {
		case restCode(err) == codeUnknownMessage:
			// An earlier attempt posted this part and it has been deleted
			// since: Discord does not post it again, and neither do we.
			out = &discordgo.Message{}
		case err != nil:
			return sent, classify(err)
		}
		sent = append(sent, out.ID)
		if err := d.Accepted(ctx, sent); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// messageCreate is the body of Create Message: discordgo's MessageSend
// and the nonce fields it lacks.
type messageCreate struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// createMessage posts a message with nonce and enforce_nonce: when a
// message with the same nonce from the bot was created in the last few
// minutes (an earlier attempt the platform accepted but Hearth did not
// record, by this process or one that died), Discord answers that message
// instead of posting a second one. It is ChannelMessageSendComplex with
// the nonce added.
func (a *Adapter) createMessage(ctx context.Context, channel string, msg *discordgo.MessageSend, nonce string) (*discordgo.Message, error) {
	for _, e := range msg.Embeds {
		if e.Type == "" {
			e.Type = discordgo.EmbedTypeRich
		}
	}
	body := messageCreate{MessageSend: msg, Nonce: nonce, EnforceNonce: nonce != ""}
	endpoint := discordgo.EndpointChannelMessages(channel)
	var resp []byte
	var err error
	if len(msg.Files) > 0 {
		contentType, payload, encodeErr := multipartBody(body, msg.Files)
		if encodeErr != nil {
			return nil, encodeErr
		}
		resp, err = a.session.RequestRaw(http.MethodPost, endpoint, contentType, payload, endpoint, 0, discordgo.WithContext(ctx))
	} else {
		resp, err = a.session.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, discordgo.WithContext(ctx))
	}
	if err != nil {
		return nil, err
	}
	var m discordgo.Message
	if err := discordgo.Unmarshal(resp, &m); err != nil {
		return nil, fmt.Errorf("decode created message: %w", err)
	}
	return &m, nil
}

// respond answers an interaction: a modal for a form, the pressed
// button's message replaced for an edit, else a reply (only the member
// sees it when ephemeral); a long text continues in follow-up messages.
func (a *Adapter) respond(ctx context.Context, d outbox.Delivery) ([]string, error) {
	id, rest, _ := strings.Cut(d.Target.Handle, ":")
	token, app, _ := strings.Cut(rest, ":")
	if app == "" { // a handle queued before it carried the application
		app = a.appID()
	}
	i := &discordgo.Interaction{ID: id, Token: token, AppID: app}
	m := d.Message
	parts := split(m.Text)
	var flags discordgo.MessageFlags
	if m.Ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	sent := d.SentIDs
	if len(sent) == 0 {
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource}
		switch {
		case m.Form != nil:
			resp.Type, resp.Data = discordgo.InteractionResponseModal, modal(*m.Form)
		default:
			if m.Edit && d.Target.EditID != "" {
				resp.Type, flags = discordgo.InteractionResponseUpdateMessage, 0
			}
			resp.Data = &discordgo.InteractionResponseData{Content: parts[0], Flags: flags, AllowedMentions: mentions(parts[0])}
			resp.Data.Files, resp.Data.Embeds = attachments(m)
			if len(parts) == 1 {
				resp.Data.Components = components(m.Buttons)
			}
		}
		err := a.session.InteractionRespond(i, resp, discordgo.WithContext(ctx))
		switch code := restCode(err); {
		case err == nil, code == codeAlreadyAnswered:
			sent = append(sent, originalResponse)
			if err := d.Accepted(ctx, sent); err != nil {
				return sent, err
			}
		case code == codeUnknownInteraction && !m.Ephemeral && m.Form == nil && d.Target.ChatID != "":
			// Too late to answer in place: post it in the channel instead.
			d.Target.Handle = ""
			return a.Send(ctx, d)
		default:
			return sent, classify(err)
		}
	}
	for n := len(sent); n < len(parts) && m.Form == nil; n++ {
		params := &discordgo.WebhookParams{Content: parts[n], Flags: flags, AllowedMentions: mentions(parts[n])}
		if n == len(parts)-1 {
			params.Components = components(m.Buttons)
		}
		out, err := a.session.FollowupMessageCreate(i, true, params, discordgo.WithContext(ctx))
		if err != nil {
			return sent, classify(err)
		}
		sent = append(sent, out.ID)
		if err := d.Accepted(ctx, sent); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

func (a *Adapter) edit(ctx context.Context, channel, messageID string, m bots.Reply) ([]string, error) {
	content := split(m.Text)[0]
	comps := components(m.Buttons)
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	_, err := a.session.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: messageID, Channel: channel,
		Content: &content, Components: &comps, AllowedMentions: mentions(content)}, discordgo.WithContext(ctx))
	if err != nil {
		return nil, classify(err)
	}
	return []string{messageID}, nil
}

// channelOf finds the channel of a target: its thread when it has one,
// the channel Hearth posts to a whole server in when the chat is a server
// (see postChannel), the member's direct message channel, opened when
// needed, without a chat.
func (a *Adapter) channelOf(ctx context.Context, t outbox.Target) (string, error) {
	if t.ThreadID != "" {
		return t.ThreadID, nil // a thread is a channel of its own
	}
	if s, ok := a.server(t.ChatID); ok {
		return a.postChannel(ctx, s)
	}
	if t.ChatID != "" {
		return t.ChatID, nil
	}
	a.dmMu.Lock()
	ch, ok := a.dms[t.UserID]
	a.dmMu.Unlock()
	if ok {
		return ch, nil
	}
	c, err := a.session.UserChannelCreate(t.UserID, discordgo.WithContext(ctx))
	if err != nil {
		return "", classify(err)
	}
	a.dmMu.Lock()
	a.dms[t.UserID] = c.ID
	a.dmMu.Unlock()
	return c.ID, nil
}

// appID is the application's id as the gateway's READY told it, "" before.
func (a *Adapter) appID() string {
	st := a.session.State
	st.RLock()
	defer st.RUnlock()
	switch {
	case st.Application != nil && st.Application.ID != "":
		return st.Application.ID
	case st.User != nil:
		return st.User.ID
	}
	return ""
}

// split renders text as Discord markdown in messages of at most 2000
// characters; an empty text is one empty part.
func split(text string) []string {
	doc := markup.Parse(text)
	size := func(d markup.Doc) int { return len([]rune(markup.DiscordMarkdown(d))) }
	var out []string
	for _, piece := range markup.Split(doc, maxContent-50, size) { // room for escapes added at the seams
		out = append(out, markup.DiscordMarkdown(piece))
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// mentions allows exactly the users the text mentions to be pinged: never
// @everyone, roles or users named in members' own words.
func mentions(content string) *discordgo.MessageAllowedMentions {
	am := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	for rest := content; ; {
		i := strings.Index(rest, "<@")
		if i < 0 {
			break
		}
		rest = rest[i+2:]
		j := strings.IndexByte(rest, '>')
		if j < 0 {
			break
		}
		if id := strings.TrimPrefix(rest[:j], "!"); id != "" && strings.Trim(id, "0123456789") == "" && len(am.Users) < 100 {
			am.Users = append(am.Users, id)
		}
	}
	return am
}

func components(rows [][]bots.Button) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	for _, row := range rows {
		var buttons []discordgo.MessageComponent
		for _, b := range row {
			if b.URL != "" {
				buttons = append(buttons, discordgo.Button{Label: b.Label, Style: discordgo.LinkButton, URL: b.URL})
			} else {
				buttons = append(buttons, discordgo.Button{Label: b.Label, Style: discordgo.PrimaryButton, CustomID: b.Data})
			}
		}
		out = append(out, discordgo.ActionsRow{Components: buttons})
	}
	return out
}

func modal(f bots.Form) *discordgo.InteractionResponseData {
	var rows []discordgo.MessageComponent
	for _, fl := range f.Fields {
		style := discordgo.TextInputShort
		if fl.Long {
			style = discordgo.TextInputParagraph
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{CustomID: fl.ID, Label: fl.Label, Style: style, Placeholder: fl.Placeholder, Required: fl.Required},
		}})
	}
	return &discordgo.InteractionResponseData{CustomID: f.ID, Title: f.Title, Components: rows}
}

// formAsText shows a form that cannot open as a modal: its title and
// fields, for a member to answer with the matching command.
func formAsText(f bots.Form) bots.Reply {
	lines := []string{"*" + markup.Escape(f.Title) + "*"}
	for _, fl := range f.Fields {
		lines = append(lines, "• "+markup.Escape(fl.Label))
	}
	return bots.Reply{Text: strings.Join(lines, "\n")}
}

// attachments is what a reply sends besides its text: an image by URL as
// an embed, an image's bytes or a file as an upload.
func attachments(m bots.Reply) ([]*discordgo.File, []*discordgo.MessageEmbed) {
	img := m.Image
	switch {
	case m.File != nil:
		return upload(m.File.Name, m.File.Data), nil
	case img == nil:
		return nil, nil
	case img.URL != "":
		return nil, []*discordgo.MessageEmbed{{Image: &discordgo.MessageEmbedImage{URL: img.URL}}}
	case img.Name == "":
		return upload("image.png", img.Data), nil
	default:
		return upload(img.Name, img.Data), nil
	}
}

// upload is one file to send, its type known from its name or else from
// its first bytes.
func upload(name string, data []byte) []*discordgo.File {
	contentType := mime.TypeByExtension(path.Ext(name))
	if contentType == "" {
		contentType = http.DetectContentType(data)
	}
	return []*discordgo.File{{Name: name, ContentType: contentType, Reader: bytes.NewReader(data)}}
}

func restCode(err error) int {
	if rest, ok := errors.AsType[*discordgo.RESTError](err); ok && rest.Message != nil {
		return rest.Message.Code
	}
	return 0
}

// classify tells the dispatcher what a failed call means. discordgo waits
// out 429s itself; one that still comes back is retried after the time
// Discord asked for. Other 4xx answers are permanent.
func classify(err error) error {
	rest, ok := errors.AsType[*discordgo.RESTError](err)
	if !ok || rest.Response == nil {
		return err
	}
	switch status := rest.Response.StatusCode; {
	case status == http.StatusTooManyRequests:
		after := time.Second
		if d, perr := time.ParseDuration(rest.Response.Header.Get("Retry-After") + "s"); perr == nil {
			after = d
		}
		return &outbox.RetryAfterError{After: after, Err: err}
	case status >= 400 && status < 500:
		return outbox.Permanent(fmt.Errorf("discord refused: %w", err))
	}
	return err
}
