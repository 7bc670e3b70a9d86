package kbfile_test

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
	"github.com/hearthbot/hearth/support/kbfile"
)

// entry is a normalized entry as Read returns it.
func entry(lang, question, answer string, tags ...string) support.Entry {
	if tags == nil {
		tags = []string{}
	}
	return support.Entry{Lang: lang, Question: question, Answer: answer, Tags: tags}
}

// mustRead reads text that must be accepted.
func mustRead(t *testing.T, name, lang, text string) []support.Entry {
	t.Helper()
	got, err := kbfile.Read(strings.NewReader(text), name, lang)
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return got
}

// sameEntries fails unless got is want.
func sameEntries(t *testing.T, got, want []support.Entry) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("entries:\n got %#v\nwant %#v", got, want)
	}
}

func TestReadGoldenFiles(t *testing.T) {
	tests := []struct {
		file string
		want []support.Entry
	}{
		{"testdata/faq.en.md", []support.Entry{
			entry("en", "Where is my order?", "Open the e-mail we sent when the order shipped and follow **Track parcel**.\n"+
				"If it has not moved for five days, write to us with the order number.", "delivery", "tracking", "parcel"),
			entry("en", "How do I return a product?", "You have _30 days_ to return it unused. Start here: [returns](https://shop.example/returns).\n\n"+
				"Refunds reach your card in 5-10 working days.", "returns", "refund"),
			entry("el", "Τι ώρες λειτουργεί η υποστήριξη;", "Δευτέρα με Παρασκευή, 09:00-18:00.", "ωράριο", "υποστήριξη"),
			entry("en", "Can I pay by bank transfer?", "Yes. Choose **Bank transfer** at checkout; we ship when the money arrives."),
			entry("en", "How do I format a product code?", "Write it as in the catalogue:\n\n```\n## SKU-1234\n```\n\n"+
				"## is how a heading is written, so a line starting with it is escaped.", "codes"),
		}},
		{"testdata/faq.el.yaml", []support.Entry{
			entry("el", "Πού είναι η παραγγελία μου;", "Ανοίξτε το e-mail της αποστολής και πατήστε **Παρακολούθηση**.\n\n"+
				"Αν δεν κινηθεί για πέντε μέρες, γράψτε μας.", "παράδοση", "αποστολή"),
			entry("el", "Πώς επιστρέφω ένα προϊόν;", "Έχετε _30 ημέρες_. Δείτε [επιστροφές](https://shop.example/returns).",
				"επιστροφές", "επιστροφή χρημάτων"),
			entry("en", "Do you ship to Cyprus?", "Yes, in 3-5 working days."),
			entry("el", "Δέχεστε κάρτες;", "Ναι, Visa και Mastercard."),
			entry("el", "Πόσο κοστίζει η αποστολή;", "Δωρεάν πάνω από 50 €.", "κόστος", "αποστολή"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, err := kbfile.Read(f, tt.file, "ru")
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			sameEntries(t, got, tt.want)
		})
	}
}

func TestReadLanguagePrecedence(t *testing.T) {
	const own = "## Q\nlang: ro\n\nA\n"
	const none = "## Q\n\nA\n"
	tests := []struct {
		name, file, defaultLang, text, want string
	}{
		{"own line over name and default", "faq.el.md", "pl", own, "ro"},
		{"own line over default", "faq.md", "pl", own, "ro"},
		{"name over default", "faq.el.md", "pl", none, "el"},
		{"name in capitals", "FAQ.EL.MD", "", none, "el"},
		{"name with a directory", "kb/v2.0/faq.ru.md", "", none, "ru"},
		{"name with backslashes", `kb\faq.pl.markdown`, "", none, "pl"},
		{"three letters", "faq.fil.txt", "", none, "fil"},
		{"default when the name has none", "faq.md", "PL ", none, "pl"},
		{"a name part that is not a code", "faq.v2.md", "en", none, "en"},
		{"a bare code is not a name's language", "el.md", "en", none, "en"},
		{"yaml own over name", "faq.el.yaml", "pl", "- question: Q\n  answer: A\n  lang: ro\n", "ro"},
		{"yaml name over default", "faq.el.yml", "pl", "- question: Q\n  answer: A\n", "el"},
		{"yaml default", "faq.yaml", "pl", "- question: Q\n  answer: A\n", "pl"},
		{"yaml null lang falls back", "faq.yaml", "pl", "- question: Q\n  answer: A\n  lang: ~\n", "pl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameEntries(t, mustRead(t, tt.file, tt.defaultLang, tt.text), []support.Entry{entry(tt.want, "Q", "A")})
		})
	}
}

