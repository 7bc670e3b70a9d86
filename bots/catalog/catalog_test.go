package catalog_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/bots/markup"
	"go.yaml.in/yaml/v3"
)

// pluralForms are the CLDR plural categories a language's plural messages
// must have: every category a whole number can fall in, plus "other".
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"el": {"one", "other"},
	"pl": {"few", "many", "one", "other"},
	"ro": {"few", "one", "other"},
	"ru": {"few", "many", "one", "other"},
}

// counts reach every plural category a whole number falls in, in each
// language above.
var counts = []int{0, 1, 2, 5, 21}

// message is one entry of a message file as written: its text per plural
// category, or under "" when it has no plural forms.
type message map[string]string

func (m message) plural() bool { _, single := m[""]; return !single }

// texts returns the message's texts in a stable order.
func (m message) texts() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}

// reference is the text a translation's form is compared with: English
// "other" for a plural form, the English text otherwise.
func (m message) reference() string {
	if m.plural() {
		return m["other"]
	}
	return m[""]
}

func load(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.New()
	if err != nil {
		t.Fatalf("load catalog: %v", err)
	}
	return c
}

// translations are the languages other than the reference.
func translations(c *catalog.Catalog) []string {
	var out []string
	for _, l := range c.Languages() {
		if l != catalog.Fallback {
			out = append(out, l)
		}
	}
	return out
}

// messages reads a language's message files as written, to see plural
// forms and template sources the catalog does not expose.
func messages(t *testing.T, lang string) map[string]message {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("messages", "*."+lang+".yaml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no message files for %s (%v)", lang, err)
	}
	raw := map[string]any{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		var file map[string]any
		if err := yaml.Unmarshal(data, &file); err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		maps.Copy(raw, file)
	}
	out := make(map[string]message, len(raw))
	for id, v := range raw {
		switch v := v.(type) {
		case string:
			out[id] = message{"": v}
		case map[string]any:
			m := message{}
			for form, text := range v {
				s, ok := text.(string)
				if !ok {
					t.Fatalf("%s %s.%s: not text: %v", lang, id, form, text)
				}
				m[form] = s
			}
			out[id] = m
		default:
			t.Fatalf("%s %s: not text: %v", lang, id, v)
		}
	}
	return out
}

