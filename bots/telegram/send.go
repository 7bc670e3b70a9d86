package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/outbox"
	"golang.org/x/time/rate"
)

// Telegram's limits on what a bot sends.
const (
	maxText       = 4096 // UTF-16 units of a message, after markup
	maxCaption    = 1024 // of a photo's or a document's caption
	maxAlert      = 200  // of a button press's pop-up answer
	globalPerSec  = 30   // messages per second in all
	groupPerMin   = 20   // messages per minute to one group
	chatPerSecond = 1    // messages per second to one chat
)

// Limits are the rates at which the adapter sends. The zero value (and
// each zero field) means Telegram's broadcast limits, which production
// always uses: tests that are not about pacing raise them so that they
// need not wait a second between two messages to one chat.
type Limits struct {
	PerSecond      float64 // messages per second in all (30)
	ChatPerSecond  float64 // messages per second to one chat (1)
	GroupPerMinute int     // messages per minute to one group (20)
}

// withDefaults fills each zero field with Telegram's limit.
func (l Limits) withDefaults() Limits {
	if l.PerSecond <= 0 {
		l.PerSecond = globalPerSec
	}
	if l.ChatPerSecond <= 0 {
		l.ChatPerSecond = chatPerSecond
	}
	if l.GroupPerMinute <= 0 {
		l.GroupPerMinute = groupPerMin
	}
	return l
}

// limits paces messages under Telegram's broadcast limits: 30 a second in
// all, one a second per chat and 20 a minute per group (or the Limits the
// adapter was given).
type limits struct {
	rates  Limits
	global *rate.Limiter
	mu     sync.Mutex
	chats  map[string]*chatLimit
}

type chatLimit struct {
	chat, group *rate.Limiter
	used        time.Time
}

func newLimits(rates Limits) *limits {
	rates = rates.withDefaults()
	return &limits{rates: rates, global: rate.NewLimiter(rate.Limit(rates.PerSecond), max(1, int(rates.PerSecond))),
		chats: map[string]*chatLimit{}}
}

// wait blocks until a message may go to chat.
func (l *limits) wait(ctx context.Context, chat string) error {
	c := l.chat(chat)
	if c.group != nil {
		if err := c.group.Wait(ctx); err != nil {
			return err
		}
	}
	if err := c.chat.Wait(ctx); err != nil {
		return err
	}
	return l.global.Wait(ctx)
}

func (l *limits) chat(id string) *chatLimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.chats) > 10000 {
		for k, c := range l.chats {
			if now.Sub(c.used) > time.Minute {
				delete(l.chats, k)
			}
		}
	}
	c := l.chats[id]
	if c == nil {
		c = &chatLimit{chat: rate.NewLimiter(rate.Limit(l.rates.ChatPerSecond), 1)}
		if strings.HasPrefix(id, "-") { // groups and channels have negative ids
			perMin := l.rates.GroupPerMinute
			c.group = rate.NewLimiter(rate.Every(time.Minute/time.Duration(perMin)), perMin)
		}
		l.chats[id] = c
	}
	c.used = now
	return c
}

// Send implements bots.Sender.
func (a *Adapter) Send(ctx context.Context, d outbox.Delivery) ([]string, error) {
	t, m := d.Target, d.Message
	chat := t.ChatID
	if chat == "" {
		chat = t.UserID // a private chat's id is the user's id
	}
	chatID, err := strconv.ParseInt(chat, 10, 64)
	if err != nil {
		return d.SentIDs, outbox.Permanent(fmt.Errorf("telegram chat id %q is not a number", chat))
	}
	if t.Handle != "" && len(d.SentIDs) == 0 {
		done, err := a.answerButton(ctx, t.Handle, m)
		if err != nil || done {
			return d.SentIDs, err
		}
	}
	if m.Edit && t.EditID != "" && m.Image == nil && m.File == nil && len(m.Media) == 0 && m.Form == nil {
		return a.edit(ctx, chatID, t.EditID, m, d.SentIDs)
	}
	return a.send(ctx, chatID, d)
}