func TestReadTextEncodings(t *testing.T) {
	want := []support.Entry{
		entry("en", "Q1", "line 1\n\nline 2", "a", "b"),
		entry("en", "Q2", "A2"),
	}
	tests := []struct{ name, text string }{
		{"LF", "## Q1\ntags: a, b\n\nline 1\n\nline 2\n\n## Q2\n\nA2\n"},
		{"CRLF", "## Q1\r\ntags: a, b\r\n\r\nline 1\r\n\r\nline 2\r\n\r\n## Q2\r\n\r\nA2\r\n"},
		{"BOM and CRLF", "\uFEFF## Q1\r\ntags: a, b\r\n\r\nline 1\r\n\r\nline 2\r\n\r\n## Q2\r\n\r\nA2"},
		{"no final newline", "## Q1\ntags: a, b\n\nline 1\n\nline 2\n## Q2\n\nA2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameEntries(t, mustRead(t, "faq.en.md", "", tt.text), want)
		})
	}
	t.Run("YAML with BOM and CRLF", func(t *testing.T) {
		text := "\uFEFF- question: Q1\r\n  tags: [a, b]\r\n  answer: |\r\n    line 1\r\n\r\n    line 2\r\n- question: Q2\r\n  answer: A2\r\n"
		sameEntries(t, mustRead(t, "faq.en.yaml", "", text), want)
	})
}

// problems returns the lines of a Read error, failing unless it is one.
func problems(t *testing.T, name, lang, text string) []string {
	t.Helper()
	got, err := kbfile.Read(strings.NewReader(text), name, lang)
	if err == nil {
		t.Fatalf("Read(%s) took %d entries; want an error", name, len(got))
	}
	if got != nil {
		t.Errorf("Read(%s) returned entries with its error", name)
	}
	if community.ErrorCode(err) != community.EInvalid {
		t.Errorf("error code %q, want %q", community.ErrorCode(err), community.EInvalid)
	}
	return strings.Split(err.Error(), "\n")
}