var (
	actionRE = regexp.MustCompile(`\{\{.*?\}\}`)
	fieldRE  = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`)
)

// variables lists the template fields ({{.Name}}) used in texts, sorted.
func variables(texts ...string) []string {
	var out []string
	for _, text := range texts {
		for _, action := range actionRE.FindAllString(text, -1) {
			for _, m := range fieldRE.FindAllStringSubmatch(action, -1) {
				out = append(out, m[1])
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestEveryLanguageHasEnglishIDs(t *testing.T) {
	c := load(t)
	langs := slices.Sorted(maps.Keys(pluralForms))
	if got := slices.Sorted(slices.Values(c.Languages())); !slices.Equal(got, langs) {
		t.Fatalf("languages: got %v, want %v", got, langs)
	}
	en := c.IDs(catalog.Fallback)
	if len(en) == 0 {
		t.Fatal("no English messages")
	}
	for _, lang := range translations(c) {
		t.Run(lang, func(t *testing.T) {
			ids := c.IDs(lang)
			for _, id := range en {
				if !slices.Contains(ids, id) {
					t.Errorf("missing %s", id)
				}
			}
			for _, id := range ids {
				if !slices.Contains(en, id) {
					t.Errorf("%s is not in English", id)
				}
			}
		})
	}
}

func TestPluralMessagesHaveTheLanguagesCategories(t *testing.T) {
	c := load(t)
	en := messages(t, catalog.Fallback)
	for _, lang := range c.Languages() {
		t.Run(lang, func(t *testing.T) {
			msgs := messages(t, lang)
			for id, ref := range en {
				m, ok := msgs[id]
				switch {
				case !ok:
					continue // reported by TestEveryLanguageHasEnglishIDs
				case m.plural() != ref.plural():
					t.Errorf("%s: plural is %v, in English %v", id, m.plural(), ref.plural())
				case m.plural():
					if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, pluralForms[lang]) {
						t.Errorf("%s: plural forms %v, want %v", id, got, pluralForms[lang])
					}
				}
			}
		})
	}
}

func TestTranslationsUseEnglishVariables(t *testing.T) {
	c := load(t)
	en := messages(t, catalog.Fallback)
	for _, lang := range translations(c) {
		t.Run(lang, func(t *testing.T) {
			for id, m := range messages(t, lang) {
				ref, ok := en[id]
				if !ok {
					continue
				}
				if got, want := variables(m.texts()...), variables(ref.texts()...); !slices.Equal(got, want) {
					t.Errorf("%s: variables %v, in English %v", id, got, want)
				}
			}
		})
	}
}

func TestEveryMessageRendersInEveryLanguage(t *testing.T) {
	c := load(t)
	en := messages(t, catalog.Fallback)
	for _, lang := range c.Languages() {
		t.Run(lang, func(t *testing.T) {
			for _, id := range c.IDs(catalog.Fallback) {
				ref := en[id]
				data := map[string]any{}
				for _, v := range variables(ref.texts()...) {
					if v != "Count" || !ref.plural() {
						data[v] = "value-of-" + v
					}
				}
				if !ref.plural() {
					checkRendered(t, id, c.Text(lang, id, data), data)
					continue
				}
				for _, n := range counts {
					out := c.Count(lang, id, n, data)
					checkRendered(t, id, out, nil)
					if !strings.Contains(out, strconv.Itoa(n)) {
						t.Errorf("%s with count %d: %q lacks the count", id, n, out)
					}
				}
			}
		})
	}
}

// checkRendered fails when out is the missing-message fallback, shows a
// template problem, or lacks one of the values in want.
func checkRendered(t *testing.T, id, out string, want map[string]any) {
	t.Helper()
	switch {
	case out == "" || out == "["+id+"]":
		t.Errorf("%s: not rendered: %q", id, out)
	case strings.Contains(out, "<no value>") || strings.Contains(out, "{{"):
		t.Errorf("%s: template not filled: %q", id, out)
	}
	for k, v := range want {
		if !strings.Contains(out, v.(string)) {
			t.Errorf("%s: %q lacks {{.%s}}", id, out, k)
		}
	}
}

func TestMissingMessageShowsItsID(t *testing.T) {
	c := load(t)
	if got, want := c.Text("ru", "no.such.message", nil), "[no.such.message]"; got != want {
		t.Errorf("missing message: got %q, want %q", got, want)
	}
	if got, want := c.Text("xx", "staff.none", nil), c.Text(catalog.Fallback, "staff.none", nil); got != want {
		t.Errorf("unknown language: got %q, want English %q", got, want)
	}
}

// limits bound texts that platforms show outside a message: Discord allows
// 100 characters for command and option descriptions, 80 for a button
// label and 45 for a form's title and field labels. None may hold markup.
var limits = []struct {
	prefix string
	max    int
}{
	{"cmd.", 100},
	{"arg.", 100},
	{"staff.form_", 45},
	{"staff.button_", 80},
	{"outbox.button_", 80},
}

func TestLabelsArePlainAndShort(t *testing.T) {
	c := load(t)
	for _, lang := range c.Languages() {
		t.Run(lang, func(t *testing.T) {
			for _, id := range c.IDs(lang) {
				for _, l := range limits {
					if strings.HasPrefix(id, l.prefix) {
						checkLabel(t, id, c.Text(lang, id, nil), l.max)
					}
				}
			}
		})
	}
}

func checkLabel(t *testing.T, id, text string, max int) {
	t.Helper()
	if n := utf8.RuneCountInString(text); n == 0 || n > max {
		t.Errorf("%s: %d characters, want 1 to %d: %q", id, n, max, text)
	}
	doc := markup.Parse(text)
	for _, s := range doc {
		if s.Style != 0 || s.URL != "" || s.Mention != "" {
			t.Errorf("%s: formatted %q in %q", id, s.Text, text)
		}
	}
	if doc.PlainText() != text || strings.Contains(text, "\n") {
		t.Errorf("%s: not one plain line: %q", id, text)
	}
}

// shape is what a text's markup does, which a translation must keep: the
// number of bold, italic and code runs, code and link targets verbatim,
// and the commands it names.
type shape struct {
	Bold, Italic, Code int
	Literal            []string // code spans, links and /commands
}

var commandRE = regexp.MustCompile(`(?:^|\s)(/[a-z]+)\b`)

func shapeOf(text string) shape {
	var sh shape
	var prev markup.Style
	for _, s := range markup.Parse(text) {
		started := s.Style &^ prev
		prev = s.Style
		if started&markup.Bold != 0 {
			sh.Bold++
		}
		if started&markup.Italic != 0 {
			sh.Italic++
		}
		switch {
		case s.Style&markup.Code != 0:
			sh.Code++
			sh.Literal = append(sh.Literal, "`"+s.Text+"`")
		case s.URL != "" || s.Mention != "":
			sh.Literal = append(sh.Literal, "("+s.URL+s.Mention+")")
		default:
			for _, m := range commandRE.FindAllStringSubmatch(s.Text, -1) {
				sh.Literal = append(sh.Literal, m[1])
			}
		}
	}
	slices.Sort(sh.Literal)
	return sh
}

func TestTranslationsKeepEnglishMarkup(t *testing.T) {
	c := load(t)
	en := messages(t, catalog.Fallback)
	for _, lang := range translations(c) {
		t.Run(lang, func(t *testing.T) {
			for id, m := range messages(t, lang) {
				ref, ok := en[id]
				if !ok {
					continue
				}
				want := shapeOf(ref.reference())
				for form, text := range m {
					if got := shapeOf(text); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Errorf("%s%s: markup %+v, in English %+v\n%s", id, formSuffix(form), got, want, text)
					}
				}
			}
		})
	}
}

func formSuffix(form string) string {
	if form == "" {
		return ""
	}
	return "." + form
}

func TestMatch(t *testing.T) {
	c := load(t)
	cases := []struct {
		code string
		want string
		ok   bool
	}{
		{"ru-RU", "ru", true},
		{"EL", "el", true},
		{"pl_PL", "pl", true},
		{"ro", "ro", true},
		{"en-GB", "en", true},
		{"pt-BR", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		if got, ok := c.Match(tc.code); got != tc.want || ok != tc.ok {
			t.Errorf("Match(%q) = %q, %v; want %q, %v", tc.code, got, ok, tc.want, tc.ok)
		}
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestValuesAreEscapedUnlessRaw(t *testing.T) {
	c := load(t)
	cases := []struct {
		name    string
		value   any
		literal bool
	}{
		{"string", "*x*", true},
		{"stringer", stringer("*x*"), true},
		{"raw", catalog.Raw("*x*"), false},
	}
	for _, lang := range c.Languages() {
		for _, tc := range cases {
			out := c.Text(lang, "staff.added", map[string]any{"Name": tc.value})
			doc := markup.Parse(out)
			bold := slices.ContainsFunc(doc, func(s markup.Span) bool { return s.Style&markup.Bold != 0 && s.Text == "x" })
			literal := strings.Contains(doc.PlainText(), "*x*")
			if literal != tc.literal || bold == tc.literal {
				t.Errorf("%s %s: %q reads as %+v", lang, tc.name, out, doc)
			}
		}
	}
}

// TestUsageReadsWithoutEscapes: a command's usage, put into the code span
// of usage.line, reads as it is in every language: no backslash shows
// before its brackets.
func TestUsageReadsWithoutEscapes(t *testing.T) {
	c, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	const usage = "/warn [member] [reason]"
	for _, lang := range c.Languages() {
		doc := markup.Parse(c.Text(lang, "usage.line", map[string]any{"Usage": usage}))
		for name, out := range map[string]string{"plain": markup.Plain(doc), "html": markup.TelegramHTML(doc), "discord": markup.DiscordMarkdown(doc)} {
			if !strings.Contains(out, usage) || strings.Contains(out, `\[`) {
				t.Errorf("%s usage line in %s = %q; want %q as it is", lang, name, out, usage)
			}
		}
	}
}
