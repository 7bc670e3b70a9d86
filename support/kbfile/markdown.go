package kbfile

import (
	"bufio"
	"io"
	"regexp"
	"strings"

	"github.com/hearthbot/hearth/support"
)

// The Markdown format. Each entry is a "## question" heading; right under
// it, optional "lang: xx" and "tags: a, b" lines; then a blank line and
// the answer, up to the next "## " heading. Text before the first heading
// is ignored. Inside the answer:
//
//   - A fenced code block (a line of three or more ` or ~ at the start of
//     a line, up to a line of at least as many of the same) is kept as
//     written: a "## " line in it does not begin an entry.
//   - Outside fenced code, a line that would begin an entry or a fence,
//     written with a backslash in front ("\## Step 1", "\```"), is that
//     line without its backslash: one backslash is removed from a line of
//     backslashes followed by "##" and a space (or nothing) or by a fence.
//     WriteMarkdown adds one the same way, so any answer comes back as it
//     was exported.
//   - In the tags line, tags are separated by commas; "\," is a comma
//     inside a tag and "\\" a backslash.

// heading returns the question of an entry's heading line: "##" then a
// space or a tab, or "##" alone.
func heading(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "##")
	if !ok || rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	return rest, true
}

// fenceOpen returns the marker of a line that opens a fenced code block:
// three or more backticks (not followed by text holding one) or tildes.
func fenceOpen(line string) string {
	if line == "" || line[0] != '`' && line[0] != '~' {
		return ""
	}
	n := len(line) - len(strings.TrimLeft(line, line[:1]))
	if n < 3 || line[0] == '`' && strings.Contains(line[n:], "`") {
		return ""
	}
	return line[:n]
}

// fenceCloses says whether a line closes the fenced block marker opened:
// only the same character, at least as many, and then spaces.
func fenceCloses(marker, line string) bool {
	line = strings.TrimRight(line, " \t")
	return len(line) >= len(marker) && strings.Trim(line, marker[:1]) == ""
}

// escaped says whether a line outside fenced code needs one backslash more
// when written (or has one too many when read): backslashes, then a
// heading or a fence.
func escaped(line string) bool {
	s := strings.TrimLeft(line, `\`)
	if _, ok := heading(s); ok {
		return true
	}
	return len(s) < len(line) && fenceOpen(s) != ""
}

// metaLine matches a lang: or tags: line under a heading.
var metaLine = regexp.MustCompile(`^(?i)(lang|tags)[ \t]*:(.*)$`)

// mdEntry is the entry being read and where its parts are.
type mdEntry struct {
	draft
	meta    bool     // still reading lang: and tags: lines
	keys    []string // the meta keys seen
	answer  []string // the answer's lines
	fence   string   // the marker of the open fenced block, if any
	fenceAt int      // the line that opened it
}

// parseMarkdown reads the entries of a Markdown file.
func parseMarkdown(lines []string, ps *problems) []draft {
	var drafts []draft
	var cur *mdEntry
	done := func() {
		if cur != nil {
			cur.entry.Answer = strings.Join(cur.answer, "\n")
			drafts = append(drafts, cur.draft)
		}
	}
	for i, line := range lines {
		n := i + 1
		if cur == nil || cur.fence == "" {
			if q, ok := heading(line); ok {
				done()
				cur = &mdEntry{draft: draft{line: n, entry: support.Entry{Question: q, Tags: []string{}}}, meta: true}
				continue
			}
		}
		if cur == nil {
			continue // a title or an introduction
		}
		if cur.meta {
			if m := metaLine.FindStringSubmatch(line); m != nil {
				cur.setMeta(n, strings.ToLower(m[1]), strings.TrimSpace(m[2]), ps)
				continue
			}
			cur.meta = false
			if strings.TrimSpace(line) == "" {
				continue
			}
		}
		cur.answerLine(n, line)
	}
	if cur != nil && cur.fence != "" {
		ps.add(cur.fenceAt, invalid("kbfile.open_fence", map[string]any{"Fence": cur.fence},
			"the code block opened here with %s is never closed", cur.fence))
	}
	done()
	return drafts
}

// setMeta records a lang: or tags: line.
func (m *mdEntry) setMeta(line int, key, value string, ps *problems) {
	for _, k := range m.keys {
		if k == key {
			ps.add(line, invalid("kbfile.meta_twice", map[string]any{"Key": key}, "a second %s: line for the entry", key))
			return
		}
	}
	m.keys = append(m.keys, key)
	switch key {
	case "lang":
		if value == "" {
			ps.add(line, invalid("kbfile.empty_lang", nil, "a lang: line without a language code"))
		}
		m.entry.Lang = value
	case "tags":
		m.entry.Tags = splitTags(value)
	}
}

// answerLine adds a line to the answer, following fenced code blocks and
// taking an escaping backslash off.
func (m *mdEntry) answerLine(n int, line string) {
	switch {
	case m.fence != "":
		if fenceCloses(m.fence, line) {
			m.fence = ""
		}
	case escaped(line):
		line = line[1:]
	default:
		if f := fenceOpen(line); f != "" {
			m.fence, m.fenceAt = f, n
		}
	}
	m.answer = append(m.answer, line)
}

// splitTags splits a tags line at its commas; "\," is a comma in a tag
// and "\\" a backslash; any other backslash is itself.
func splitTags(s string) []string {
	tags := []string{}
	var tag strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && (s[i+1] == ',' || s[i+1] == '\\'):
			i++
			tag.WriteByte(s[i])
		case c == ',':
			tags = append(tags, tag.String())
			tag.Reset()
		default:
			tag.WriteByte(c)
		}
	}
	return append(tags, tag.String())
}

// joinTags writes tags for splitTags.
func joinTags(tags []string) string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = strings.NewReplacer(`\`, `\\`, `,`, `\,`).Replace(t)
	}
	return strings.Join(out, ", ")
}

// WriteMarkdown writes entries as a Markdown file that Read takes back as
// they are (Normalized), in their order: a heading, a lang: line and a
// tags: line (when there are tags) for each, and its answer with a
// backslash before any line that would begin an entry or an unclosed
// fenced block. An entry that fails its checks is an error, and then
// nothing is written. ID and UpdatedAt are not written.
func WriteMarkdown(w io.Writer, entries []support.Entry) error {
	entries, err := checked(entries)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for i, e := range entries {
		if i > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("## " + e.Question + "\n")
		bw.WriteString("lang: " + e.Lang + "\n")
		if len(e.Tags) > 0 {
			bw.WriteString("tags: " + joinTags(e.Tags) + "\n")
		}
		bw.WriteString("\n")
		for _, line := range escapeAnswer(e.Answer) {
			bw.WriteString(line + "\n")
		}
	}
	return bw.Flush()
}

// escapeAnswer returns an answer's lines as parseMarkdown reads them back:
// a backslash before each line that would begin an entry, before a
// backslashed heading or fence, and before a fence that is not closed in
// the answer (it would swallow the entries after it).
func escapeAnswer(answer string) []string {
	lines := strings.Split(answer, "\n")
	fence := ""
	for i, line := range lines {
		switch {
		case fence != "":
			if fenceCloses(fence, line) {
				fence = ""
			}
		case escaped(line):
			lines[i] = `\` + line
		default:
			f := fenceOpen(line)
			if f == "" {
				continue
			}
			closed := false
			for _, later := range lines[i+1:] {
				if fenceCloses(f, later) {
					closed = true
					break
				}
			}
			if closed {
				fence = f
			} else {
				lines[i] = `\` + line
			}
		}
	}
	return lines
}
