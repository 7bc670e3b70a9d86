package config

import "github.com/hearthbot/hearth/community"

// Digest configures the weekly engagement digest posted to the staff
// chats.
type Digest struct {
	// Schedule is when the week's digest is made and posted: a cron spec
	// read in the community's time zone. The digest is of the last week
	// that has ended (Monday to Sunday).
	Schedule string `yaml:"schedule" env:"HEARTH_DIGEST_SCHEDULE"`
}

func defaultDigest(c *Config) { c.Digest = Digest{Schedule: "0 9 * * MON"} }

func (c *Config) validateDigest(add func(key, format string, args ...any)) {
	if _, err := (community.Job{Name: "digest", Schedule: community.Schedule(c.Digest.Schedule)}).Timetable(); err != nil {
		add("digest.schedule", "%v", err)
	}
}
