package support

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// Entry is one answer of the knowledge base: a question as members ask
// it, its answer in Hearth's markup, tags that find it too (other words
// members use for the same thing), and the language both are written in.
// Entries are keyed by language and question: a second entry with the
// same question in the same language updates the first.
type Entry struct {
	ID        int64
	Lang      string
	Question  string
	Answer    string
	Tags      []string
	UpdatedAt time.Time
}

// The limits of an entry: a question fits a button's caption line and an
// answer one chat message.
const (
	MaxEntryQuestion = 300
	MaxEntryAnswer   = 4000
	MaxEntryTags     = 20
	MaxEntryTag      = 40
)

// entryLang is a language code as Hearth's catalogs name them: two or
// three lower-case letters.
var entryLang = regexp.MustCompile(`^[a-z]{2,3}$`)

// Normalized returns the entry as it is kept: question and answer
// trimmed, tags trimmed, lower-cased and each kept once, in their order.
func (e Entry) Normalized() Entry {
	e.Lang = strings.ToLower(strings.TrimSpace(e.Lang))
	e.Question = strings.Join(strings.Fields(e.Question), " ")
	e.Answer = strings.TrimSpace(e.Answer)
	tags := make([]string, 0, len(e.Tags))
	for _, t := range e.Tags {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	e.Tags = tags
	return e
}

// Check says what is wrong with a normalized entry, as an EInvalid error
// naming the field; nil when it may be saved.
func (e Entry) Check() error {
	invalid := func(key string, data map[string]any, format string, args ...any) error {
		return community.Errorf(community.EInvalid, key, data, format, args...)
	}
	switch q, a := utf8.RuneCountInString(e.Question), utf8.RuneCountInString(e.Answer); {
	case !entryLang.MatchString(e.Lang):
		return invalid("kb.bad_lang", map[string]any{"Lang": e.Lang}, "language %q is not a language code such as en or el", e.Lang)
	case q == 0:
		return invalid("kb.no_question", nil, "the entry has no question")
	case q > MaxEntryQuestion:
		return invalid("kb.question_too_long", map[string]any{"Max": MaxEntryQuestion, "Length": q},
			"a question of %d characters; at most %d", q, MaxEntryQuestion)
	case a == 0:
		return invalid("kb.no_answer", map[string]any{"Question": e.Question}, "the entry %q has no answer", e.Question)
	case a > MaxEntryAnswer:
		return invalid("kb.answer_too_long", map[string]any{"Max": MaxEntryAnswer, "Length": a},
			"an answer of %d characters; at most %d", a, MaxEntryAnswer)
	case len(e.Tags) > MaxEntryTags:
		return invalid("kb.too_many_tags", map[string]any{"Max": MaxEntryTags, "Count": len(e.Tags)},
			"%d tags; at most %d", len(e.Tags), MaxEntryTags)
	}
	for _, s := range append([]string{e.Question, e.Answer}, e.Tags...) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return invalid("kb.bad_text", nil, "the entry %q holds a NUL or bytes that are not UTF-8", e.Question)
		}
	}
	for _, t := range e.Tags {
		if n := utf8.RuneCountInString(t); n > MaxEntryTag {
			return invalid("kb.tag_too_long", map[string]any{"Tag": t, "Max": MaxEntryTag}, "tag %q has %d characters; at most %d", t, n, MaxEntryTag)
		}
	}
	return nil
}

// EntryNotFound: no entry id.
func EntryNotFound(id int64) error {
	return community.Errorf(community.ENotFound, "kb.not_found", map[string]any{"ID": id}, "no knowledge-base entry %d", id)
}
