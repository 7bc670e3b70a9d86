package feedback

import (
	"strings"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// Kind is what a member's item is.
type Kind string

// The kinds of items.
const (
	KindIdea     Kind = "idea"
	KindBug      Kind = "bug"
	KindPraise   Kind = "praise"
	KindQuestion Kind = "question"
)

// Kinds are the kinds of items, in the order they are offered.
var Kinds = []Kind{KindIdea, KindBug, KindPraise, KindQuestion}

// ParseKind reads a kind as a member or a button names it.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if strings.EqualFold(strings.TrimSpace(s), string(k)) {
			return k, true
		}
	}
	return "", false
}

// Limits of an item's text, in characters.
const (
	MaxTitle = 120
	MaxBody  = 2000
)

// Text is an item's title and body as a member wrote them.
type Text struct {
	Title string
	Body  string // optional
}

// ParseText splits what a member wrote into a title (the first line) and
// a body (the rest), trimmed. An empty title, or a title or body over its
// limit, is EInvalid with the message key saying which.
func ParseText(s string) (Text, error) {
	title, body, _ := strings.Cut(strings.TrimSpace(s), "\n")
	t := Text{Title: strings.TrimSpace(title), Body: strings.TrimSpace(body)}
	switch n, m := utf8.RuneCountInString(t.Title), utf8.RuneCountInString(t.Body); {
	case n == 0:
		return Text{}, community.Errorf(community.EInvalid, "feedback.empty", nil, "an empty item")
	case n > MaxTitle:
		return Text{}, community.Errorf(community.EInvalid, "feedback.title_too_long", map[string]any{"Length": n, "Max": MaxTitle},
			"a title of %d characters; at most %d", n, MaxTitle)
	case m > MaxBody:
		return Text{}, community.Errorf(community.EInvalid, "feedback.body_too_long", map[string]any{"Length": m, "Max": MaxBody},
			"a body of %d characters; at most %d", m, MaxBody)
	}
	return t, nil
}
