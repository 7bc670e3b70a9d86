package main

import (
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/support"
)

// domainParts is what the domain services are built from: the store, the
// community's rules from the configuration, the owners, the link tokens
// (nil without link.secret) and the clock.
type domainParts struct {
	store  *storage.Store
	rules  bots.CommunityOptions
	name   string // the community's name, for exports
	owners []community.Account
	tokens *community.LinkTokens
	now    func() time.Time
}

// build builds each domain service once, reaching the platforms through
// p: the one place Hearth's services are made.
func (d domainParts) build(p bots.Platforms) bots.Domain {
	o, store, now := d.rules, d.store, d.now
	access := community.NewAccess(d.owners, store)
	standings := community.NewStandings(store, o.Engagement, o.Tiers, o.Loyalty, now)
	mod := o.Moderation.WithDefaults()
	out := bots.Domain{
		Access: access, Groups: community.NewGroups(store, access, now), Staff: community.NewStaff(store, access, now),
		Standings: standings, Profiles: community.NewProfiles(store, now),
		Onboarding: community.NewOnboarding(store, community.OnboardingRules{Welcome: o.Onboarding.Welcome,
			Captcha: o.Onboarding.Captcha, CaptchaTimeout: o.Onboarding.CaptchaTimeout}, now),
		Newcomers: community.NewNewcomers(p.Enforcer()),
		Announcements: community.NewAnnouncements(store, community.AnnounceRules{WeeklyCap: o.Announce.WeeklyCap,
			Quiet: o.Announce.QuietHours, Location: o.Location}, bots.AnnouncementLength, now),
		Moderation: community.NewModeration(store, access, standings, p.Enforcer(), mod.Rules, now),
		Automod:    community.NewAutomod(mod.Automod, access, store, now),
		Privacy: community.NewPrivacy(store, d.name, func(pl community.Platform) community.ModerationCapabilities {
			return p.Capabilities(pl).Moderation
		}, now),
		Desk: support.NewDesk(store, now),
	}
	if d.tokens != nil {
		out.Linking = community.NewLinking(d.tokens, store)
	}
	return out
}
