package kbfile_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/support"
	"github.com/hearthbot/hearth/support/kbfile"
)

func TestReadYAML(t *testing.T) {
	tests := []struct {
		name, text string
		want       []support.Entry
	}{
		{"tags as a list", "- question: Q\n  answer: A\n  tags: [Big Box, b, big  box]\n",
			[]support.Entry{entry("en", "Q", "A", "big box", "b")}},
		{"tags as a string", "- question: Q\n  answer: A\n  tags: 'a,  B , ,c'\n",
			[]support.Entry{entry("en", "Q", "A", "a", "b", "c")}},
		{"tags null", "- question: Q\n  answer: A\n  tags:\n",
			[]support.Entry{entry("en", "Q", "A")}},
		{"scalars that are not strings are their text; a null tag is none", "- question: 42\n  answer: true\n  tags: [1, null, 'null']\n",
			[]support.Entry{entry("en", "42", "true", "1", "null")}},
		{"block answer with a ## line", "- question: Q\n  answer: |\n    ## Step 1\n\n    Do it.\n",
			[]support.Entry{entry("en", "Q", "## Step 1\n\nDo it.")}},
		{"an alias", "- question: Q\n  answer: &same Same.\n- question: R\n  answer: *same\n",
			[]support.Entry{entry("en", "Q", "Same."), entry("en", "R", "Same.")}},
		{"comments and a document start", "---\n# entries\n- question: Q # why\n  answer: A\n",
			[]support.Entry{entry("en", "Q", "A")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameEntries(t, mustRead(t, "faq.yaml", "en", tt.text), tt.want)
		})
	}
}

func TestReadRefusesBadYAML(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"unknown keys", "- question: Q\n  answer: A\n  colour: red\n- question: R\n  Answer: B\n",
			[]string{`kb.yaml:3: unknown key "colour"; an entry has question, answer, tags and lang`,
				`kb.yaml:5: unknown key "Answer"; an entry has question, answer, tags and lang`}},
		{"a key twice", "- question: Q\n  answer: A\n  question: R\n",
			[]string{`kb.yaml:3: a second "question" in the entry (the first is at line 1)`}},
		{"no answer", "- question: Q\n  answer: A\n- question: R\n  tags: [x]\n",
			[]string{`kb.yaml:3: the entry "R" has no answer`}},
		{"no question", "- answer: A\n", []string{"kb.yaml:1: the entry has no question"}},
		{"bad lang", "- question: Q\n  answer: A\n- question: R\n  answer: B\n  lang: Greek\n",
			[]string{`kb.yaml:3: language "greek" is not a language code such as en or el`}},
		{"duplicate", "- question: Q  one\n  answer: A\n- question: R\n  answer: B\n- question: q ONE\n  answer: C\n",
			[]string{`kb.yaml:5: the question "q ONE" (en) is asked already at line 1`}},
		{"same question in two languages is fine but not in one", "- {question: Q, answer: A, lang: el}\n- {question: Q, answer: A}\n- {question: Q, answer: A, lang: en}\n",
			[]string{`kb.yaml:3: the question "Q" (en) is asked already at line 2`}},
		{"question not text", "- question: [a, b]\n  answer: A\n", []string{"kb.yaml:1: question is not text"}},
		{"tags not a list", "- question: Q\n  answer: A\n  tags:\n    a: b\n",
			[]string{"kb.yaml:4: tags are not a list ([a, b]) or comma-separated text"}},
		{"a tag not text", "- question: Q\n  answer: A\n  tags: [[x]]\n", []string{"kb.yaml:3: a tag is not text"}},
		{"not a list", "question: Q\nanswer: A\n", []string{"kb.yaml:1: the file is not a list of entries (- question: ...)"}},
		{"an item not an entry", "- question: Q\n  answer: A\n- just text\n",
			[]string{"kb.yaml:3: an item that is not an entry (question: ..., answer: ...)"}},
		{"syntax error", "- question: Q\n  answer: A\n- question: \"R\n  answer: B\n",
			[]string{"kb.yaml:3: not YAML: found unexpected end of stream"}},
		{"bad indentation", "- question: Q\n  answer: A\n   tags: x\n",
			[]string{"kb.yaml:3: not YAML: mapping values are not allowed in this context"}},
		{"two documents", "- question: Q\n  answer: A\n---\n- question: R\n  answer: B\n",
			[]string{"kb.yaml:3: a second YAML document; put all entries in one list"}},
		{"empty", "# nothing\n", []string{"kb.yaml: no entries in the file"}},
		{"empty list", "[]\n", []string{"kb.yaml: no entries in the file"}},
		{"NUL", "- question: Q\n  answer: \"A\x00\"\n", []string{"kb.yaml:2: a NUL character; the file is not text"}},
		{"invalid UTF-8", "- question: Q\xc3\n  answer: A\n", []string{"kb.yaml:1: bytes that are not UTF-8 text; save the file as UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := problems(t, "kb.yaml", "en", tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestWriteYAML(t *testing.T) {
	entries := []support.Entry{
		{ID: 3, Lang: "el", Question: "Πού  είναι;", Answer: "## Βήμα 1\n\n**Ναι**.\n", Tags: []string{"Α", "b, c"}},
		entry("en", "yes", "null"),
	}
	var b strings.Builder
	if err := kbfile.WriteYAML(&b, entries); err != nil {
		t.Fatal(err)
	}
	want := "- question: Πού είναι;\n  lang: el\n  tags: [α, 'b, c']\n  answer: |-\n    ## Βήμα 1\n\n    **Ναι**.\n" +
		"- question: \"yes\"\n  lang: en\n  answer: \"null\"\n"
	if b.String() != want {
		t.Fatalf("WriteYAML:\n%s\nwant:\n%s", b.String(), want)
	}
	sameEntries(t, mustRead(t, "export.yaml", "", b.String()), []support.Entry{
		entry("el", "Πού είναι;", "## Βήμα 1\n\n**Ναι**.", "α", "b, c"),
		entry("en", "yes", "null"),
	})
}
