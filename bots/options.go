package bots

import (
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/feedback"
)

// CommunityOptionsFrom turns the configuration into the community
// features' options: the one mapping from settings to rules. cfg must be
// valid (config.Validate).
func CommunityOptionsFrom(cfg config.Config) CommunityOptions {
	return CommunityOptions{
		Engagement: cfg.EngagementRules(), Tiers: cfg.TierRules(), Loyalty: cfg.LoyaltyRules(),
		RemoveOnDowngrade: cfg.Tiers.RemoveOnDowngrade, VIPGroup: vipGroup(cfg),
		RecomputeEvery: cfg.Engagement.RecomputeEvery, Location: cfg.Location(),
		Onboarding: OnboardingOptions{Welcome: cfg.Onboarding.Welcome, Rules: cfg.Onboarding.Rules,
			ShopAccountURL: cfg.Onboarding.ShopAccountURL, Captcha: cfg.Onboarding.Captcha, CaptchaTimeout: cfg.Onboarding.CaptchaTimeout},
		Announce:   AnnounceOptions{WeeklyCap: cfg.Announce.WeeklyCap, QuietHours: cfg.QuietHours()},
		Moderation: moderationOptionsFrom(cfg),
		NPS: NPSOptions{Schedule: community.Schedule(cfg.NPS.Schedule), AnswerWindow: cfg.NPS.AnswerWindow,
			Wave: feedback.WaveRules{SamplePercent: cfg.NPS.SamplePercent, MaxPerWave: cfg.NPS.MaxPerWave, MinInterval: cfg.NPS.MinInterval}},
		Showcase: ShowcaseOptions{Hashtag: cfg.Showcase.Hashtag, MaxBytes: cfg.Showcase.MaxBytes, ConsentMonths: cfg.Showcase.ConsentMonths},
		Answers:  cfg.Support.AnswerRules(), SLA: cfg.SLAPolicy(),
		DigestSchedule: community.Schedule(cfg.Digest.Schedule),
	}
}

// DigestRules are the weekly digest's rules from the community's
// options: its schedule and zone, the tiers' at-risk thresholds and the
// engagement weights.
func DigestRules(o CommunityOptions) digest.Rules {
	return digest.Rules{Schedule: o.DigestSchedule, Location: o.Location, Tiers: o.Tiers, Weights: o.Engagement.Weights}
}

// moderationOptionsFrom maps moderation.* and onboarding.newcomer_hours.
func moderationOptionsFrom(cfg config.Config) ModerationOptions {
	m := cfg.Moderation
	blocklist, _ := community.ParseBlocklist(m.Blocklist) // checked by Validate
	return ModerationOptions{ExpireEvery: time.Minute,
		Rules: community.ModerationRules{WarnExpiry: time.Duration(m.WarnExpiryDays) * 24 * time.Hour, Ladder: cfg.Ladder(),
			AutomodMute: m.AutomodMute, ReportCooldown: m.ReportCooldown},
		Automod: community.AutomodRules{FloodMessages: m.FloodMessages, FloodWindow: time.Duration(m.FloodSeconds) * time.Second,
			Blocklist: blocklist, NewcomerFor: time.Duration(cfg.Onboarding.NewcomerHours) * time.Hour}}
}

// DefaultCommunityOptions are the options of the configuration's defaults
// (config.Default): defaults are written in config only.
func DefaultCommunityOptions() CommunityOptions {
	return CommunityOptionsFrom(config.Default())
}

// vipGroup is the group only VIPs may join: telegram.vip_chat_id, the one
// platform whose groups take join requests.
func vipGroup(cfg config.Config) community.PlatformChat {
	if cfg.Telegram.VIPChatID == "" {
		return community.PlatformChat{}
	}
	return community.PlatformChat{Platform: community.Telegram, ChatID: cfg.Telegram.VIPChatID}
}
