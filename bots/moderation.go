package bots

import (
	"context"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// ModerationStore is what moderation needs from persistence in the chat
// layer, besides the domain's store.
type ModerationStore interface {
	community.ModerationStore
	community.AutomodStore
	community.ProfileStore
	// MessageAuthor returns the member who wrote a recorded message.
	MessageAuthor(ctx context.Context, chat community.ChatID, messageID string) (community.MemberID, error)
	// LoggedActions returns the latest actions of the staff log, of one
	// member or (0) of all.
	LoggedActions(ctx context.Context, member community.MemberID, limit int) ([]community.Action, error)
	// QueueMessages puts messages in the outbox.
	QueueMessages(ctx context.Context, out []outbox.Outgoing) error
}

// ModerationOptions configure warnings, the ladder, automod and reports.
type ModerationOptions struct {
	Rules   community.ModerationRules
	Automod community.AutomodRules
	// ExpireEvery is how often ended sanctions are lifted.
	ExpireEvery time.Duration
}

// DefaultModerationOptions are the configuration's defaults
// (config.Default).
func DefaultModerationOptions() ModerationOptions { return DefaultCommunityOptions().Moderation }

// WithDefaults fills in what is not configured: options left wholly
// unset are the defaults, and a zero ExpireEvery alone is the default
// interval, keeping the configured rules.
func (o ModerationOptions) WithDefaults() ModerationOptions {
	def := DefaultModerationOptions()
	if o.ExpireEvery <= 0 && o.unset() {
		return def
	}
	if o.ExpireEvery <= 0 {
		o.ExpireEvery = def.ExpireEvery
	}
	return o
}

// unset reports whether no option was given at all.
func (o ModerationOptions) unset() bool {
	r, a := o.Rules, o.Automod
	return r.WarnExpiry == 0 && len(r.Ladder) == 0 && r.AutomodMute == 0 && r.ReportCooldown == 0 &&
		a.FloodMessages == 0 && a.FloodWindow == 0 && a.Blocklist == nil && a.NewcomerFor == 0
}

// moderationFeatureStore is what the moderation feature reads and writes
// itself; the rules' own go through community.Moderation.
type moderationFeatureStore interface {
	staffChatLister
	moderationGroupLister
	Member(ctx context.Context, id community.MemberID) (community.Member, error)
	FindMember(ctx context.Context, p community.Platform, ref community.MemberRef) (community.Member, error)
	MessageAuthor(ctx context.Context, chat community.ChatID, messageID string) (community.MemberID, error)
	LoggedActions(ctx context.Context, member community.MemberID, limit int) ([]community.Action, error)
	QueueMessages(ctx context.Context, out []outbox.Outgoing) error
}

// moderationFeature is the staff's moderation commands (/warn, /mute,
// /ban, /purge, /whois...), members' /report, automod with the CLV
// guardrail, the staff log with Undo, and the job that ends sanctions.
type moderationFeature struct {
	store     moderationFeatureStore
	o         ModerationOptions
	loc       *time.Location
	standings *community.Standings
	profiles  *community.Profiles
	mod       *community.Moderation
	judge     *community.Automod
	enforcer  Enforcement // the service's, as the domain's moderation has
	automod   *automod
	router    *Router
	community string
	now       func() time.Time
	// ticketNote keeps "/note #12 text", a note on a ticket (the support
	// feature's), when the member named is a ticket's number.
	ticketNote Handler
}

func newModerationFeature(store moderationFeatureStore, o CommunityOptions, now func() time.Time, d Domain, enforcer Enforcement) *moderationFeature {
	return &moderationFeature{store: store, o: o.Moderation.WithDefaults(), loc: o.Location, now: now,
		standings: d.Standings, profiles: d.Profiles, mod: d.Moderation, judge: d.Automod, enforcer: enforcer}
}

// staffCommands are the moderation commands for staff: the member is named
// by a reply, @username, a user id or a mention.
func (f *moderationFeature) staffCommands() []Command {
	member := Arg{Name: "member", Kind: ArgMember}
	duration := Arg{Name: "duration", Kind: ArgWord}
	reason := Arg{Name: "reason", Kind: ArgText}
	staff := func(name string, run Handler, args ...Arg) Command {
		return Command{Name: name, Permission: community.RoleStaff, Where: InGroup | InStaffChat, Run: run, Args: args}
	}
	return []Command{
		staff("warn", f.warn, member, reason),
		staff("unwarn", f.unwarn, member),
		staff("warns", f.warns, member),
		staff("mute", f.muteCommand, member, duration, reason),
		staff("unmute", f.unmute, member),
		staff("ban", f.banCommand, member, duration, reason),
		staff("unban", f.unban, member),
		staff("kick", f.kick, member, reason),
		staff("purge", f.purge, Arg{Name: "count", Kind: ArgWord}),
		staff("note", f.note, member, Arg{Name: "text", Kind: ArgText}),
		staff("whois", f.whois, member),
	}
}

// Register adds the commands, the staff log's renderers and automod.
func (f *moderationFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router, f.community = router, router.community
	reg := router.Registry()
	for _, c := range f.staffCommands() {
		reg.Add(c)
	}
	reg.Add(Command{Name: "report", Permission: community.RoleMember, Where: InGroup, Run: f.report, MessageMenu: true,
		Args: []Arg{{Name: "message", Kind: ArgWord}, {Name: "reason", Kind: ArgText}}})
	reg.Add(Command{Name: "modlog", Permission: community.RoleStaff, Where: InStaffChat, Run: f.modlog, Button: f.button,
		Args: []Arg{{Name: "member", Kind: ArgMember}}})
	dispatcher.Render(community.EventModerationAction, f.renderAction)
	dispatcher.Render(community.EventModerationReport, f.renderReport)
	dispatcher.Render(community.EventModerationReview, f.renderReview)
	f.automod = newAutomod(f, f.judge)
	router.Inspect("automod", f.automod.inspect, f.automod.check)
}

// groupOf is the community group a request was made in: the Telegram
// chat, the Discord server.
func groupOf(r *Request) community.Group {
	id := r.Update.Chat.GroupID
	if id == "" {
		id = r.Update.Chat.ID
	}
	return community.Group{Platform: r.Platform, ID: id}
}

// groupsFor is where a staff command acts, as moderation scopes it.
func (f *moderationFeature) groupsFor(ctx context.Context, r *Request, m community.Member) ([]community.Group, error) {
	return f.mod.Scope(ctx, m, community.Place{Group: groupOf(r), StaffChat: r.InStaffChat})
}

// modArgs are a staff command's words: the member, maybe a duration, and
// the rest (the reason, or a note's text).
type modArgs struct {
	member   community.Member
	duration time.Duration
	text     string
}

// parseModArgs reads the member (by reply, @username, id or mention), a
// duration such as 30m, 2h or 3d when withDuration, and the rest. In a
// reply the first word names a member only if it looks like one (@name,
// a mention, an id): "/warn spam" in a reply warns the author for spam.
// After the member, a word starting with a digit (or a sign and a digit)
// is the duration.
func (f *moderationFeature) parseModArgs(ctx context.Context, r *Request, withDuration bool, rest string) (modArgs, error) {
	var a modArgs
	ref, dur := "", ""
	if r.Options != nil {
		ref, dur, a.text = r.Arg("member"), r.Arg("duration"), r.Arg(rest)
	} else {
		words := strings.TrimSpace(r.Update.Args)
		if first, after, _ := strings.Cut(words, " "); first != "" && (r.ReplyTo == nil || looksLikeMember(first)) {
			ref, words = first, strings.TrimSpace(after)
		}
		// A word starting with a digit or a sign and a digit is a
		// duration, such as 2h: a mistyped one (30s, -5m) is refused
		// rather than read as the reason.
		if first, after, _ := strings.Cut(words, " "); withDuration && looksLikeDuration(first) {
			dur, words = first, strings.TrimSpace(after)
		}
		a.text = words
	}
	if dur != "" {
		d, err := community.ParseDuration(dur)
		if err != nil {
			return a, badDuration(f.router.catalog, r.Lang, dur, err)
		}
		a.duration = d
	}
	var err error
	a.member, err = f.resolve(ctx, r, ref)
	return a, err
}

func looksLikeDuration(word string) bool {
	return word != "" && word[0] >= '0' && word[0] <= '9' || community.IsSignedDuration(word)
}

func looksLikeMember(word string) bool {
	return strings.HasPrefix(word, "@") || strings.HasPrefix(word, "<@") && strings.HasSuffix(word, ">") || isDigits(word)
}

// resolve finds the member ref names, or the author of the message the
// request replies to.
func (f *moderationFeature) resolve(ctx context.Context, r *Request, ref string) (community.Member, error) {
	if ref == "" && r.ReplyTo != nil && !r.ReplyTo.From.IsBot && r.ReplyTo.From.ID != "" {
		ref = r.ReplyTo.From.ID
	}
	if ref == "" {
		return community.Member{}, community.Errorf(community.EInvalid, "member.missing", nil, "no member named")
	}
	return f.store.FindMember(ctx, r.Platform, community.ParseMemberRef(ref))
}

// stamp writes a time in the community's time zone.
func (f *moderationFeature) stamp(t time.Time) string {
	return t.In(f.loc).Format("2006-01-02 15:04")
}
