package kbfile_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/support"
	"github.com/hearthbot/hearth/support/kbfile"
)

func TestReadMarkdown(t *testing.T) {
	tests := []struct {
		name, text string
		want       []support.Entry
	}{
		{"title and intro ignored", "# FAQ\n\nAsk us anything.\n### Not an entry\n\n## Q\n\nA\n",
			[]support.Entry{entry("en", "Q", "A")}},
		{"question spacing", "##   Where   is\tit?  \n\nA\n",
			[]support.Entry{entry("en", "Where is it?", "A")}},
		{"tags then lang", "## Q\ntags: a, b\nlang: el\n\nA\n",
			[]support.Entry{entry("el", "Q", "A", "a", "b")}},
		{"lang then tags, keys in capitals", "## Q\nLANG: EL\nTags:a,b\n\nA\n",
			[]support.Entry{entry("el", "Q", "A", "a", "b")}},
		{"tags trimmed, lower-cased, kept once, empty ones dropped", "## Q\ntags:  Delivery ,, DELIVERY,  big   box ,\n\nA\n",
			[]support.Entry{entry("en", "Q", "A", "delivery", "big box")}},
		{"escaped commas and backslashes in tags", `## Q` + "\n" + `tags: a\, b, c:\dir, d\\, e` + "\n\nA\n",
			[]support.Entry{entry("en", "Q", "A", "a, b", `c:\dir`, `d\`, "e")}},
		{"empty tags line", "## Q\ntags:\n\nA\n",
			[]support.Entry{entry("en", "Q", "A")}},
		{"answer right under the heading", "## Q\nA\nB\n",
			[]support.Entry{entry("en", "Q", "A\nB")}},
		{"answer right under the meta lines", "## Q\ntags: x\nA\n",
			[]support.Entry{entry("en", "Q", "A", "x")}},
		{"a lang: line after the blank is answer", "## Q\n\nlang: el\ntags: x\n",
			[]support.Entry{entry("en", "Q", "lang: el\ntags: x")}},
		{"surrounding blank lines trimmed, inner kept", "## Q\n\n\n\n  A\n\n\n  B  \n\n\n",
			[]support.Entry{entry("en", "Q", "A\n\n\n  B")}},
		{"subheadings and hashes stay in the answer", "## Q\n\n### Step 1\n#hashtag\n##no space\n\n## R\n\nB\n",
			[]support.Entry{entry("en", "Q", "### Step 1\n#hashtag\n##no space"), entry("en", "R", "B")}},
		{"## in fenced code", "## Q\n\nRun:\n```sh\n## not an entry\n##\n```\nDone.\n## R\n\nB\n",
			[]support.Entry{entry("en", "Q", "Run:\n```sh\n## not an entry\n##\n```\nDone."), entry("en", "R", "B")}},
		{"tilde fence, closed by a longer one", "## Q\n\n~~~\n## x\n~~\n```\n~~~~  \n## R\n\nB\n",
			[]support.Entry{entry("en", "Q", "~~~\n## x\n~~\n```\n~~~~"), entry("en", "R", "B")}},
		{"a short closing fence does not close", "## Q\n\n````\n```\n## x\n````\n\n## R\n\nB\n",
			[]support.Entry{entry("en", "Q", "````\n```\n## x\n````"), entry("en", "R", "B")}},
		{"inline code is not a fence", "## Q\n\n```x``` is inline\n## R\n\nB\n",
			[]support.Entry{entry("en", "Q", "```x``` is inline"), entry("en", "R", "B")}},
		{"an indented fence is not a fence", "## Q\n\n  ```\n## R\n\nB\n",
			[]support.Entry{entry("en", "Q", "```"), entry("en", "R", "B")}},
		{"escaped headings and fences", "## Q\n\n\\## Step 1\n\\##\n\\\\## kept one\n\\```\n\\# not escaped\n\\##x not escaped\n## R\n\nB\n",
			[]support.Entry{entry("en", "Q", "## Step 1\n##\n\\## kept one\n```\n\\# not escaped\n\\##x not escaped"), entry("en", "R", "B")}},
		{"escapes kept inside fences", "## Q\n\n```\n\\## raw\n```\n",
			[]support.Entry{entry("en", "Q", "```\n\\## raw\n```")}},
		{"markup and unicode kept", "## Ερώτηση **1**\nlang: el\n\n**Ναι** — _δείτε_ [εδώ](https://x.example/α?b=1).\n",
			[]support.Entry{entry("el", "Ερώτηση **1**", "**Ναι** — _δείτε_ [εδώ](https://x.example/α?b=1).")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameEntries(t, mustRead(t, "faq.md", "en", tt.text), tt.want)
		})
	}
}

func TestWriteMarkdown(t *testing.T) {
	entries := []support.Entry{
		{ID: 7, Lang: "EN ", Question: " Where  is it? ", Answer: "\n  Here.\n\n## Not a heading\n\\## backslashed\n", Tags: []string{"Box", "a, b", `c:\`}},
		entry("el", "Κώδικας;", "```\n## SKU\n```\n~~~\nopen only"),
		entry("ru", "Как?", "Так."),
	}
	var b strings.Builder
	if err := kbfile.WriteMarkdown(&b, entries); err != nil {
		t.Fatal(err)
	}
	want := "## Where is it?\nlang: en\ntags: box, a\\, b, c:\\\\\n\nHere.\n\n\\## Not a heading\n\\\\## backslashed\n" +
		"\n## Κώδικας;\nlang: el\n\n```\n## SKU\n```\n\\~~~\nopen only\n" +
		"\n## Как?\nlang: ru\n\nТак.\n"
	if b.String() != want {
		t.Fatalf("WriteMarkdown:\n%s\nwant:\n%s", b.String(), want)
	}
	got := mustRead(t, "export.md", "", b.String())
	sameEntries(t, got, []support.Entry{
		entry("en", "Where is it?", "Here.\n\n## Not a heading\n\\## backslashed", "box", "a, b", `c:\`),
		entry("el", "Κώδικας;", "```\n## SKU\n```\n~~~\nopen only"),
		entry("ru", "Как?", "Так."),
	})
}

func TestWriteRefusesAnInvalidEntry(t *testing.T) {
	entries := []support.Entry{entry("en", "Q", "A"), entry("", "No language", "A")}
	for name, write := range map[string]func(*strings.Builder) error{
		"markdown": func(b *strings.Builder) error { return kbfile.WriteMarkdown(b, entries) },
		"yaml":     func(b *strings.Builder) error { return kbfile.WriteYAML(b, entries) },
	} {
		var b strings.Builder
		err := write(&b)
		if err == nil || err.Error() != `entry 2 ("No language"): language "" is not a language code such as en or el` {
			t.Errorf("%s: error %v", name, err)
		}
		if b.Len() != 0 {
			t.Errorf("%s wrote %q before refusing", name, b.String())
		}
	}
}
