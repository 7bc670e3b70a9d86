package telegram

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strconv"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/outbox"
)

// mediaPart is the part carrying a reply's stored files, with the text as
// the caption when it fits one. An album cannot carry buttons
// (sendMediaGroup has no reply_markup): with buttons, its text follows it
// in a message of its own, under which they sit.
func mediaPart(m bots.Reply) part {
	p := part{media: m.Media}
	doc := markup.Parse(m.Text)
	album := len(m.Media) > 1
	if len(doc) > 0 && textSize(doc) <= maxCaption && !(album && len(m.Buttons) > 0) {
		p.html = markup.TelegramHTML(doc)
	}
	return p
}

// sendMedia sends a part's stored files, streamed from the store as they
// are uploaded: one file as a photo, a video or a document, several as an
// album with the caption on its first item. It returns the id of every message.
func (a *Adapter) sendMedia(ctx context.Context, chatID int64, t outbox.Target, i int, p part) ([]string, error) {
	files, err := outbox.OpenMedia(ctx, a.o.Media, p.media)
	if err != nil {
		return nil, err
	}
	defer outbox.CloseMedia(files)
	if len(files) == 1 {
		msg, err := a.sendOneMedia(ctx, chatID, t, i, p, &files[0])
		if err != nil {
			return nil, classify(err)
		}
		return []string{strconv.Itoa(msg.ID)}, nil
	}
	// An album holds documents only with documents: with one among
	// them, every file goes as a document.
	documents := slices.ContainsFunc(files, func(f outbox.OpenedMedia) bool { return f.IsDocument() })
	group := make([]models.InputMedia, len(files))
	for k := range files {
		f := &files[k] // go-telegram/bot wants a reader it can compare with nil
		attach := fmt.Sprintf("attach://media%d%s", k, path.Ext(f.FileName()))
		caption := ""
		if k == 0 {
			caption = p.html
		}
		switch {
		case documents:
			group[k] = &models.InputMediaDocument{Media: attach, Caption: caption, ParseMode: models.ParseModeHTML, MediaAttachment: f}
		case f.IsVideo():
			group[k] = &models.InputMediaVideo{Media: attach, Caption: caption, ParseMode: models.ParseModeHTML,
				SupportsStreaming: true, MediaAttachment: f}
		default:
			group[k] = &models.InputMediaPhoto{Media: attach, Caption: caption, ParseMode: models.ParseModeHTML, MediaAttachment: f}
		}
	}
	msgs, err := a.bot.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: chatID, MessageThreadID: thread(t), Media: group,
		ReplyParameters: replyTo(t, i)})
	if err != nil {
		return nil, classify(err)
	}
	ids := make([]string, len(msgs))
	for k, msg := range msgs {
		ids[k] = strconv.Itoa(msg.ID)
	}
	return ids, nil
}

// maxPhoto is the largest photo Telegram takes (sendPhoto); a larger
// picture goes as a document, which may be up to 50 MB.
const maxPhoto = 10 << 20

// sendOneMedia sends a single stored file as a photo, a video, a
// document or, for a GIF, an animation that plays (a still picture over
// 10 MB as a document). In an album a GIF is a photo: sendMediaGroup takes no
// animations.
func (a *Adapter) sendOneMedia(ctx context.Context, chatID int64, t outbox.Target, i int, p part, f *outbox.OpenedMedia) (*models.Message, error) {
	upload := &models.InputFileUpload{Filename: f.FileName(), Data: f} // a pointer: go-telegram/bot checks it for nil
	switch {
	case f.Type == "image/gif":
		return a.bot.SendAnimation(ctx, &bot.SendAnimationParams{ChatID: chatID, MessageThreadID: thread(t), Animation: upload,
			Caption: p.html, ParseMode: models.ParseModeHTML, ReplyParameters: replyTo(t, i), ReplyMarkup: p.markup})
	case f.IsDocument() || !f.IsVideo() && f.Size > maxPhoto:
		return a.bot.SendDocument(ctx, &bot.SendDocumentParams{ChatID: chatID, MessageThreadID: thread(t), Document: upload,
			Caption: p.html, ParseMode: models.ParseModeHTML, ReplyParameters: replyTo(t, i), ReplyMarkup: p.markup})
	case f.IsVideo():
		return a.bot.SendVideo(ctx, &bot.SendVideoParams{ChatID: chatID, MessageThreadID: thread(t), Video: upload,
			Caption: p.html, ParseMode: models.ParseModeHTML, ReplyParameters: replyTo(t, i), ReplyMarkup: p.markup,
			SupportsStreaming: true})
	}
	return a.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chatID, MessageThreadID: thread(t), Photo: upload,
		Caption: p.html, ParseMode: models.ParseModeHTML, ReplyParameters: replyTo(t, i), ReplyMarkup: p.markup})
}
