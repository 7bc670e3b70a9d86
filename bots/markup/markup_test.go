package markup

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want Doc
	}{
		{"plain", Doc{{Text: "plain"}}},
		{"a *bold* b", Doc{{Text: "a "}, {Text: "bold", Style: Bold}, {Text: " b"}}},
		{"*bold _both_*", Doc{{Text: "bold ", Style: Bold}, {Text: "both", Style: Bold | Italic}}},
		{"run `x*y`", Doc{{Text: "run "}, {Text: "x*y", Style: Code}}},
		{"usage `" + Escape("/warn [member] [reason] `x`") + "`", Doc{{Text: "usage "}, {Text: "/warn [member] [reason] `x`", Style: Code}}},
		{"see [docs](https://x.org/a_b)", Doc{{Text: "see "}, {Text: "docs", URL: "https://x.org/a_b"}}},
		{"hi [Al\\]ice](user:42)!", Doc{{Text: "hi "}, {Text: "Al]ice", Mention: "42"}, {Text: "!"}}},
		{"2 * 3 = 6", Doc{{Text: "2 * 3 = 6"}}},
		{"snake_case", Doc{{Text: "snake_case"}}},
		{"a [b] (c)", Doc{{Text: "a [b] (c)"}}},
		{`\*not bold\*`, Doc{{Text: "*not bold*"}}},
		{"open `tick", Doc{{Text: "open `tick"}}},
	}
	for _, c := range cases {
		if got := Parse(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestEscapedValuesStayLiteral(t *testing.T) {
	for _, v := range []string{"*_`[]\\", "[x](user:1)", "a\\", "**", "_under_"} {
		if got := Parse(Escape(v)).PlainText(); got != v {
			t.Errorf("Parse(Escape(%q)) reads %q", v, got)
		}
		if doc := Parse("*" + Escape(v) + "*"); len(doc) != 1 || doc[0].Style != Bold || doc[0].Text != v {
			t.Errorf("bold escaped %q parsed as %#v", v, doc)
		}
	}
}

func TestRenderings(t *testing.T) {
	doc := Parse("*Hi* [<Bob> & co](user:7), see [the rules](https://x.org/r?a=1&b=\"2\") or `a<b`\n# _not_ a heading")
	cases := []struct {
		name string
		got  string
		want string
	}{
		{"telegram", TelegramHTML(doc), `<b>Hi</b> <a href="tg://user?id=7">&lt;Bob&gt; &amp; co</a>, see <a href="https://x.org/r?a=1&amp;b=&#34;2&#34;">the rules</a> or <code>a&lt;b</code>` + "\n# <i>not</i> a heading"},
		{"discord", DiscordMarkdown(doc), `**Hi** <@7>, see [the rules](https://x.org/r?a=1&b="2") or ` + "`a<b`\n\\# _not_ a heading"},
		{"plain", Plain(doc), "Hi @<Bob> & co, see the rules (https://x.org/r?a=1&b=\"2\") or a<b\n# not a heading"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
}

func TestDiscordEscapesMarkdownInText(t *testing.T) {
	got := DiscordMarkdown(Parse(Escape("a*b_c~d`e|f\\g <@1>") + "\n- item"))
	want := `a\*b\_c\~d` + "\\`" + `e\|f\\g \<@1\>` + "\n\\- item"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if got := DiscordMarkdown(Doc{{Text: "x`y", Style: Code}}); got != "`` x`y ``" {
		t.Fatalf("code with a backtick: %s", got)
	}
}

func TestSplitKeepsEveryPieceWithinTheLimit(t *testing.T) {
	var b strings.Builder
	for i := range 50 {
		b.WriteString("*line* number ")
		b.WriteString(strings.Repeat("x", i))
		b.WriteString("\n")
	}
	b.WriteString(strings.Repeat("y", 130))
	doc := Parse(b.String())
	size := func(d Doc) int { return len(DiscordMarkdown(d)) }
	parts := Split(doc, 100, size)
	var joined strings.Builder
	for _, p := range parts {
		if n := size(p); n > 100 {
			t.Fatalf("a part measures %d > 100: %q", n, DiscordMarkdown(p))
		}
		joined.WriteString(p.PlainText())
	}
	if joined.String() != doc.PlainText() {
		t.Fatal("splitting lost or changed text")
	}
	if len(parts) < 10 {
		t.Fatalf("only %d parts", len(parts))
	}
	if got := Split(Parse("short"), 100, size); len(got) != 1 {
		t.Fatalf("a short message was split into %d", len(got))
	}
}

func TestUTF16Len(t *testing.T) {
	if got := UTF16Len("aé😀"); got != 4 {
		t.Fatalf("got %d, want 4", got)
	}
}
