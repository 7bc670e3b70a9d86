package telegramtest

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

const (
	maxTextLen    = 4096 // UTF-16 code units after entity parsing
	maxCaptionLen = 1024
)

// shownText is a message text or caption as the chat shows it.
type shownText struct {
	text     string
	entities []models.MessageEntity
	source   string // what the client sent, to spot edits that change nothing
}

// checkText validates the text or caption field of c as Telegram does and
// returns it as the chat shows it: tags gone, character entities decoded,
// formatting turned into message entities, surrounding spaces trimmed.
// Entities sent in "entities" or "caption_entities" are taken instead of
// parse_mode, as Telegram does. limit is in UTF-16 code units.
func checkText(c Call, field string, limit int) (shownText, *reply) {
	entitiesField := "entities"
	if field == "caption" {
		entitiesField = "caption_entities"
	}
	raw, parseMode := c.Params[field], c.Params["parse_mode"]
	out := shownText{text: raw, source: parseMode + "\x00" + c.Params[entitiesField] + "\x00" + raw}
	if !utf8.ValidString(raw) {
		return out, fail(badRequest("%s must be encoded in UTF-8", field))
	}
	switch {
	case c.Params[entitiesField] != "":
		if err := c.JSON(entitiesField, &out.entities); err != nil {
			return out, fail(badRequest("can't parse entities JSON object"))
		}
	case strings.EqualFold(parseMode, "html"):
		var err error
		if out.text, out.entities, err = parseHTML(raw); err != nil {
			return out, fail(badRequest("can't parse entities: %v", err))
		}
	case parseMode == "", strings.EqualFold(parseMode, "markdown"), strings.EqualFold(parseMode, "markdownv2"):
		// Markdown is accepted unchecked and without entities: Hearth
		// renders HTML.
	default:
		return out, fail(badRequest("unsupported parse_mode"))
	}
	out.text, out.entities = trimText(out.text, out.entities)
	switch n := utf16Len(out.text); {
	case n == 0 && field == "text":
		return out, fail(badRequest("message text is empty"))
	case n > limit && field == "caption":
		return out, fail(badRequest("message caption is too long"))
	case n > limit:
		return out, fail(badRequest("message is too long"))
	}
	return out, nil
}

// trimText trims surrounding white space as Telegram does, moving and
// clipping the entities along, and dropping those left empty.
func trimText(text string, entities []models.MessageEntity) (string, []models.MessageEntity) {
	rest := strings.TrimLeftFunc(text, unicode.IsSpace)
	lead := utf16Len(text[:len(text)-len(rest)])
	text = strings.TrimRightFunc(rest, unicode.IsSpace)
	size := utf16Len(text)
	var out []models.MessageEntity
	for _, e := range entities {
		start, end := max(e.Offset-lead, 0), min(e.Offset+e.Length-lead, size)
		if end > start {
			e.Offset, e.Length = start, end-start
			out = append(out, e)
		}
	}
	return text, out
}

// utf16Len is the length of s in UTF-16 code units, the unit in which
// Telegram measures texts and entity offsets.
func utf16Len(s string) int {
	return len(utf16.Encode([]rune(s)))
}

// fail is r as a reply pointer, the form the checks answer errors in.
func fail(r reply) *reply { return &r }