// answerButton answers a button press: with a pop-up when the reply is a
// short ephemeral text (done), else by stopping the button's spinner so
// the reply can follow as a message. A press answered too late (Telegram
// keeps them a few minutes) still gets its reply as a message.
func (a *Adapter) answerButton(ctx context.Context, id string, m bots.Reply) (done bool, err error) {
	plain := markup.Parse(m.Text).PlainText()
	alert := m.Ephemeral && !m.Edit && m.Form == nil && m.Image == nil && m.File == nil && len(m.Media) == 0 && len(m.Buttons) == 0 &&
		plain != "" && markup.UTF16Len(plain) <= maxAlert
	params := &bot.AnswerCallbackQueryParams{CallbackQueryID: id}
	if alert {
		params.Text, params.ShowAlert = plain, true
	}
	_, err = a.bot.AnswerCallbackQuery(ctx, params)
	switch {
	case err == nil:
		return alert, nil
	case errors.Is(err, bot.ErrorBadRequest):
		return false, nil // too old to answer: send the reply as a message
	default:
		return false, classify(err)
	}
}

// send sends the reply as one or more messages, skipping the parts an
// earlier attempt sent. Telegram has no idempotency key: each part is
// recorded as sent the moment Telegram accepts it, which leaves a crash
// only that moment to send it twice.
func (a *Adapter) send(ctx context.Context, chatID int64, d outbox.Delivery) ([]string, error) {
	t, m, sent := d.Target, d.Message, d.SentIDs
	parts := a.parts(t, m)
	slot := 0 // where the part's ids start in sent: an album has one per item
	for i, p := range parts {
		if slot+p.messages() <= len(d.SentIDs) {
			slot += p.messages()
			continue
		}
		slot += p.messages()
		if err := a.limits.wait(ctx, strconv.FormatInt(chatID, 10)); err != nil {
			return sent, err
		}
		ids, err := a.sendPart(ctx, chatID, t, i, p)
		if err != nil {
			return sent, err
		}
		sent = append(sent, ids...)
		if err := d.Accepted(ctx, sent); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// sendPart sends one part and returns the ids of the messages it became.
func (a *Adapter) sendPart(ctx context.Context, chatID int64, t outbox.Target, i int, p part) ([]string, error) {
	var msg *models.Message
	var err error
	switch {
	case len(p.media) > 0:
		return a.sendMedia(ctx, chatID, t, i, p)
	case p.photo != nil:
		msg, err = a.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chatID, MessageThreadID: thread(t), Photo: p.photo,
			Caption: p.html, ParseMode: models.ParseModeHTML, ReplyParameters: replyTo(t, i), ReplyMarkup: p.markup})
	case p.document != nil:
		msg, err = a.bot.SendDocument(ctx, &bot.SendDocumentParams{ChatID: chatID, MessageThreadID: thread(t), Document: p.document,
			Caption: p.html, ParseMode: models.ParseModeHTML, ReplyParameters: replyTo(t, i), ReplyMarkup: p.markup})
	default:
		msg, err = a.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: chatID, MessageThreadID: thread(t), Text: p.html,
			ParseMode: models.ParseModeHTML, ReplyParameters: replyTo(t, i), ReplyMarkup: p.markup,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()}})
	}
	if err != nil {
		return nil, classify(err)
	}
	return []string{strconv.Itoa(msg.ID)}, nil
}

// edit replaces the text and buttons of the message a button was on.
func (a *Adapter) edit(ctx context.Context, chatID int64, messageID string, m bots.Reply, sent []string) ([]string, error) {
	id, err := strconv.Atoi(messageID)
	if err != nil {
		return sent, outbox.Permanent(fmt.Errorf("telegram message id %q is not a number", messageID))
	}
	doc := markup.Parse(m.Text)
	if markup.UTF16Len(doc.PlainText()) > maxText {
		doc = markup.Split(doc, maxText, textSize)[0]
	}
	_, err = a.bot.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chatID, MessageID: id, Text: markup.TelegramHTML(doc),
		ParseMode: models.ParseModeHTML, ReplyMarkup: keyboard(m.Buttons),
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()}})
	if err != nil && strings.Contains(err.Error(), "message is not modified") {
		err = nil // the same text again: nothing to change
	}
	if err != nil {
		return sent, classify(err)
	}
	return []string{messageID}, nil
}

// part is one message of a reply: a text, or a photo or a document with
// the text as its caption.
type part struct {
	html            string
	photo, document models.InputFile
	media           []outbox.MediaRef // stored files: a photo, a video or an album
	markup          models.ReplyMarkup
}

// messages is how many messages the part becomes: one per album item.
func (p part) messages() int { return max(1, len(p.media)) }

