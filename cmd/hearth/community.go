package main

import (
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/config"
)

// communityOptions turns the configuration into the community features'
// options. It is valid after the configuration is validated.
func communityOptions(cfg config.Config) bots.CommunityOptions {
	return bots.CommunityOptions{
		Engagement: cfg.EngagementRules(), Tiers: cfg.TierRules(), Loyalty: cfg.LoyaltyRules(),
		RemoveOnDowngrade: cfg.Tiers.RemoveOnDowngrade, VIPChat: cfg.Telegram.VIPChatID,
		RecomputeEvery: cfg.Engagement.RecomputeEvery, Location: cfg.Location(),
		Onboarding: bots.OnboardingOptions{Welcome: cfg.Onboarding.Welcome, Rules: cfg.Onboarding.Rules,
			ShopAccountURL: cfg.Onboarding.ShopAccountURL, Captcha: cfg.Onboarding.Captcha, CaptchaTimeout: cfg.Onboarding.CaptchaTimeout},
		Announce:   bots.AnnounceOptions{WeeklyCap: cfg.Announce.WeeklyCap, QuietHours: cfg.QuietHours()},
		Moderation: moderationOptions(cfg),
	}
}

// moderationOptions maps moderation.* and onboarding.newcomer_hours.
func moderationOptions(cfg config.Config) bots.ModerationOptions {
	m := cfg.Moderation
	blocklist, _ := community.ParseBlocklist(m.Blocklist) // checked by Validate
	return bots.ModerationOptions{ExpireEvery: time.Minute,
		Rules: community.ModerationRules{WarnExpiry: time.Duration(m.WarnExpiryDays) * 24 * time.Hour, Ladder: cfg.Ladder(),
			AutomodMute: m.AutomodMute, ReportCooldown: m.ReportCooldown},
		Automod: community.AutomodRules{FloodMessages: m.FloodMessages, FloodWindow: time.Duration(m.FloodSeconds) * time.Second,
			Blocklist: blocklist, NewcomerFor: time.Duration(cfg.Onboarding.NewcomerHours) * time.Hour}}
}
