package config

import (
	"time"

	"github.com/hearthbot/hearth/community"
)

// NPS configures the NPS survey asked inside the chat.
type NPS struct {
	// Schedule is when a wave opens: a cron spec read in the community's
	// time zone.
	Schedule string `yaml:"schedule" env:"HEARTH_NPS_SCHEDULE"`
	// SamplePercent is the share of the members who may be asked that a
	// wave asks; 0: no survey.
	SamplePercent float64 `yaml:"sample_percent" env:"HEARTH_NPS_SAMPLE_PERCENT"`
	// MaxPerWave caps a wave; 0: no cap.
	MaxPerWave int `yaml:"max_per_wave" env:"HEARTH_NPS_MAX_PER_WAVE"`
	// MinInterval is how long before a member may be asked again.
	MinInterval time.Duration `yaml:"min_interval" env:"HEARTH_NPS_MIN_INTERVAL"`
	// AnswerWindow is how long a wave takes answers.
	AnswerWindow time.Duration `yaml:"answer_window" env:"HEARTH_NPS_ANSWER_WINDOW"`
}

func defaultNPS(c *Config) {
	c.NPS = NPS{Schedule: "0 11 * * TUE", SamplePercent: 5, MinInterval: 90 * 24 * time.Hour, AnswerWindow: 7 * 24 * time.Hour}
}

func (c *Config) validateNPS(add func(key, format string, args ...any)) {
	n := c.NPS
	if _, err := (community.Job{Name: "nps.wave", Schedule: community.Schedule(n.Schedule)}).Timetable(); err != nil {
		add("nps.schedule", "%v", err)
	}
	if n.SamplePercent < 0 || n.SamplePercent > 100 {
		add("nps.sample_percent", "must be a percentage from 0 (no survey) to 100, not %g", n.SamplePercent)
	}
	if n.MaxPerWave < 0 {
		add("nps.max_per_wave", "must be 0 (no cap) or more, not %d", n.MaxPerWave)
	}
	if n.MinInterval < 7*24*time.Hour || n.MinInterval > 5*365*24*time.Hour {
		add("nps.min_interval", "must be between 168h (7 days) and 43800h (5 years), not %s", n.MinInterval)
	}
	if n.AnswerWindow < time.Hour || n.AnswerWindow > 90*24*time.Hour {
		add("nps.answer_window", "must be between 1h and 2160h (90 days), not %s", n.AnswerWindow)
	}
}
