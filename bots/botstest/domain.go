package botstest

import (
	"sync"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// Setup is what a test's chat layer is made of, besides its options: the
// owners, and the link tokens (nil: no linking).
type Setup struct {
	Owners []community.Account
	Tokens *community.LinkTokens
}

// NewService builds the chat layer for a test with its domain services
// made as cmd/hearth makes them, from so's store, community options and
// clock. Without so.Catalog, it shares the test binary's one catalog.
func NewService(so bots.ServiceOptions, setup Setup) (*bots.Service, error) {
	so.Domain = setup.domain(so)
	if so.Catalog == nil {
		cat, err := Catalog()
		if err != nil {
			return nil, err
		}
		so.Catalog = cat
	}
	return bots.NewService(so)
}

// Catalog returns the embedded message files, loaded once per test binary:
// loading them is most of the CPU a test's start takes under -race, and a
// catalog is read-only.
var Catalog = sync.OnceValues(catalog.New)

// domain is the test's builder of the domain services; cmd/hearth's
// domainParts.build is the production one.
func (setup Setup) domain(so bots.ServiceOptions) func(bots.Platforms) bots.Domain {
	o, store, now := so.Community, so.Store, so.Now
	if o.Location == nil {
		o = bots.DefaultCommunityOptions()
	}
	if now == nil {
		now = time.Now
	}
	return func(p bots.Platforms) bots.Domain {
		access := community.NewAccess(setup.Owners, store)
		d := bots.Domain{Access: access, Groups: community.NewGroups(store, access, now), Staff: community.NewStaff(store, access, now),
			Standings: community.NewStandings(store, o.Engagement, o.Tiers, o.Loyalty, now), Profiles: community.NewProfiles(store, now),
			Newcomers: community.NewNewcomers(p.Enforcer()), Desk: support.NewDesk(store, now)}
		d.Onboarding = community.NewOnboarding(store, community.OnboardingRules{Welcome: o.Onboarding.Welcome,
			Captcha: o.Onboarding.Captcha, CaptchaTimeout: o.Onboarding.CaptchaTimeout}, now)
		d.Announcements = community.NewAnnouncements(store, community.AnnounceRules{WeeklyCap: o.Announce.WeeklyCap,
			Quiet: o.Announce.QuietHours, Location: o.Location}, bots.AnnouncementLength, now)
		mod := o.Moderation.WithDefaults()
		d.Moderation = community.NewModeration(store, access, d.Standings, p.Enforcer(), mod.Rules, now)
		d.Automod = community.NewAutomod(mod.Automod, access, store, now)
		d.Privacy = community.NewPrivacy(store, so.CommunityName, func(pl community.Platform) community.ModerationCapabilities {
			return p.Capabilities(pl).Moderation
		}, now)
		if setup.Tokens != nil {
			d.Linking = community.NewLinking(setup.Tokens, store)
		}
		return d
	}
}
