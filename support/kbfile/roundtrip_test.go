package kbfile_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/support"
	"github.com/hearthbot/hearth/support/kbfile"
)

// words are the text generated entries are made of, in the five languages
// Hearth speaks, with markup and the characters the formats give meaning.
var words = map[string][]string{
	"en": {"where", "is", "my", "order", "refund", "**bold**", "_italic_", "[link](https://shop.example/a_b?c=1)", "it's", "#1"},
	"el": {"πού", "είναι", "η", "παραγγελία", "μου;", "**Επιστροφή**", "_ναι_", "[εδώ](https://shop.example/α)", "Ωραία", "ς"},
	"ru": {"где", "мой", "заказ?", "**Возврат**", "_да_", "[тут](https://shop.example/ё)", "Ёлка", "щука", "«кавычки»", "—"},
	"pl": {"gdzie", "jest", "moje", "zamówienie?", "**Zwrot**", "_łódź_", "[tu](https://shop.example/ż)", "ŻÓŁĆ", "gęś", "źle"},
	"ro": {"unde", "este", "comanda", "mea?", "**Retur**", "_și_", "[aici](https://shop.example/ț)", "Ștefan", "țară", "îmi"},
	"":   {"##", "#", `\`, `\\`, ",", "lang:", "tags:", "```", "~~~", "a\rb", "\t", "🙂", "x,y"},
}

// trickyLines are answer lines that mean something to a format.
var trickyLines = []string{
	"## Step 1", "##", "##\tTabbed", `\## escaped`, `\\## twice`, `\`, "```", "```go", "````", "~~~", "~~~~ ", `\~~~`,
	"```inline```", "lang: el", "tags: a, b", "", "", "  indented", "trailing  ", "### Sub", "# Title", "- item",
	"key: value", "'quoted'", `"double"`, "null", "? x", "| pipe", "> quote", "  ## indented heading",
}

// sentence returns n words of a language, sometimes with a special one.
func sentence(r *rand.Rand, lang string, n int) string {
	out := make([]string, n)
	for i := range out {
		pool := words[lang]
		if r.IntN(6) == 0 {
			pool = words[""]
		}
		out[i] = pool[r.IntN(len(pool))]
	}
	return strings.Join(out, " ")
}

// randomEntry returns a valid, normalized entry.
func randomEntry(r *rand.Rand) support.Entry {
	langs := []string{"en", "el", "ru", "pl", "ro"}
	lang := langs[r.IntN(len(langs))]
	lines := make([]string, 1+r.IntN(12))
	for i := range lines {
		if r.IntN(3) == 0 {
			lines[i] = trickyLines[r.IntN(len(trickyLines))]
		} else {
			lines[i] = sentence(r, lang, r.IntN(10))
		}
	}
	tags := make([]string, r.IntN(5))
	for i := range tags {
		tag := []rune(sentence(r, lang, 1+r.IntN(2)))
		tags[i] = string(tag[:min(len(tag), support.MaxEntryTag)])
	}
	e := support.Entry{
		ID:       r.Int64(),
		Lang:     lang,
		Question: sentence(r, lang, 1+r.IntN(8)),
		Answer:   sentence(r, lang, 1+r.IntN(3)) + "\n" + strings.Join(lines, "\n"),
		Tags:     tags,
	}
	return e.Normalized()
}

// randomEntries returns up to 8 valid entries, no question twice in a
// language.
func randomEntries(r *rand.Rand) []support.Entry {
	var out []support.Entry
	seen := map[string]bool{}
	for range 1 + r.IntN(8) {
		e := randomEntry(r)
		key := e.Lang + "\x00" + strings.ToLower(e.Question)
		if seen[key] || e.Check() != nil { // a question of tabs only, say
			continue
		}
		seen[key] = true
		out = append(out, e)
	}
	return out
}

func TestWriteThenReadGivesTheEntriesBack(t *testing.T) {
	formats := []struct {
		file  string
		write func(io.Writer, []support.Entry) error
	}{
		{"export.md", kbfile.WriteMarkdown},
		{"export.el.md", kbfile.WriteMarkdown}, // each entry's lang: line wins over the name
		{"export.yaml", kbfile.WriteYAML},
		{"export.ru.yml", kbfile.WriteYAML},
	}
	r := rand.New(rand.NewPCG(2026, 12))
	for i := range 400 {
		entries := randomEntries(r)
		want := make([]support.Entry, len(entries))
		for j, e := range entries {
			e.ID = 0
			want[j] = e
		}
		for _, f := range formats {
			var b bytes.Buffer
			if err := f.write(&b, entries); err != nil {
				t.Fatalf("case %d, %s: write: %v", i, f.file, err)
			}
			got, err := kbfile.Read(bytes.NewReader(b.Bytes()), f.file, "pl")
			if err != nil {
				t.Fatalf("case %d, %s: read: %v\nfile:\n%s", i, f.file, err, b.String())
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d, %s:\n got %#v\nwant %#v\nfile:\n%s", i, f.file, got, want, b.String())
			}
		}
	}
}
