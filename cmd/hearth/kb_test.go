package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
)

// kbSample is a knowledge-base file in two languages: the Greek entry's
// language comes from its own line, the others' from the file name.
const kbSample = `# Shop FAQ

## Where is my order?
tags: delivery, tracking

Open the e-mail we sent when the order shipped and follow *Track parcel*.

## How do I return a product?
tags: refund

You have _30 days_ to return it unused.

## Πόσο κοστίζει η αποστολή;
lang: el
tags: μεταφορικά

Η αποστολή είναι δωρεάν από 50 €.
`

// TestKBImportExportSearch: an import adds the file's entries, a second
// import of the same file updates them in place, an export imports back
// unchanged, and a search ranks an entry a member's words find, as text
// and as JSON.
func TestKBImportExportSearch(t *testing.T) {
	dsn := storagetest.URL(t)
	env := map[string]string{"DATABASE_URL": dsn}
	dir := t.TempDir()
	file := filepath.Join(dir, "faq.en.md")
	if err := os.WriteFile(file, []byte(kbSample), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := inProcess(t, env, "kb", "import", file)
	if code != 0 || !strings.Contains(stdout, "Imported 3 entries from 1 files: 3 new, 0 updated.") {
		t.Fatalf("kb import: %d %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = inProcess(t, env, "kb", "import", file)
	if code != 0 || !strings.Contains(stdout, "0 new, 3 updated.") {
		t.Fatalf("kb import again: %d %q %q", code, stdout, stderr)
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var langs []string
	if err := db.Select(&langs, `SELECT lang FROM kb_entries ORDER BY id`); err != nil || strings.Join(langs, " ") != "en en el" {
		t.Fatalf("entries' languages %v, %v", langs, err)
	}

	exported := filepath.Join(dir, "export.md")
	if code, _, stderr := inProcess(t, env, "kb", "export", "--out", exported); code != 0 {
		t.Fatalf("kb export: %d %s", code, stderr)
	}
	code, stdout, stderr = inProcess(t, env, "kb", "import", exported)
	if code != 0 || !strings.Contains(stdout, "0 new, 3 updated.") {
		t.Fatalf("kb import of the export: %d %q %q", code, stdout, stderr)
	}
	_, again, _ := inProcess(t, env, "kb", "export")
	if first, _ := os.ReadFile(exported); string(first) != again || !strings.Contains(again, "lang: el") {
		t.Fatalf("the export changed after a round trip:\n%s\n---\n%s", first, again)
	}
	code, stdout, _ = inProcess(t, env, "kb", "export", "--lang", "el", "--format", "yaml")
	if code != 0 || !strings.Contains(stdout, "Πόσο κοστίζει η αποστολή;") || strings.Contains(stdout, "Where is my order?") {
		t.Fatalf("kb export --lang el --format yaml: %d\n%s", code, stdout)
	}

	code, stdout, stderr = inProcess(t, env, "kb", "search", "--json", "where", "is", "my", "order?")
	if code != 0 {
		t.Fatalf("kb search: %d %s", code, stderr)
	}
	var res kbSearchResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if res.Lang != "en" || res.Action != "answer" || len(res.Hits) == 0 || res.Hits[0].Question != "Where is my order?" || !res.Hits[0].Shown {
		t.Fatalf("kb search --json: %+v", res)
	}
	code, stdout, _ = inProcess(t, env, "kb", "search", "--lang", "el", "ποσο κοστιζει η αποστολη")
	if code != 0 || !strings.Contains(stdout, "language: el") || !strings.Contains(stdout, "Πόσο κοστίζει η αποστολή;") {
		t.Fatalf("kb search --lang el: %d\n%s", code, stdout)
	}
	code, stdout, _ = inProcess(t, env, "kb", "search", "do you sell umbrellas?")
	if code != 0 || !strings.Contains(stdout, "action:   escalate") {
		t.Fatalf("kb search of an unknown question: %d\n%s", code, stdout)
	}
}

// TestKBImportRefusesABadFileWhole: a file with a problem imports nothing
// and says where, exiting 2; so do a missing file, broken markup in an
// answer and a search without a question.
func TestKBImportRefusesABadFileWhole(t *testing.T) {
	dsn := storagetest.URL(t)
	env := map[string]string{"DATABASE_URL": dsn}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.en.md", kbSample)
	dup := write("dup.en.md", "## Where is my order?\n\nHere.\n\n## where is  MY order?\n\nThere.\n")
	markup := write("markup.en.md", "## Broken?\n\nThis is *not closed.\n")
	nolang := write("faq.md", "## Where?\n\nHere.\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"kb", "import", good, dup}, "dup.en.md:5"},
		{[]string{"kb", "import", markup}, `the answer of "Broken?"`},
		{[]string{"kb", "import", nolang}, "faq.md:1"},
		{[]string{"kb", "import", filepath.Join(dir, "missing.md")}, "missing.md"},
		{[]string{"kb", "import"}, "name at least one FILE"},
		{[]string{"kb", "export", "--format", "csv"}, `--format must be md or yaml, not "csv"`},
		{[]string{"kb", "search"}, "give the question"},
	}
	for _, c := range cases {
		code, _, stderr := inProcess(t, env, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args[1:], code, stderr, c.want)
		}
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM kb_entries`); err != nil || n != 0 {
		t.Fatalf("%d entries kept from refused imports, %v", n, err)
	}
}