func TestReadRefusesBadEntries(t *testing.T) {
	long := strings.Repeat("q", support.MaxEntryQuestion+1)
	tests := []struct {
		name, file, text string
		want             []string
	}{
		{"no answer", "faq.md", "# FAQ\n\n## Q1\nlang: en\n\n## Q2\nlang: en\n\nA\n",
			[]string{`faq.md:3: the entry "Q1" has no answer`}},
		{"no answer at the end", "faq.en.md", "## Q1\n\nA\n\n## Q2\n\n\n",
			[]string{`faq.en.md:5: the entry "Q2" has no answer`}},
		{"no question", "faq.en.md", "##\n\nA\n## \n\nB\n",
			[]string{"faq.en.md:1: the entry has no question", "faq.en.md:4: the entry has no question"}},
		{"question too long", "faq.en.md", "## Q\n\nA\n\n## " + long + "\n\nA\n",
			[]string{"faq.en.md:5: a question of 301 characters; at most 300"}},
		{"answer too long", "faq.en.md", "## Q\n\n" + strings.Repeat("α", support.MaxEntryAnswer+1) + "\n",
			[]string{"faq.en.md:1: an answer of 4001 characters; at most 4000"}},
		{"bad lang", "faq.md", "## Q\nlang: english\n\nA\n",
			[]string{`faq.md:1: language "english" is not a language code such as en or el`}},
		{"empty lang line", "faq.el.md", "## Q\nlang:\n\nA\n",
			[]string{"faq.el.md:2: a lang: line without a language code"}},
		{"no language", "faq.md", "## Q\n\nA\n",
			[]string{`faq.md:1: the entry "Q" has no language: give it a lang: line, name the file like faq.el.md, or give a default language`}},
		{"lang twice", "faq.md", "## Q\nlang: en\ntags: a\nLang: el\n\nA\n",
			[]string{"faq.md:4: a second lang: line for the entry"}},
		{"duplicate ignoring case and spacing", "faq.en.md", "## Where is  my order?\n\nA\n\n## Q\n\nB\n\n## where is my ORDER?\n\nC\n",
			[]string{`faq.en.md:9: the question "where is my ORDER?" (en) is asked already at line 1`}},
		{"too many tags", "faq.en.md", "## Q\ntags: a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u\n\nA\n",
			[]string{"faq.en.md:1: 21 tags; at most 20"}},
		{"tag too long", "faq.en.md", "## Q\ntags: ok, " + strings.Repeat("t", 41) + "\n\nA\n",
			[]string{`faq.en.md:1: tag "` + strings.Repeat("t", 41) + `" has 41 characters; at most 40`}},
		{"unclosed code block", "faq.en.md", "## Q\n\nA\n```\n## R\n\nB\n",
			[]string{"faq.en.md:4: the code block opened here with ``` is never closed"}},
		{"NUL", "faq.en.md", "## Q\n\nA\x00\n\n## R\n\nB\x00\n",
			[]string{"faq.en.md:3: a NUL character; the file is not text", "faq.en.md:7: a NUL character; the file is not text"}},
		{"invalid UTF-8", "faq.en.md", "## Q\n\nA\n\n## R \xff\n\nB\n",
			[]string{"faq.en.md:5: bytes that are not UTF-8 text; save the file as UTF-8"}},
		{"no entries", "faq.en.md", "# FAQ\n\nNothing yet.\n",
			[]string{"faq.en.md: no entries in the file"}},
		{"empty file", "faq.en.md", "", []string{"faq.en.md: no entries in the file"}},
		{"unknown extension", "faq.el.json", "[]",
			[]string{"faq.el.json: not a knowledge-base file: name it .md, .markdown or .txt for Markdown, .yaml or .yml for YAML"}},
		{"no extension", "-", "## Q\n\nA\n",
			[]string{"-: not a knowledge-base file: name it .md, .markdown or .txt for Markdown, .yaml or .yml for YAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := problems(t, tt.file, "", tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReadListsTheFirstProblemsInLineOrder(t *testing.T) {
	var b strings.Builder
	for range 25 {
		b.WriteString("## Q\nlang: xx1\n\nA\n")
	}
	b.WriteString("## R\n\nA\x00\n") // a NUL stops the file before any entry is read
	got := problems(t, "faq.md", "", b.String())
	if want := []string{"faq.md:103: a NUL character; the file is not text"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("problems: got %q, want %q", got, want)
	}

	b.Reset()
	for i := range 25 {
		b.WriteString("## Q\nlang: xx1\n\nA\n")
		if i == 0 {
			b.WriteString("## Fine\nlang: en\n\nA\n")
		}
	}
	_, err := kbfile.Read(strings.NewReader(b.String()), "faq.md", "")
	var kerr *kbfile.Error
	if !errors.As(err, &kerr) {
		t.Fatalf("error %T %v, want *kbfile.Error", err, err)
	}
	if len(kerr.Problems) != kbfile.MaxProblems || kerr.More != 5 {
		t.Fatalf("%d problems and %d more, want %d and 5", len(kerr.Problems), kerr.More, kbfile.MaxProblems)
	}
	lines := []int{}
	for _, p := range kerr.Problems[:3] {
		lines = append(lines, p.Line)
	}
	if want := []int{1, 9, 13}; !reflect.DeepEqual(lines, want) {
		t.Errorf("the first problems' lines: got %v, want %v", lines, want)
	}
	if last := strings.Split(err.Error(), "\n"); len(last) != 21 || last[20] != "and 5 more problems" {
		t.Errorf("the message ends %q", last[len(last)-1])
	}
	var cerr *community.Error
	if !errors.As(err, &cerr) || cerr.Key != "kb.bad_lang" || cerr.Data["Lang"] != "xx1" {
		t.Errorf("errors.As *community.Error: %#v, want the first problem's kb.bad_lang", cerr)
	}
}

func TestReadRefusesAFileTooBig(t *testing.T) {
	text := "## Q\n\n" + strings.Repeat("a", kbfile.MaxFileSize)
	got := problems(t, "faq.en.md", "", text)
	if want := []string{"faq.en.md: larger than 10 MB; split it into several files"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("problems: got %q, want %q", got, want)
	}
}

func TestReadRefusesABadDefaultLanguage(t *testing.T) {
	_, err := kbfile.Read(strings.NewReader("## Q\n\nA\n"), "faq.md", "greek")
	if err == nil || err.Error() != `the default language "greek" is not a language code such as en or el` {
		t.Fatalf("error %v", err)
	}
}

func TestReadPassesOnAReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := kbfile.Read(iotest.ErrReader(boom), "faq.en.md", "")
	if !errors.Is(err, boom) || err.Error() != "read faq.en.md: disk on fire" {
		t.Fatalf("error %v, want the read error wrapped", err)
	}
}
