package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

const (
	maxTextLen    = 4096 // UTF-16 code units after entity parsing
	maxCaptionLen = 1024
)

// htmlTags are the tags Telegram's HTML parse mode accepts.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// checkText validates a message text or caption as Telegram does and
// returns the text as the chat shows it (tags gone, entities decoded).
// what is "text" or "caption"; limit is in UTF-16 code units.
func checkText(text, parseMode string, limit int, what string) (string, *reply) {
	shown := text
	switch strings.ToLower(parseMode) {
	case "":
	case "html":
		var err error
		if shown, err = parseHTML(text); err != nil {
			r := badRequest("can't parse entities: %v", err)
			return "", &r
		}
	case "markdown", "markdownv2":
		// Accepted unchecked: Hearth renders HTML.
	default:
		r := badRequest("unsupported parse_mode")
		return "", &r
	}
	shown = strings.TrimSpace(shown)
	if shown == "" && what == "text" {
		r := badRequest("message text is empty")
		return "", &r
	}
	if utf16Len(shown) > limit {
		r := badRequest("message is too long")
		if what == "caption" {
			r = badRequest("message caption is too long")
		}
		return "", &r
	}
	return shown, nil
}

// htmlParser follows the rules of Telegram's HTML parse mode (tdlib's
// parse_html), with error texts like Telegram's. It is stricter in one
// way: Telegram shows an '&' that starts no entity as it is, but here it is
// an error, because it means the renderer forgot to escape user text.
type htmlParser struct {
	src  string
	pos  int
	out  strings.Builder
	open []string // tags opened and not yet closed, innermost last
}

// parseHTML returns the text Telegram would show for src, or why Telegram
// would refuse it.
func parseHTML(src string) (string, error) {
	p := &htmlParser{src: src}
	for p.pos < len(p.src) {
		var err error
		switch p.src[p.pos] {
		case '&':
			err = p.entity(&p.out)
		case '<':
			err = p.tag()
		default:
			p.out.WriteByte(p.src[p.pos])
			p.pos++
		}
		if err != nil {
			return "", err
		}
	}
	if n := len(p.open); n > 0 {
		return "", entityErrorf("Can't find end tag corresponding to start tag \"%s\"", p.open[n-1])
	}
	return p.out.String(), nil
}

// entity decodes the character entity at p.pos into out: &lt; &gt; &amp;
// &quot; and numeric ones, the only ones Telegram knows.
func (p *htmlParser) entity(out *strings.Builder) error {
	begin := p.pos
	end := strings.IndexByte(p.src[begin:min(len(p.src), begin+12)], ';')
	if end > 0 {
		name := p.src[begin+1 : begin+end]
		if r, ok := decodeEntity(name); ok {
			out.WriteRune(r)
			p.pos = begin + end + 1
			return nil
		}
	}
	return entityErrorf("Unescaped \"&\" at byte offset %d; write &amp; (telegramtest is stricter here: Telegram would show it as is)", begin)
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
	p.open = append(p.open, name)
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
	if name != "" && name != top {
		return entityErrorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top, name)
	}
	p.open = p.open[:len(p.open)-1]
	return nil
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
			if err := p.entity(&value); err != nil {
				return "", err
			}
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

// utf16Len is the length of s in UTF-16 code units, the unit in which
// Telegram measures texts.
func utf16Len(s string) int {
	return len(utf16.Encode([]rune(s)))
}
