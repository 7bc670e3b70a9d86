package telegramtest

import (
	"strings"
	"testing"
)

func TestParseHTMLAcceptsTelegramMarkup(t *testing.T) {
	tests := []struct{ src, shown string }{
		{"plain text", "plain text"},
		{"<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins>", "bsieun"},
		{"<s>s</s><strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>", "skdp"},
		{`<span class="tg-spoiler">hidden</span>`, "hidden"},
		{`<a href="https://example.org/?a=1&amp;b=2">link</a>`, "link"},
		{`<a href='tg://user?id=42'>Ada</a>`, "Ada"},
		{`<pre><code class="language-go">x := 1 &lt; 2</code></pre>`, "x := 1 < 2"},
		{"<blockquote expandable>quoted</blockquote>", "quoted"},
		{`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍"},
		{"&lt;&gt;&amp;&quot;&#39;&#x41;", `<>&"'A`},
		{"<B>upper case</B>", "upper case"},
		{"<b>nested <i>tags</i></b>", "nested tags"},
		{"<b>unnamed end tag</>", "unnamed end tag"},
	}
	for _, tt := range tests {
		shown, err := parseHTML(tt.src)
		if err != nil || shown != tt.shown {
			t.Errorf("parseHTML(%q): got %q, %v; want %q", tt.src, shown, err, tt.shown)
		}
	}
}

func TestParseHTMLRefusesWhatTelegramRefuses(t *testing.T) {
	tests := []struct{ src, err string }{
		{"<b>open", `Can't find end tag corresponding to start tag "b"`},
		{"close</b>", "Unexpected end tag at byte offset 5"},
		{"<b>x</i>", `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"<br>", `Unsupported start tag "br" at byte offset 0`},
		{"<p>x</p>", `Unsupported start tag "p" at byte offset 0`},
		{"a <b", "Unclosed start tag at byte offset 2"},
		{"x</b", "Unexpected end tag at byte offset 1"},
		{"<b>x</b", "Unclosed end tag at byte offset 4"},
		{"<span>x</span>", `Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified"},
		{"fish & chips", `Unescaped "&" at byte offset 5`},
		{"&nbsp;", `Unescaped "&" at byte offset 0`},
		{`<a href="?a=1&b=2">x</a>`, `Unescaped "&" at byte offset 13`},
		{`<a href="x>y</a>`, "Unclosed start tag at byte offset 0"},
	}
	for _, tt := range tests {
		_, err := parseHTML(tt.src)
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("parseHTML(%q): got %v, want %q", tt.src, err, tt.err)
		}
	}
}

func TestCheckTextCountsUTF16AfterParsing(t *testing.T) {
	emoji := strings.Repeat("👍", 2048) // two UTF-16 units each
	if _, r := checkText("<b>"+emoji+"</b>", "HTML", maxTextLen, "text"); r != nil {
		t.Fatalf("4096 units: got %s", r.description)
	}
	if _, r := checkText(emoji+"x", "", maxTextLen, "text"); r == nil || r.description != "Bad Request: message is too long" {
		t.Fatalf("4097 units: got %+v", r)
	}
	if _, r := checkText("", "", maxCaptionLen, "caption"); r != nil {
		t.Fatalf("empty caption: got %s", r.description)
	}
	if _, r := checkText("x", "HTML5", maxTextLen, "text"); r == nil {
		t.Fatal("unknown parse mode: accepted")
	}
}
