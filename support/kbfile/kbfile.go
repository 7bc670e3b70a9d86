// Package kbfile reads and writes the files staff import the knowledge
// base from and export it to: Markdown (one "## question" heading per
// entry) and YAML (a list of entries). FORMAT.md describes both.
package kbfile

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// The limits of an import: a file is read whole, so it has a size limit,
// and an error lists only its first problems.
const (
	MaxFileSize = 10 << 20
	MaxProblems = 20
)

// Problem is one thing wrong in an import file.
type Problem struct {
	File string
	Line int   // 1-based; 0 when the problem is the whole file's
	Err  error // what is wrong: a *community.Error with code EInvalid
}

// Error returns "file:line: message", or "file: message" for the file.
func (p Problem) Error() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %v", p.File, p.Err)
	}
	return fmt.Sprintf("%s:%d: %v", p.File, p.Line, p.Err)
}

// Unwrap returns what is wrong.
func (p Problem) Unwrap() error { return p.Err }

// Error is why an import file was refused: its first problems, in the
// order of their lines, and how many more were found.
type Error struct {
	Problems []Problem // at most MaxProblems
	More     int       // problems found beyond those listed
}

// Error returns the problems one a line, as a command prints them.
func (e *Error) Error() string {
	lines := make([]string, 0, len(e.Problems)+1)
	for _, p := range e.Problems {
		lines = append(lines, p.Error())
	}
	if e.More > 0 {
		lines = append(lines, fmt.Sprintf("and %d more problems", e.More))
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns each problem's error, so that errors.As finds the first
// *community.Error and community.ErrorCode says EInvalid.
func (e *Error) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Err
	}
	return out
}

// invalid is the error of one problem.
func invalid(key string, data map[string]any, format string, args ...any) error {
	return community.Errorf(community.EInvalid, key, data, format, args...)
}

// problems collects the problems of one file.
type problems struct {
	file string
	list []Problem
}

func (ps *problems) add(line int, err error) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Err: err})
}

// err returns the problems as an *Error, nil when there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	slices.SortStableFunc(ps.list, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	e := &Error{Problems: ps.list}
	if len(ps.list) > MaxProblems {
		e.Problems, e.More = ps.list[:MaxProblems], len(ps.list)-MaxProblems
	}
	return e
}

// draft is an entry as a file gives it, before its language is settled
// and its checks run.
type draft struct {
	line  int // where the entry begins
	entry support.Entry
}

