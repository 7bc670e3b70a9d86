package community

import (
	"context"
	"regexp"
	"time"
)

// AutomodRules say what automod removes from the groups.
type AutomodRules struct {
	// FloodMessages messages within FloodWindow is a flood; 0: off.
	FloodMessages int
	FloodWindow   time.Duration
	Blocklist     *Blocklist
	// NewcomerFor is how long after joining a member may post no links
	// or media; 0: off.
	NewcomerFor time.Duration
}

// The automod rules.
const (
	RuleFlood     = "flood"
	RuleBlocklist = "blocklist"
	RuleNewcomer  = "newcomer" // a link or media from a newcomer
)

// linkPattern finds links: with a scheme, www., Telegram and Discord
// invites, and bare domains of common top-level domains.
var linkPattern = regexp.MustCompile(`(?i)(?:https?://|www\.|\bt\.me/|\btelegram\.me/|\bdiscord\.gg/|\bdiscord(?:app)?\.com/invite/)\S+` +
	`|\b[a-z0-9][a-z0-9-]*\.(?:com|net|org|io|ru|gg|me|ly|co|xyz|info|biz|top|site|online|shop|link|click)\b`)

// HasLink reports whether text holds a link.
func HasLink(text string) bool { return linkPattern.MatchString(text) }

// Screen looks at a message alone, with no database: the blocklist entry
// its text matches, and whether it holds a link or media, which the
// newcomer rule forbids to newcomers.
func (r AutomodRules) Screen(text string, media bool) (blocked string, linkOrMedia bool) {
	blocked, _ = r.Blocklist.Match(text)
	return blocked, r.NewcomerFor > 0 && (media || HasLink(text))
}

// Flooding reports whether a rate of messages is a flood.
func (r AutomodRules) Flooding(messages int) bool {
	return r.FloodMessages > 0 && messages >= r.FloodMessages
}

// IsNewcomer reports whether a member who joined at joined (zero: not
// seen joining) is still a newcomer at now.
func (r AutomodRules) IsNewcomer(joined, now time.Time) bool {
	return r.NewcomerFor > 0 && !joined.IsZero() && now.Sub(joined) < r.NewcomerFor
}

// AutomodHit is a message (or a flood of them) automod caught and
// deleted.
type AutomodHit struct {
	Member   MemberID
	Group    Group
	Chat     ChatID   // where the messages were
	Messages []string // the platform's ids of the messages caught
	Rule     string
	Detail   string // the blocklist entry matched
	Deleted  int    // messages deleted
}

// Automod sanctions a member for what automod deleted: a flood mutes for
// AutomodMute (not again while muted); a blocked word or a newcomer's
// link is a warning, which feeds the ladder and its guardrail. Either way
// the messages caught stop counting toward engagement and points, in the
// same transaction, so that breaking a rule never earns a place on /top.
func (m *Moderation) Automod(ctx context.Context, h AutomodHit) (Outcome, error) {
	a := Act{Member: h.Member, Groups: []Group{h.Group}, Reason: h.Detail, Rule: h.Rule, Deleted: h.Deleted}
	if len(h.Messages) > 0 {
		q := m.standings.Scoring()
		q.Now = m.now()
		a.Uncount = &Uncounted{Chat: h.Chat, Messages: h.Messages, Scoring: q}
	}
	if h.Rule == RuleFlood {
		a.For = m.rules.AutomodMute
		return m.Mute(ctx, a)
	}
	return m.Warn(ctx, a)
}
