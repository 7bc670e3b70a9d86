package telegramtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// htmlTags are the tags Telegram's HTML parse mode accepts.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// htmlParser follows the rules of Telegram's HTML parse mode (tdlib's
// parse_html), with error texts like Telegram's, and makes the message
// entities Telegram would. It is stricter in one way: Telegram shows an '&'
// that starts no entity as it is, but here it is an error, because it means
// the renderer forgot to escape user text.
type htmlParser struct {
	src      string
	pos      int
	out      strings.Builder
	units    int       // length of out in UTF-16 code units
	open     []openTag // innermost last
	entities []models.MessageEntity
}

// openTag is a start tag whose end tag has not come yet.
type openTag struct {
	name     string
	attrs    map[string]string
	offset   int    // where its entity starts in the shown text, in UTF-16 units
	language string // of a pre, from the class of the code inside it
}

// parseHTML returns the text and entities Telegram would show for src, or
// why Telegram would refuse it. Entities are sorted as Telegram sorts
// them: by offset, the longer first.
func parseHTML(src string) (string, []models.MessageEntity, error) {
	p := &htmlParser{src: src}
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '&':
			r, err := p.entity()
			if err != nil {
				return "", nil, err
			}
			p.write(r)
		case '<':
			if err := p.tag(); err != nil {
				return "", nil, err
			}
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			p.pos += size
			p.write(r)
		}
	}
	if n := len(p.open); n > 0 {
		return "", nil, entityErrorf("Can't find end tag corresponding to start tag \"%s\"", p.open[n-1].name)
	}
	slices.SortStableFunc(p.entities, func(a, b models.MessageEntity) int {
		if a.Offset != b.Offset {
			return a.Offset - b.Offset
		}
		return b.Length - a.Length
	})
	return p.out.String(), p.entities, nil
}

// write appends a character to the shown text.
func (p *htmlParser) write(r rune) {
	p.out.WriteRune(r)
	p.units++
	if r >= 0x10000 { // outside the Basic Multilingual Plane: a surrogate pair
		p.units++
	}
}

// entity decodes the character entity at p.pos: &lt; &gt; &amp; &quot; and
// numeric ones, the only ones Telegram knows.
func (p *htmlParser) entity() (rune, error) {
	begin := p.pos
	if end := strings.IndexByte(p.src[begin:min(len(p.src), begin+12)], ';'); end > 0 {
		if r, ok := decodeEntity(p.src[begin+1 : begin+end]); ok {
			p.pos = begin + end + 1
			return r, nil
		}
	}
	return 0, entityErrorf("Unescaped \"&\" at byte offset %d; write &amp; (telegramtest is stricter here: Telegram would show it as is)", begin)
}

func decodeEntity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	}
	digits, base := strings.TrimPrefix(name, "#"), 10
	if digits == name {
		return 0, false
	}
	if rest, ok := strings.CutPrefix(strings.ToLower(digits), "x"); ok {
		digits, base = rest, 16
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || n == 0 || n > 0x10FFFF {
		return 0, false
	}
	return rune(n), true
}

// tag reads the start or end tag at p.pos.
func (p *htmlParser) tag() error {
	begin := p.pos
	if strings.HasPrefix(p.src[begin:], "</") {
		return p.endTag(begin)
	}
	p.pos++
	name := strings.ToLower(p.token(" \t\r\n>"))
	if p.pos >= len(p.src) {
		return entityErrorf("Unclosed start tag at byte offset %d", begin)
	}
	if !htmlTags[name] {
		return entityErrorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
	}
	attrs, err := p.attributes(name, begin)
	if err != nil {
		return err
	}
	switch {
	case name == "span" && attrs["class"] != "tg-spoiler":
		return entityErrorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
	case name == "tg-emoji":
		if _, err := strconv.ParseInt(attrs["emoji-id"], 10, 64); err != nil {
			return entityErrorf("Invalid custom emoji identifier specified")
		}
	}
	p.open = append(p.open, openTag{name: name, attrs: attrs, offset: p.units})
	return nil
}

func (p *htmlParser) endTag(begin int) error {
	if len(p.open) == 0 {
		return entityErrorf("Unexpected end tag at byte offset %d", begin)
	}
	p.pos += 2
	name := strings.ToLower(p.token(" \t\r\n>"))
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '>' {
		return entityErrorf("Unclosed end tag at byte offset %d", begin)
	}
	p.pos++
	top := p.open[len(p.open)-1]
	if name != "" && name != top.name {
		return entityErrorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, name)
	}
	p.open = p.open[:len(p.open)-1]
	p.closeEntity(top)
	return nil
}

