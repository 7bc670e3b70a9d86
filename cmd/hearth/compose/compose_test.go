package compose_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/cmd/hearth/compose"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/support"
)

// noPlatforms reaches no platform: building the services must not need one.
type noPlatforms struct{}

func (noPlatforms) Enforcer() bots.Enforcement { return nil }
func (noPlatforms) Capabilities(community.Platform) community.Capabilities {
	return community.Capabilities{}
}
func (noPlatforms) Messaging() map[community.Platform]community.MessagingCapabilities { return nil }

func TestDomainBuildsEveryService(t *testing.T) {
	tokens, err := community.NewLinkTokens(strings.Repeat("s", community.MinLinkSecret), time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	d := compose.Parts{Tokens: tokens}.Domain(noPlatforms{})
	v := reflect.ValueOf(d)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("Domain.%s is not built", v.Type().Field(i).Name)
		}
	}
}

func TestDomainWithoutLinkSecretHasNoLinking(t *testing.T) {
	if d := (compose.Parts{}).Domain(noPlatforms{}); d.Linking != nil {
		t.Error("Linking is built without link tokens")
	}
}

func TestJobsRunOnTheConfiguredPeriods(t *testing.T) {
	rules := bots.DefaultCommunityOptions()
	rules.RecomputeEvery = 7 * time.Minute
	rules.Moderation.ExpireEvery = 3 * time.Minute
	got := map[string]community.Schedule{}
	for _, j := range (compose.Parts{Rules: rules}).Domain(noPlatforms{}).Jobs {
		got[j.Name] = j.Schedule
	}
	want := map[string]community.Schedule{"standings.recompute": community.Every(7 * time.Minute), "moderation.expire": community.Every(3 * time.Minute),
		"onboarding.captcha": community.Every(community.CaptchaExpiryEvery), "nps.wave": "0 11 * * TUE",
		"feedback.notices": community.Every(feedback.NoticesEvery), "showcase.expiry": community.Every(feedback.ExpiryEvery),
		"showcase.media_sweep": community.Every(feedback.MediaSweepEvery), "support.sla_monitor": community.Every(support.SLAMonitorEvery),
		"digest.weekly": community.Every(digest.CheckEvery)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("jobs = %v, want %v", got, want)
	}
}

func TestZeroRulesAreTheConfigurationDefaults(t *testing.T) {
	def := bots.DefaultCommunityOptions()
	for _, j := range (compose.Parts{}).Domain(noPlatforms{}).Jobs {
		if j.Name == "standings.recompute" && j.Schedule != community.Every(def.RecomputeEvery) {
			t.Errorf("standings.recompute runs %s, want the default %s", j.Schedule, community.Every(def.RecomputeEvery))
		}
	}
}