// parts cuts a reply into Telegram messages: the image or file first (with
// the text as its caption when it fits), the text in pieces of at most 4096
// characters, the buttons under the last piece. A form becomes a prompt to
// reply to.
func (a *Adapter) parts(t outbox.Target, m bots.Reply) []part {
	if m.Form != nil {
		return []part{a.formPrompt(t, *m.Form)}
	}
	doc := markup.Parse(m.Text)
	var out []part
	if len(m.Media) > 0 {
		out = append(out, mediaPart(m))
		if out[0].html != "" {
			doc = nil
		}
	} else if m.Image != nil || m.File != nil {
		var p part
		if m.Image != nil {
			p.photo = photoOf(m.Image)
		} else {
			p.document = &models.InputFileUpload{Filename: m.File.Name, Data: bytes.NewReader(m.File.Data)}
		}
		if textSize(doc) <= maxCaption {
			p.html, doc = markup.TelegramHTML(doc), nil
		}
		out = append(out, p)
	}
	if len(doc) > 0 {
		for _, piece := range markup.Split(doc, maxText, textSize) {
			out = append(out, part{html: markup.TelegramHTML(piece)})
		}
	}
	if len(out) == 0 || len(m.Buttons) > 0 && len(out[len(out)-1].media) > 1 {
		out = append(out, part{html: "\u2063"}) // buttons need a message to sit under
	}
	out[len(out)-1].markup = keyboard(m.Buttons)
	return out
}

// formPrompt asks for a form's fields as a reply to the prompt. A hidden
// link names the form so the reply can be matched to it.
func (a *Adapter) formPrompt(t outbox.Target, f bots.Form) part {
	var b strings.Builder
	fmt.Fprintf(&b, "<a href=\"%s\">\u200b</a><b>%s</b>", html.EscapeString(formLink(f)), markup.TelegramHTML(markup.Doc{{Text: f.Title}}))
	for _, fl := range f.Fields {
		b.WriteString("\n• " + markup.TelegramHTML(markup.Doc{{Text: fl.Label}}))
		if fl.Placeholder != "" {
			b.WriteString(" (" + markup.TelegramHTML(markup.Doc{{Text: fl.Placeholder}}) + ")")
		}
	}
	hint := "form.reply_hint"
	if len(f.Fields) > 1 {
		hint = "form.reply_hint_many"
	}
	b.WriteString("\n\n<i>" + markup.TelegramHTML(markup.Parse(a.catalog.Text(t.Lang, hint, nil))) + "</i>")
	placeholder := f.Fields[0].Placeholder
	if len([]rune(placeholder)) > 64 {
		placeholder = string([]rune(placeholder)[:64])
	}
	return part{html: b.String(), markup: &models.ForceReply{ForceReply: true, InputFieldPlaceholder: placeholder}}
}

func textSize(d markup.Doc) int { return markup.UTF16Len(d.PlainText()) }

func keyboard(rows [][]bots.Button) models.ReplyMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := &models.InlineKeyboardMarkup{}
	for _, row := range rows {
		var out []models.InlineKeyboardButton
		for _, b := range row {
			out = append(out, models.InlineKeyboardButton{Text: b.Label, CallbackData: b.Data, URL: b.URL})
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, out)
	}
	return kb
}

func photoOf(img *bots.Image) models.InputFile {
	if img.URL != "" {
		return &models.InputFileString{Data: img.URL}
	}
	name := img.Name
	if name == "" {
		name = "image.png"
	}
	return &models.InputFileUpload{Filename: name, Data: bytes.NewReader(img.Data)}
}

func thread(t outbox.Target) int {
	n, _ := strconv.Atoi(t.ThreadID)
	return n
}

// replyTo makes the first part of a reply answer the message it replies to.
func replyTo(t outbox.Target, part int) *models.ReplyParameters {
	id, err := strconv.Atoi(t.ReplyTo)
	if part > 0 || t.ReplyTo == "" || err != nil {
		return nil
	}
	return &models.ReplyParameters{MessageID: id, AllowSendingWithoutReply: true}
}

// classify tells the dispatcher what a failed call means: wait as long as
// Telegram asks (429), give up when retrying cannot help (the chat is
// gone, the bot was blocked, the message was refused), else retry later.
func classify(err error) error {
	if tooMany, ok := errors.AsType[*bot.TooManyRequestsError](err); ok {
		return &outbox.RetryAfterError{After: time.Duration(tooMany.RetryAfter) * time.Second, Err: err}
	}
	if _, ok := errors.AsType[*bot.MigrateError](err); ok {
		return outbox.Permanent(err) // the group became a supergroup with a new id
	}
	for _, permanent := range []error{bot.ErrorForbidden, bot.ErrorBadRequest, bot.ErrorNotFound} {
		if errors.Is(err, permanent) {
			return outbox.Permanent(err)
		}
	}
	return err
}
