package markup

import (
	"html"
	"net/url"
	"strings"
	"unicode/utf16"
)

// TelegramHTML renders d for Telegram's HTML parse mode: <, > and & are
// escaped, styles become <b>, <i> and <code>, mentions tg://user links.
func TelegramHTML(d Doc) string {
	var b strings.Builder
	for _, s := range d {
		var open, close []string
		add := func(on bool, o, c string) {
			if on {
				open = append(open, o)
				close = append([]string{c}, close...)
			}
		}
		add(s.Style&Bold != 0, "<b>", "</b>")
		add(s.Style&Italic != 0, "<i>", "</i>")
		switch {
		case s.Mention != "":
			add(true, `<a href="tg://user?id=`+html.EscapeString(s.Mention)+`">`, "</a>")
		case s.URL != "":
			add(true, `<a href="`+html.EscapeString(s.URL)+`">`, "</a>")
		}
		add(s.Style&Code != 0, "<code>", "</code>")
		b.WriteString(strings.Join(open, ""))
		b.WriteString(escapeTelegram(s.Text))
		b.WriteString(strings.Join(close, ""))
	}
	return b.String()
}

// escapeTelegram escapes the three characters Telegram's HTML mode reserves
// in text; quotes stay as they are, readable.
func escapeTelegram(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// DiscordMarkdown renders d as Discord message markdown: markdown
// characters in text are escaped, mentions become <@id>.
func DiscordMarkdown(d Doc) string {
	var b strings.Builder
	for _, s := range d {
		switch {
		case s.Mention != "":
			b.WriteString("<@" + s.Mention + ">")
			continue
		case s.Style&Code != 0:
			b.WriteString(discordCode(s.Text))
			continue
		}
		text := escapeDiscord(s.Text, b.Len() == 0 || strings.HasSuffix(b.String(), "\n"))
		if s.URL != "" {
			text = "[" + text + "](" + discordURL(s.URL) + ")"
		}
		if s.Style&Italic != 0 {
			text = "_" + text + "_"
		}
		if s.Style&Bold != 0 {
			text = "**" + text + "**"
		}
		b.WriteString(text)
	}
	return b.String()
}

// escapeDiscord backslash-escapes the characters Discord reads as markdown,
// and those that start a heading, list or quote at the start of a line.
func escapeDiscord(s string, atLineStart bool) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune("\\*_~`|[]<>", r):
			b.WriteByte('\\')
		case atLineStart && strings.ContainsRune("#->", r):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		atLineStart = r == '\n' || atLineStart && r == ' '
	}
	return b.String()
}

// discordCode quotes s as inline code; a backtick inside needs a double
// backtick fence with spaces.
func discordCode(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return "`` " + strings.ReplaceAll(s, "``", "` `") + " ``"
}

// discordURL keeps a link target from ending the markdown link early.
func discordURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return strings.NewReplacer(")", "%29", " ", "%20").Replace(raw)
	}
	return strings.NewReplacer(")", "%29", "(", "%28").Replace(u.String())
}

// Plain renders d as text for a terminal: links as "label (url)", mentions
// as @name.
func Plain(d Doc) string {
	var b strings.Builder
	for _, s := range d {
		switch {
		case s.Mention != "":
			b.WriteString("@" + s.Text)
		case s.URL != "" && s.URL != s.Text:
			b.WriteString(s.Text + " (" + s.URL + ")")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// UTF16Len is the length Telegram measures text in.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Split cuts d into documents that each measure at most limit by size,
// breaking at line ends where it can and inside a line only when one line
// alone is too long.
func Split(d Doc, limit int, size func(Doc) int) []Doc {
	if size(d) <= limit {
		return []Doc{d}
	}
	var out []Doc
	var chunk Doc
	for _, line := range lines(d) {
		if size(append(chunk[:len(chunk):len(chunk)], line...)) <= limit {
			chunk = append(chunk, line...)
			continue
		}
		if len(chunk) > 0 {
			out = append(out, chunk.merged())
			chunk = nil
		}
		for size(line) > limit {
			head, tail := cut(line, limit, size)
			out = append(out, head.merged())
			line = tail
		}
		chunk = line
	}
	if len(chunk) > 0 {
		out = append(out, chunk.merged())
	}
	return out
}

// lines splits d after each newline.
func lines(d Doc) []Doc {
	var out []Doc
	var line Doc
	for _, s := range d {
		for {
			i := strings.IndexByte(s.Text, '\n')
			if i < 0 || s.Mention != "" || s.URL != "" {
				break
			}
			head := s
			head.Text = s.Text[:i+1]
			out = append(out, append(line, head))
			line = nil
			s.Text = s.Text[i+1:]
		}
		if s.Text != "" {
			line = append(line, s)
		}
	}
	if len(line) > 0 {
		out = append(out, line)
	}
	return out
}

// cut returns the longest prefix of d that fits limit (at least one rune)
// and the rest.
func cut(d Doc, limit int, size func(Doc) int) (Doc, Doc) {
	total := len([]rune(d.PlainText()))
	lo, hi := 1, total
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if head, _ := prefix(d, mid); size(head) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return prefix(d, lo)
}

// prefix splits d after n runes of text.
func prefix(d Doc, n int) (Doc, Doc) {
	var head, tail Doc
	for _, s := range d {
		r := []rune(s.Text)
		switch {
		case n <= 0:
			tail = append(tail, s)
		case len(r) <= n:
			head = append(head, s)
		default:
			h, t := s, s
			h.Text, t.Text = string(r[:n]), string(r[n:])
			head, tail = append(head, h), append(tail, t)
		}
		n -= len(r)
	}
	return head, tail
}
