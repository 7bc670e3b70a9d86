package config

import (
	"github.com/hearthbot/hearth/support"
)

// Support configures the support desk: when the knowledge base answers a
// question itself, offers entries, or sends it to a person.
type Support struct {
	// KBAnswerAt is the score (0-1) from which the knowledge base answers
	// a question at once with its best entry.
	KBAnswerAt float64 `yaml:"kb_answer_at" env:"HEARTH_SUPPORT_KB_ANSWER_AT"`
	// KBSuggestAt is the score from which entries are offered as
	// suggestions; below it the question opens a ticket.
	KBSuggestAt float64 `yaml:"kb_suggest_at" env:"HEARTH_SUPPORT_KB_SUGGEST_AT"`
	// KBMargin is how far the best entry must score ahead of the next to
	// be answered at once rather than offered with it.
	KBMargin float64 `yaml:"kb_margin" env:"HEARTH_SUPPORT_KB_MARGIN"`
	// KBSuggestions is the most entries offered for one question.
	KBSuggestions int `yaml:"kb_suggestions" env:"HEARTH_SUPPORT_KB_SUGGESTIONS"`
}

// AnswerRules are the knowledge base's thresholds.
func (s Support) AnswerRules() support.AnswerRules {
	return support.AnswerRules{AnswerAt: s.KBAnswerAt, SuggestAt: s.KBSuggestAt, Margin: s.KBMargin, Suggestions: s.KBSuggestions}
}

func defaultSupport(c *Config) {
	r := support.DefaultAnswerRules()
	c.Support = Support{KBAnswerAt: r.AnswerAt, KBSuggestAt: r.SuggestAt, KBMargin: r.Margin, KBSuggestions: r.Suggestions}
}

func (c *Config) validateSupport(add func(key, format string, args ...any)) {
	s := c.Support
	if s.KBAnswerAt <= 0 || s.KBAnswerAt > 1 {
		add("support.kb_answer_at", "must be above 0 and at most 1, not %g", s.KBAnswerAt)
	}
	if s.KBSuggestAt <= 0 || s.KBSuggestAt > s.KBAnswerAt {
		add("support.kb_suggest_at", "must be above 0 and at most support.kb_answer_at (%g), not %g", s.KBAnswerAt, s.KBSuggestAt)
	}
	if s.KBMargin < 0 || s.KBMargin >= 1 {
		add("support.kb_margin", "must be at least 0 and below 1, not %g", s.KBMargin)
	}
	if s.KBSuggestions < 1 || s.KBSuggestions > support.MaxSuggestions {
		add("support.kb_suggestions", "must be between 1 and %d, not %d", support.MaxSuggestions, s.KBSuggestions)
	}
}
