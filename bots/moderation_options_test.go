package bots

import (
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// TestModerationOptionsKeepConfiguredRules: a zero ExpireEvery takes the
// default interval and keeps the rules configured; options left wholly
// unset are the defaults.
func TestModerationOptionsKeepConfiguredRules(t *testing.T) {
	configured := ModerationOptions{
		Rules:   community.ModerationRules{WarnExpiry: 7 * 24 * time.Hour, AutomodMute: 5 * time.Minute, ReportCooldown: time.Minute},
		Automod: community.AutomodRules{FloodMessages: 9, FloodWindow: time.Minute},
	}
	got := configured.WithDefaults()
	if got.ExpireEvery != DefaultModerationOptions().ExpireEvery {
		t.Errorf("expire every %s, want the default %s", got.ExpireEvery, DefaultModerationOptions().ExpireEvery)
	}
	if got.Rules.WarnExpiry != configured.Rules.WarnExpiry || got.Rules.AutomodMute != configured.Rules.AutomodMute ||
		got.Rules.ReportCooldown != configured.Rules.ReportCooldown || got.Automod.FloodMessages != 9 || len(got.Rules.Ladder) != 0 {
		t.Errorf("configured rules replaced: %+v", got)
	}
	def := ModerationOptions{}.WithDefaults()
	if def.ExpireEvery != time.Minute || def.Rules.WarnExpiry != 30*24*time.Hour || def.Automod.FloodMessages != 6 || len(def.Rules.Ladder) != 2 {
		t.Errorf("unset options: %+v, want the defaults", def)
	}
	every := ModerationOptions{ExpireEvery: time.Hour, Rules: configured.Rules}.WithDefaults()
	if every.ExpireEvery != time.Hour || every.Rules.WarnExpiry != configured.Rules.WarnExpiry {
		t.Errorf("options with an interval changed: %+v", every)
	}
}
