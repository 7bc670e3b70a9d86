// Package compose builds Hearth's domain services from the configuration:
// the one place they are made. The hearth command uses it, and so do the
// chat layer's tests (through botstest), so tests run the services exactly
// as production builds them.
package compose

import (
	"cmp"
	"log/slog"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/support"
)

// Parts are what the domain services are built from: the store, the
// community's rules from the configuration, the owners, the link tokens
// (nil without link.secret), the clock and the log.
type Parts struct {
	Store  bots.ServiceStore
	Rules  bots.CommunityOptions // zero: the configuration's defaults
	Name   string                // the community's name, for exports
	Owners []community.Account
	Tokens *community.LinkTokens
	Now    func() time.Time // nil: the wall clock
	Log    *slog.Logger     // nil: slog's default
	Seed   uint64           // with each wave's time, the NPS survey's draw
}

// Domain builds each domain service once, reaching the platforms through
// p.
func (d Parts) Domain(p bots.Platforms) bots.Domain {
	o, store, now := d.rules(), d.Store, d.clock()
	access := community.NewAccess(d.Owners, store)
	standings := community.NewStandings(store, o.Engagement, o.Tiers, o.Loyalty, now)
	mod := o.Moderation.WithDefaults()
	desk := support.NewDesk(store, now)
	if o.SLA.Targets != nil {
		desk = desk.WithPolicy(o.SLA)
	}
	out := bots.Domain{
		Access: access, Groups: community.NewGroups(store, access, now), Staff: community.NewStaff(store, access, now),
		Standings: standings, Profiles: community.NewProfiles(store, now),
		Onboarding: community.NewOnboarding(store, community.OnboardingRules{Welcome: o.Onboarding.Welcome,
			Captcha: o.Onboarding.Captcha, CaptchaTimeout: o.Onboarding.CaptchaTimeout}, now),
		Newcomers: community.NewNewcomers(p.Enforcer(), cmp.Or(d.Log, slog.Default())),
		Announcements: community.NewAnnouncements(store, community.AnnounceRules{WeeklyCap: o.Announce.WeeklyCap,
			Quiet: o.Announce.QuietHours, Location: o.Location}, bots.AnnouncementLength, now),
		Moderation: community.NewModeration(store, access, standings, p.Enforcer(), mod.Rules, now),
		Automod:    community.NewAutomod(mod.Automod, access, store, now),
		Privacy: community.NewPrivacy(store, d.Name, func(pl community.Platform) community.ModerationCapabilities {
			return p.Capabilities(pl).Moderation
		}, now),
		Desk: desk, KB: support.NewKnowledgeBase(store, o.Answers, desk, now), HelpPlaces: support.NewHelpPlaces(store, now),
		Board: feedback.NewBoard(store, now), Ideas: feedback.NewLister(store, now),
		Notifier: feedback.NewNotifier(store, noticeRules(o), p.Messaging, now),
		Surveys: feedback.NewSurveys(store, feedback.SurveyRules{Schedule: o.NPS.Schedule, Location: o.Location, Wave: o.NPS.Wave,
			AnswerWindow: o.NPS.AnswerWindow, WeeklyCap: o.Announce.WeeklyCap, Quiet: o.Announce.QuietHours}, p.Messaging, now, d.Seed),
		Showcase: feedback.NewShowcase(store, now, o.Showcase.MaxBytes, o.Showcase.ConsentMonths),
	}
	digests, err := digest.NewDigests(store, bots.DigestRules(o), now)
	if err != nil {
		panic(err) // config.Validate checks digest.schedule
	}
	out.Digests = digests
	out.Jobs = []community.Job{standings.Job(o.RecomputeEvery), out.Moderation.Job(mod.ExpireEvery), out.Onboarding.Job(out.Newcomers),
		out.Notifier.Job(), out.Surveys.Job(), out.Showcase.ExpiryJob(),
		feedback.MediaSweepJob(store, now), support.SLAJob(store, desk.Policy(), now), digests.Job()}
	if d.Tokens != nil {
		out.Linking = community.NewLinking(d.Tokens, store)
	}
	return out
}

// noticeRules tell members of changes to their items outside the
// announcements' quiet hours.
func noticeRules(o bots.CommunityOptions) feedback.NoticeRules {
	r := feedback.DefaultNoticeRules()
	r.Quiet, r.Location = o.Announce.QuietHours, o.Location
	return r
}

func (d Parts) rules() bots.CommunityOptions {
	if d.Rules.Location == nil {
		return bots.DefaultCommunityOptions()
	}
	return d.Rules
}

func (d Parts) clock() func() time.Time {
	if d.Now == nil {
		return time.Now
	}
	return d.Now
}
