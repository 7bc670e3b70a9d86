package bots

import (
	"context"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/support"
)

// CommunityStore is what the domain services the community features call
// need from persistence, for the composition root to hand them (each
// feature itself declares only the store methods it calls).
type CommunityStore interface {
	community.StandingStore
	// VerifiedBuyer reports whether member linked their shop account
	// through a signed link and has orders.
	VerifiedBuyer(ctx context.Context, member community.MemberID) (bool, error)
	// Leaderboard returns the most engaged members who have not hidden
	// themselves, best first.
	Leaderboard(ctx context.Context, limit int) ([]community.LeaderboardEntry, error)
	// HideFromLeaderboard records a member's choice to be on /top or not.
	HideFromLeaderboard(ctx context.Context, member community.MemberID, hide bool) error
	support.Store
	support.KBStore
	support.AlertStore
	support.ReportStore
	support.RelayStore
	support.HelpPlaceStore
	ticketThreadStore
	memberThreadStore
	community.OnboardingStore
	community.AnnouncementStore
	AnnouncementOutbox
	community.PrivacyStore
	ModerationStore
	feedback.BoardStore
	feedback.ListStore
	feedback.NoticeStore
	IdeasStore
	feedback.ShowcaseStore
	feedback.MediaSweeper
	ShowcaseStore
	feedback.SurveyStore
	digest.Store
	HighlightStore
	SurveyOutbox
	SurveyTickets
}

// CommunityOptions configures the community features: standings and tier
// perks, onboarding, moderation, announcements and privacy.
type CommunityOptions struct {
	Engagement community.EngagementRules
	Tiers      community.TierRules
	Loyalty    community.LoyaltyRules
	// RemoveOnDowngrade takes a tier's perks away when a member falls
	// below the tier.
	RemoveOnDowngrade bool
	// VIPGroup is the group only VIPs may join (a zero ChatID when
	// none): the configuration's telegram.vip_chat_id.
	VIPGroup community.PlatformChat
	// RecomputeEvery is how often standings are recomputed.
	RecomputeEvery time.Duration
	// Location is the community's time zone (quiet hours, dates shown).
	Location *time.Location
	// Onboarding receives newcomers: welcome, rules, captcha.
	Onboarding OnboardingOptions
	// Announce limits private announcements.
	Announce AnnounceOptions
	// Moderation configures warnings, the ladder, automod and reports.
	Moderation ModerationOptions
	// NPS configures the NPS survey.
	NPS NPSOptions
	// Showcase configures customers' posts reshared with their consent.
	Showcase ShowcaseOptions
	// Answers are the knowledge base's thresholds: when it answers, offers
	// entries, or sends a question to a person.
	Answers support.AnswerRules
	// SLA is the support desk's targets by urgency, in business hours.
	SLA support.SLAPolicy
	// DigestSchedule is when the weekly digest is made (digest.schedule).
	DigestSchedule community.Schedule
}

// Feature is one area of Hearth in the chat layer: its commands, hooks and
// event renderers.
type Feature interface {
	Register(r *Router, d *Dispatcher)
}

// Job is work a feature does on a schedule; across replicas one of them
// runs each slot.
type Job = community.Job

// tourGuide is a feature that follows the /start greeting in a private
// chat with a tour (onboarding).
type tourGuide interface {
	afterStart(r *Request, greeting Reply) Reply
}

// communityFeatures builds the community features for the service, each
// with the domain services it uses.
func (s *Service) communityFeatures() []Feature {
	o, d := s.opts.Community, s.domain
	questions := newSupportFeature(s.opts.Store, s.opts.Now, d)
	moderation := newModerationFeature(s.opts.Store, o, s.opts.Now, d, s.Enforcer())
	moderation.ticketNote = questions.note
	return []Feature{
		newStandingsFeature(s.opts.Store, o, s.opts.Now, d.Standings),
		newOnboardingFeature(s.opts.Store, o, s.opts.Now, d, questions),
		questions,
		newAnnounceFeature(s.opts.Store, o, d.Announcements),
		newPrivacyFeature(s.opts.Store, s.opts.Now, d.Privacy),
		newIdeasFeature(s.opts.Store, o, s.opts.Now, d.Board, d.Ideas),
		moderation,
		newNPSFeature(s.opts.Store, s.opts.Now, d.Surveys, d.Desk),
		newShowcaseFeature(s.opts.Store, o, s.opts.Now, d, s.Enforcer(), s.opts.Log),
		newDigestFeature(s.opts.Store, s.opts.Now, d.Digests),
	}
}
