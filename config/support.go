package config

import (
	"time"

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
	// SLAUrgent, SLAHigh, SLANormal and SLALow are each urgency's targets,
	// "first response/resolution" such as 1h/8h, in business time.
	SLAUrgent string `yaml:"sla_urgent" env:"HEARTH_SUPPORT_SLA_URGENT"`
	SLAHigh   string `yaml:"sla_high" env:"HEARTH_SUPPORT_SLA_HIGH"`
	SLANormal string `yaml:"sla_normal" env:"HEARTH_SUPPORT_SLA_NORMAL"`
	SLALow    string `yaml:"sla_low" env:"HEARTH_SUPPORT_SLA_LOW"`
	// BusinessHours (HH:MM-HH:MM) and BusinessDays (mon-fri) are when the
	// SLA clocks run, in the community's time zone; empty: always.
	BusinessHours string `yaml:"business_hours" env:"HEARTH_SUPPORT_BUSINESS_HOURS"`
	BusinessDays  string `yaml:"business_days" env:"HEARTH_SUPPORT_BUSINESS_DAYS"`
}

// slaTargets are the SLA settings by urgency.
func (s Support) slaTargets() map[support.Urgency]*string {
	return map[support.Urgency]*string{support.UrgencyUrgent: &s.SLAUrgent, support.UrgencyHigh: &s.SLAHigh,
		support.UrgencyNormal: &s.SLANormal, support.UrgencyLow: &s.SLALow}
}

// SLAPolicy is the support desk's SLA policy in the community's time
// zone. Valid after Validate.
func (c *Config) SLAPolicy() support.SLAPolicy {
	p := support.SLAPolicy{Targets: map[support.Urgency]support.Target{}}
	for u, v := range c.Support.slaTargets() {
		p.Targets[u], _ = support.ParseTarget(*v)
	}
	p.Hours, _ = support.ParseBusinessHours(c.Support.BusinessHours, c.Support.BusinessDays, c.Location())
	return p
}

// AnswerRules are the knowledge base's thresholds.
func (s Support) AnswerRules() support.AnswerRules {
	return support.AnswerRules{AnswerAt: s.KBAnswerAt, SuggestAt: s.KBSuggestAt, Margin: s.KBMargin, Suggestions: s.KBSuggestions}
}

func defaultSupport(c *Config) {
	r := support.DefaultAnswerRules()
	sla := support.DefaultSLAPolicy().Targets
	c.Support = Support{KBAnswerAt: r.AnswerAt, KBSuggestAt: r.SuggestAt, KBMargin: r.Margin, KBSuggestions: r.Suggestions,
		SLAUrgent: sla[support.UrgencyUrgent].String(), SLAHigh: sla[support.UrgencyHigh].String(),
		SLANormal: sla[support.UrgencyNormal].String(), SLALow: sla[support.UrgencyLow].String()}
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
	for _, u := range support.Urgencies {
		if _, err := support.ParseTarget(*s.slaTargets()[u]); err != nil {
			add("support.sla_"+string(u), "%v", err)
		}
	}
	if _, err := support.ParseBusinessHours(s.BusinessHours, s.BusinessDays, time.UTC); err != nil {
		key := "support.business_days"
		if _, e := support.ParseBusinessHours(s.BusinessHours, "", time.UTC); e != nil {
			key = "support.business_hours"
		}
		add(key, "%v", err)
	}
}
