// Package markup is the small text markup of Hearth's messages and its
// rendering for each platform: Telegram HTML, Discord markdown and plain
// text for the console.
//
// The syntax, written in message catalogs:
//
//	*bold*  _italic_  `code`  [label](https://example.com)  [Alice](user:123)
//
// A backslash makes the next character literal. [label](user:ID) mentions
// the platform user ID. Values put into a message (names, a member's own
// words) go through Escape first, so they are never read as markup.
package markup

import (
	"strings"
	"unicode/utf8"
)

// Style is a set of text styles.
type Style uint8

// The styles a span may have.
const (
	Bold Style = 1 << iota
	Italic
	Code
)

// Span is a run of text with one style, optionally a link or a mention.
type Span struct {
	Text    string
	Style   Style
	URL     string // a link target, when not empty
	Mention string // the mentioned platform user id, when not empty
}

// Doc is a parsed message: its spans in order.
type Doc []Span

// special are the characters Escape protects.
const special = "\\*_`[]"

// Escape makes s literal text inside markup.
func Escape(s string) string {
	if !strings.ContainsAny(s, special) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Parse reads markup. It never fails: a marker without its partner is
// literal text.
func Parse(s string) Doc {
	p := parser{src: s}
	p.parse(0, 0)
	return p.doc.merged()
}

type parser struct {
	src  string
	pos  int
	doc  Doc
	text strings.Builder
}

// parse reads spans of the given style until closer (0: the end of input).
func (p *parser) parse(style Style, closer byte) {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\\' && p.pos+1 < len(p.src):
			p.pos++
			p.literalRune()
		case closer != 0 && c == closer:
			p.pos++
			p.flush(style)
			return
		case c == '*' && style&Bold == 0 && p.hasCloser('*'):
			p.nest(style, Bold, '*')
		case c == '_' && style&Italic == 0 && p.hasCloser('_'):
			p.nest(style, Italic, '_')
		case c == '`' && p.code(style):
		case c == '[' && p.link(style):
		default:
			p.literalRune()
		}
	}
	p.flush(style)
}

func (p *parser) literalRune() {
	_, size := utf8.DecodeRuneInString(p.src[p.pos:])
	p.text.WriteString(p.src[p.pos : p.pos+size])
	p.pos += size
}

// hasCloser reports whether an unescaped c follows the marker at pos.
func (p *parser) hasCloser(c byte) bool {
	for i := p.pos + 1; i < len(p.src); i++ {
		switch p.src[i] {
		case '\\':
			i++
		case c:
			return true
		}
	}
	return false
}

func (p *parser) nest(outer, add Style, closer byte) {
	p.flush(outer)
	p.pos++
	p.parse(outer|add, closer)
}

// code reads `literal text` at pos; false if the backtick is not closed.
// Inside, only a backslash's escape counts, so that an escaped value put
// into a code span (a command's usage, a member's words) reads as it is.
func (p *parser) code(style Style) bool {
	end := indexUnescaped(p.src[p.pos+1:], "`")
	if end < 0 {
		return false
	}
	p.flush(style)
	p.doc = append(p.doc, Span{Text: unescape(p.src[p.pos+1 : p.pos+1+end]), Style: style | Code})
	p.pos += end + 2
	return true
}

// link reads [label](target) at pos; false if it is not one.
func (p *parser) link(style Style) bool {
	rest := p.src[p.pos:]
	mid := indexUnescaped(rest, "](")
	if mid < 0 {
		return false
	}
	end := strings.IndexByte(rest[mid+2:], ')')
	if end < 0 {
		return false
	}
	target := rest[mid+2 : mid+2+end]
	label := unescape(rest[1:mid])
	if label == "" || target == "" {
		return false
	}
	p.flush(style)
	span := Span{Text: label, Style: style}
	if id, ok := strings.CutPrefix(target, "user:"); ok {
		span.Mention = id
	} else {
		span.URL = target
	}
	p.doc = append(p.doc, span)
	p.pos += mid + 3 + end
	return true
}

func (p *parser) flush(style Style) {
	if p.text.Len() > 0 {
		p.doc = append(p.doc, Span{Text: p.text.String(), Style: style})
		p.text.Reset()
	}
}

func indexUnescaped(s, sub string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], sub) {
			return i
		}
	}
	return -1
}

func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// merged joins neighbouring spans of the same kind.
func (d Doc) merged() Doc {
	var out Doc
	for _, s := range d {
		if n := len(out); n > 0 && out[n-1].Style == s.Style && out[n-1].URL == "" && out[n-1].Mention == "" && s.URL == "" && s.Mention == "" {
			out[n-1].Text += s.Text
			continue
		}
		out = append(out, s)
	}
	return out
}

// PlainText is the document's text with no markup, as a reader sees it.
func (d Doc) PlainText() string {
	var b strings.Builder
	for _, s := range d {
		b.WriteString(s.Text)
	}
	return b.String()
}
