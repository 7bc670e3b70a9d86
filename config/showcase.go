package config

import (
	"regexp"

	"github.com/hearthbot/hearth/feedback"
)

// Showcase configures customers' posts reshared with their consent.
type Showcase struct {
	// Hashtag in a photo's or video's caption in a connected group
	// submits it for the showcase.
	Hashtag string `yaml:"hashtag" env:"HEARTH_SHOWCASE_HASHTAG"`
	// MaxBytes is the largest file kept (Telegram lets bots download
	// 20 MB at most).
	MaxBytes int64 `yaml:"max_bytes" env:"HEARTH_SHOWCASE_MAX_BYTES"`
	// ConsentMonths is how long an author's consent lasts.
	ConsentMonths int `yaml:"consent_months" env:"HEARTH_SHOWCASE_CONSENT_MONTHS"`
}

func defaultShowcase(c *Config) {
	c.Showcase = Showcase{Hashtag: "#showcase", MaxBytes: feedback.DefaultMaxMediaBytes, ConsentMonths: feedback.DefaultConsentMonths}
}

// hashtag is a # and 1 to 64 letters, digits or underscores: what both
// platforms show as one tag.
var hashtag = regexp.MustCompile(`^#[\p{L}\p{N}_]{1,64}$`)

func (c *Config) validateShowcase(add func(key, format string, args ...any)) {
	s := c.Showcase
	if !hashtag.MatchString(s.Hashtag) {
		add("showcase.hashtag", "must be # and 1 to 64 letters, digits or underscores (such as #showcase), not %q", s.Hashtag)
	}
	if s.MaxBytes < 1<<10 || s.MaxBytes > feedback.DefaultMaxMediaBytes {
		add("showcase.max_bytes", "must be between 1024 and %d (Telegram lets bots download 20 MB at most), not %d", feedback.DefaultMaxMediaBytes, s.MaxBytes)
	}
	if s.ConsentMonths < 1 || s.ConsentMonths > feedback.MaxConsentMonths {
		add("showcase.consent_months", "must be between 1 and %d, not %d", feedback.MaxConsentMonths, s.ConsentMonths)
	}
}
