package bots

import (
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/support"
)

// Domain is the domain services the chat layer calls. The composition
// root (cmd/hearth) builds each of them once, from the configuration;
// the router and the features receive them and build none of their own.
type Domain struct {
	Access        *community.Access
	Groups        *community.Groups
	Staff         *community.Staff
	Standings     *community.Standings
	Profiles      *community.Profiles
	Onboarding    *community.Onboarding
	Newcomers     *community.Newcomers
	Announcements *community.Announcements
	Moderation    *community.Moderation
	Automod       *community.Automod
	Privacy       *community.Privacy
	Desk          *support.Desk
	KB            *support.KnowledgeBase
	HelpPlaces    *support.HelpPlaces // where members' plain messages are questions (/sethelp)
	Board         *feedback.Board
	Ideas         *feedback.Lister
	Notifier      *feedback.Notifier
	Linking       *community.Linking // nil: no link secret configured
	Surveys       *feedback.Surveys  // the NPS survey
	Showcase      *feedback.Showcase // customers' posts reshared with consent
	Digests       *digest.Digests    // the weekly digest
	// Jobs are the domain services' scheduled work, on the configured
	// periods: the standings recompute and the sanctions' expiry.
	Jobs []community.Job
}

// Platforms is how domain services reach the platforms Hearth runs: the
// service's enforcement of sanctions, and each platform's facts. It is
// valid before the adapters are added: both look a platform up when
// asked.
type Platforms interface {
	Enforcer() Enforcement
	Capabilities(p community.Platform) community.Capabilities
	// Messaging is how each platform Hearth runs on now lets it write to
	// members (the NPS survey's waves ask where it may).
	Messaging() map[community.Platform]community.MessagingCapabilities
}

// Enforcement carries sanctions out on the platforms: moderation's, and
// the captcha's.
type Enforcement interface {
	community.Enforcer
	community.NewcomerEnforcer
}

// Enforcer carries sanctions out on the platforms the service runs.
func (s *Service) Enforcer() Enforcement {
	return &enforcer{router: s.Router, store: s.opts.Store}
}

// Messaging returns how each connected platform lets Hearth write to
// members.
func (s *Service) Messaging() map[community.Platform]community.MessagingCapabilities {
	return s.Router.Messaging()
}

// Capabilities returns platform p's facts.
func (s *Service) Capabilities(p community.Platform) community.Capabilities {
	return s.Router.Capabilities(p)
}