// entityTypes are the entities simple tags make.
var entityTypes = map[string]models.MessageEntityType{
	"b": models.MessageEntityTypeBold, "strong": models.MessageEntityTypeBold,
	"i": models.MessageEntityTypeItalic, "em": models.MessageEntityTypeItalic,
	"u": models.MessageEntityTypeUnderline, "ins": models.MessageEntityTypeUnderline,
	"s": models.MessageEntityTypeStrikethrough, "strike": models.MessageEntityTypeStrikethrough,
	"del":  models.MessageEntityTypeStrikethrough,
	"span": models.MessageEntityTypeSpoiler, "tg-spoiler": models.MessageEntityTypeSpoiler,
	"code": models.MessageEntityTypeCode, "pre": models.MessageEntityTypePre,
	"blockquote": models.MessageEntityTypeBlockquote, "tg-emoji": models.MessageEntityTypeCustomEmoji,
}

// closeEntity adds the entity of a tag just closed, as Telegram makes it.
// Empty entities are dropped, and a code right inside a pre only gives the
// pre its language.
func (p *htmlParser) closeEntity(t openTag) {
	e := models.MessageEntity{Type: entityTypes[t.name], Offset: t.offset, Length: p.units - t.offset}
	switch t.name {
	case "code":
		if n := len(p.open); n > 0 && p.open[n-1].name == "pre" {
			p.open[n-1].language, _ = strings.CutPrefix(t.attrs["class"], "language-")
			return
		}
	case "pre":
		e.Language = t.language
	case "blockquote":
		if _, ok := t.attrs["expandable"]; ok {
			e.Type = models.MessageEntityTypeExpandableBlockquote
		}
	case "tg-emoji":
		e.CustomEmojiID = t.attrs["emoji-id"]
	case "a":
		href := t.attrs["href"]
		if href == "" {
			return // Telegram links the text itself when it is a URL; the fake makes no entity
		}
		e.Type, e.URL = models.MessageEntityTypeTextLink, href
		if id, ok := strings.CutPrefix(href, "tg://user?id="); ok {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				e.Type, e.URL, e.User = models.MessageEntityTypeTextMention, "", &models.User{ID: n}
			}
		}
	}
	if e.Length > 0 {
		p.entities = append(p.entities, e)
	}
}

// attributes reads a start tag's attributes up to and including its '>'.
func (p *htmlParser) attributes(tag string, begin int) (map[string]string, error) {
	attrs := map[string]string{}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, entityErrorf("Unclosed start tag at byte offset %d", begin)
		}
		if p.src[p.pos] == '>' {
			p.pos++
			return attrs, nil
		}
		name := strings.ToLower(p.token(" \t\r\n=>/\"'"))
		if name == "" {
			return nil, entityErrorf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, entityErrorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
		}
		if p.src[p.pos] != '=' {
			attrs[name] = ""
			continue
		}
		p.pos++
		p.skipSpace()
		value, err := p.attributeValue(tag, begin)
		if err != nil {
			return nil, err
		}
		attrs[name] = value
	}
}

// attributeValue reads a quoted value, decoding entities, or a bare token.
func (p *htmlParser) attributeValue(tag string, begin int) (string, error) {
	if p.pos >= len(p.src) {
		return "", entityErrorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
	}
	quote := p.src[p.pos]
	if quote != '"' && quote != '\'' {
		start := p.pos
		for p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
			p.pos++
		}
		if p.pos >= len(p.src) || !strings.ContainsRune(" \t\r\n>", rune(p.src[p.pos])) {
			return "", entityErrorf("Unexpected end of name token at byte offset %d", start)
		}
		return strings.ToLower(p.src[start:p.pos]), nil
	}
	p.pos++
	var value strings.Builder
	for p.pos < len(p.src) && p.src[p.pos] != quote {
		if p.src[p.pos] == '&' {
			r, err := p.entity()
			if err != nil {
				return "", err
			}
			value.WriteRune(r)
			continue
		}
		value.WriteByte(p.src[p.pos])
		p.pos++
	}
	if p.pos >= len(p.src) {
		return "", entityErrorf("Unclosed start tag at byte offset %d", begin)
	}
	p.pos++
	return value.String(), nil
}

// token reads bytes up to one of stops or the end.
func (p *htmlParser) token(stops string) string {
	start := p.pos
	for p.pos < len(p.src) && !strings.ContainsRune(stops, rune(p.src[p.pos])) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *htmlParser) skipSpace() {
	for p.pos < len(p.src) && strings.ContainsRune(" \t\r\n", rune(p.src[p.pos])) {
		p.pos++
	}
}

// entityError is why Telegram refuses the markup, worded as Telegram words
// it (capitalised, which Go error strings usually are not).
type entityError string

func (e entityError) Error() string { return string(e) }

func entityErrorf(format string, args ...any) error {
	return entityError(fmt.Sprintf(format, args...))
}

func isNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-'
}
