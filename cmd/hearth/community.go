package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/storage"
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

// runJobs runs every feature job on its interval until ctx ends, the first
// time at once. Each slot (the time truncated to the interval) is run by
// one replica.
func runJobs(ctx context.Context, jobs []bots.Job, store *storage.Store, log *slog.Logger) {
	for _, job := range jobs {
		go func() {
			tick := time.NewTicker(job.Every)
			defer tick.Stop()
			for {
				runSlot(ctx, job, store, log)
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
}

func runSlot(ctx context.Context, job bots.Job, store *storage.Store, log *slog.Logger) {
	slot := time.Now().Truncate(job.Every)
	start := time.Now()
	ran, err := store.RunScheduled(ctx, job.Name, slot, job.Run)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("scheduled job failed", "job", job.Name, "slot", slot, "error", err)
	case ran:
		log.Debug("scheduled job done", "job", job.Name, "slot", slot, "took", time.Since(start).Round(time.Millisecond))
	}
}