// Read reads the entries of one import file. name is the file's name: its
// extension chooses the format (.md, .markdown, .txt: Markdown; .yaml,
// .yml: YAML) and a language code before it (faq.el.md) is the language
// of entries that name none. defaultLang, when not empty, is the language
// of entries that neither they nor the file's name give. Each entry comes
// back Normalized and checked, in the file's order; ID and UpdatedAt are
// zero. A file with any problem gives no entries and an *Error listing
// them; a defaultLang that is not a language code is an EInvalid error of
// its own, and an error reading r is returned wrapped.
func Read(r io.Reader, name, defaultLang string) ([]support.Entry, error) {
	ps := &problems{file: name}
	parse, ok := parserFor(name)
	if !ok {
		ps.add(0, invalid("kbfile.bad_format", map[string]any{"File": name},
			"not a knowledge-base file: name it .md, .markdown or .txt for Markdown, .yaml or .yml for YAML"))
		return nil, ps.err()
	}
	defaultLang = strings.ToLower(strings.TrimSpace(defaultLang))
	if defaultLang != "" && !langCode.MatchString(defaultLang) {
		return nil, invalid("kbfile.bad_default_lang", map[string]any{"Lang": defaultLang},
			"the default language %q is not a language code such as en or el", defaultLang)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		ps.add(0, invalid("kbfile.too_big", map[string]any{"Max": MaxFileSize},
			"larger than %d MB; split it into several files", MaxFileSize>>20))
		return nil, ps.err()
	}
	lines := textLines(data, ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	drafts := parse(lines, ps)
	if len(drafts) == 0 && len(ps.list) == 0 {
		ps.add(0, invalid("kbfile.empty", nil, "no entries in the file"))
	}
	lang := cmp.Or(fileLang(name), defaultLang)
	entries := settle(drafts, lang, ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return entries, nil
}

// parserFor returns the parser for a file name's extension.
func parserFor(name string) (func([]string, *problems) []draft, bool) {
	switch strings.ToLower(path.Ext(baseName(name))) {
	case ".md", ".markdown", ".txt":
		return parseMarkdown, true
	case ".yaml", ".yml":
		return parseYAML, true
	}
	return nil, false
}

// baseName is the last element of a file name with / or \ separators.
func baseName(name string) string {
	return name[strings.LastIndexAny(name, `/\`)+1:]
}

// langCode is a language code as support.Entry.Check accepts it.
var langCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// fileLang returns the language a file's name gives: the last
// dot-separated part before the extension, when it is a code of two or
// three letters (faq.el.md gives el; faq.md gives nothing).
func fileLang(name string) string {
	base := baseName(name)
	stem := strings.TrimSuffix(base, path.Ext(base))
	i := strings.LastIndexByte(stem, '.')
	if i < 0 {
		return ""
	}
	lang := strings.ToLower(stem[i+1:])
	if !langCode.MatchString(lang) {
		return ""
	}
	return lang
}

// textLines splits a file into lines without their line ends, after
// dropping a UTF-8 byte order mark; CR LF ends a line as LF does. A line
// that is not UTF-8 or holds a NUL is a problem.
func textLines(data []byte, ps *problems) []string {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	raw := strings.Split(string(data), "\n")
	if raw[len(raw)-1] == "" {
		raw = raw[:len(raw)-1]
	}
	for i, line := range raw {
		line = strings.TrimSuffix(line, "\r")
		raw[i] = line
		switch {
		case !utf8.ValidString(line):
			ps.add(i+1, invalid("kbfile.bad_utf8", nil, "bytes that are not UTF-8 text; save the file as UTF-8"))
		case strings.IndexByte(line, 0) >= 0:
			ps.add(i+1, invalid("kbfile.nul", nil, "a NUL character; the file is not text"))
		}
	}
	return raw
}

// settle gives each draft its language, normalizes and checks it, and
// refuses a question asked twice in one language.
func settle(drafts []draft, lang string, ps *problems) []support.Entry {
	entries := make([]support.Entry, 0, len(drafts))
	seen := map[string]int{} // language and folded question -> line
	for _, d := range drafts {
		e := d.entry
		if strings.TrimSpace(e.Lang) == "" {
			e.Lang = lang
		}
		e = e.Normalized()
		if e.Lang == "" {
			ps.add(d.line, invalid("kbfile.no_lang", map[string]any{"Question": e.Question},
				"the entry %q has no language: give it a lang: line, name the file like faq.el.md, or give a default language", e.Question))
			continue
		}
		if err := e.Check(); err != nil {
			ps.add(d.line, err)
			continue
		}
		key := e.Lang + "\x00" + strings.ToLower(e.Question)
		if first, ok := seen[key]; ok {
			ps.add(d.line, invalid("kbfile.duplicate", map[string]any{"Question": e.Question, "Lang": e.Lang, "Line": first},
				"the question %q (%s) is asked already at line %d", e.Question, e.Lang, first))
			continue
		}
		seen[key] = d.line
		entries = append(entries, e)
	}
	return entries
}

// checked returns the entries Normalized, or an error naming the first
// that fails its checks: an export writes only what an import takes back.
func checked(entries []support.Entry) ([]support.Entry, error) {
	out := make([]support.Entry, len(entries))
	for i, e := range entries {
		out[i] = e.Normalized()
		if err := out[i].Check(); err != nil {
			return nil, fmt.Errorf("entry %d (%q): %w", i+1, out[i].Question, err)
		}
	}
	return out, nil
}
