package telegramtest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"
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
		shown, _, err := parseHTML(tt.src)
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
		_, _, err := parseHTML(tt.src)
		if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("parseHTML(%q): got %v, want %q", tt.src, err, tt.err)
		}
	}
}

func TestParseHTMLMakesTelegramsEntities(t *testing.T) {
	type entity = models.MessageEntity
	tests := []struct {
		src  string
		want []entity
	}{
		{"<b>bold</b> and <i>it<u>al</u></i>", []entity{
			{Type: "bold", Offset: 0, Length: 4}, {Type: "italic", Offset: 9, Length: 4}, {Type: "underline", Offset: 11, Length: 2}}},
		{"👍 &lt;<s>x</s>", []entity{{Type: "strikethrough", Offset: 4, Length: 1}}},
		{`<a href="https://t.me/?a=1&amp;b=2">` + "\u200b</a><b>Add</b>", []entity{
			{Type: "text_link", Offset: 0, Length: 1, URL: "https://t.me/?a=1&b=2"}, {Type: "bold", Offset: 1, Length: 3}}},
		{`<a href="tg://user?id=42">Ada</a>`, []entity{{Type: "text_mention", Offset: 0, Length: 3, User: &models.User{ID: 42}}}},
		{`<pre><code class="language-go">x</code></pre>`, []entity{{Type: "pre", Offset: 0, Length: 1, Language: "go"}}},
		{"<code>x</code>", []entity{{Type: "code", Offset: 0, Length: 1}}},
		{"<blockquote expandable>q</blockquote><blockquote>r</blockquote>", []entity{
			{Type: "expandable_blockquote", Offset: 0, Length: 1}, {Type: "blockquote", Offset: 1, Length: 1}}},
		{`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><tg-spoiler>s</tg-spoiler>`, []entity{
			{Type: "custom_emoji", Offset: 0, Length: 2, CustomEmojiID: "5368324170671202286"}, {Type: "spoiler", Offset: 2, Length: 1}}},
		{"<b>outer <i>inner</i></b>", []entity{{Type: "bold", Offset: 0, Length: 11}, {Type: "italic", Offset: 6, Length: 5}}},
		{"<b></b>x<a>y</a>", nil},
	}
	for _, tt := range tests {
		_, got, err := parseHTML(tt.src)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseHTML(%q): got %+v, %v; want %+v", tt.src, got, err, tt.want)
		}
	}
}

func TestCheckTextTrimsAndCountsUTF16(t *testing.T) {
	text := func(text, parseMode string) Call {
		return Call{Params: map[string]string{"text": text, "parse_mode": parseMode}}
	}
	got, r := checkText(text("\n <b> hi</b> <i>there</i>\n", "HTML"), "text", maxTextLen)
	want := []models.MessageEntity{{Type: "bold", Offset: 0, Length: 2}, {Type: "italic", Offset: 3, Length: 5}}
	if r != nil || got.text != "hi there" || !reflect.DeepEqual(got.entities, want) {
		t.Fatalf("trimmed: got %q %+v, %v; want %+v", got.text, got.entities, r, want)
	}
	emoji := strings.Repeat("👍", 2048) // two UTF-16 units each
	if _, r := checkText(text("<b>"+emoji+"</b>", "HTML"), "text", maxTextLen); r != nil {
		t.Fatalf("4096 units: got %s", r.description)
	}
	if _, r := checkText(text(emoji+"x", ""), "text", maxTextLen); r == nil || r.description != "Bad Request: message is too long" {
		t.Fatalf("4097 units: got %+v", r)
	}
	if _, r := checkText(Call{Params: map[string]string{}}, "caption", maxCaptionLen); r != nil {
		t.Fatalf("empty caption: got %s", r.description)
	}
	if _, r := checkText(text("x", "HTML5"), "text", maxTextLen); r == nil {
		t.Fatal("unknown parse mode: accepted")
	}
	if _, r := checkText(text("\xff", ""), "text", maxTextLen); r == nil {
		t.Fatal("invalid UTF-8: accepted")
	}
	given := Call{Params: map[string]string{"text": "<b>as is</b>", "parse_mode": "HTML",
		"entities": `[{"type":"italic","offset":0,"length":2}]`}}
	if got, r := checkText(given, "text", maxTextLen); r != nil || got.text != "<b>as is</b>" || got.entities[0].Type != "italic" {
		t.Fatalf("explicit entities: got %+v, %v", got, r)
	}
}
