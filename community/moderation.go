package community

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The events of moderation, written with the change that causes them.
const (
	// EventModerationAction is an entry of the staff log (payload Action).
	EventModerationAction = "moderation.action"
	// EventModerationReport is a member's report for staff (payload Report).
	EventModerationReport = "moderation.report"
	// EventModerationReview asks staff to decide about a VIP the warning
	// ladder would have banned (payload Review).
	EventModerationReview = "moderation.review"
)

// Group is one of the community's groups on a platform, where sanctions
// apply: a Telegram group or a Discord server.
type Group struct {
	Platform Platform
	ID       string
}

// String writes the group as platform:id, as it is stored.
func (g Group) String() string { return string(g.Platform) + ":" + g.ID }

// MarshalText writes the group as platform:id.
func (g Group) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText reads a group written platform:id.
func (g *Group) UnmarshalText(b []byte) error {
	v, err := ParseGroup(string(b))
	*g = v
	return err
}

// ParseGroup reads a group written platform:id.
func ParseGroup(s string) (Group, error) {
	p, id, ok := strings.Cut(s, ":")
	if !ok || p == "" || id == "" {
		return Group{}, fmt.Errorf("%q is not a group written platform:id", s)
	}
	return Group{Platform: Platform(p), ID: id}, nil
}

// ActionKind names an entry of the staff log.
type ActionKind string

// The actions staff and automod take.
const (
	ActionWarn    ActionKind = "warn"
	ActionUnwarn  ActionKind = "unwarn"
	ActionMute    ActionKind = "mute"
	ActionUnmute  ActionKind = "unmute"
	ActionBan     ActionKind = "ban"
	ActionUnban   ActionKind = "unban"
	ActionKick    ActionKind = "kick"
	ActionPurge   ActionKind = "purge"   // messages deleted by /purge
	ActionDelete  ActionKind = "delete"  // a reported message deleted
	ActionDismiss ActionKind = "dismiss" // a report or a review dismissed
)

// Action is one entry of the staff log: who did what to whom, where, why
// and when. The store fills in Log (its audit entry) and the ids of the
// warning, sanction or review the same change creates.
type Action struct {
	Log      int64      `json:"log"`
	Kind     ActionKind `json:"kind"`
	Member   MemberID   `json:"member,omitempty"`
	By       MemberID   `json:"by,omitempty"` // 0: automod
	Reason   string     `json:"reason,omitempty"`
	Rule     string     `json:"rule,omitempty"` // the automod rule that fired
	At       time.Time  `json:"at"`
	Until    time.Time  `json:"until,omitzero"` // a mute's or ban's end; zero: none
	Groups   []Group    `json:"groups,omitempty"`
	Warning  int64      `json:"warning,omitempty"`
	Sanction int64      `json:"sanction,omitempty"`
	Active   int        `json:"active,omitempty"`  // active warnings after it
	Count    int        `json:"count,omitempty"`   // messages deleted
	Ladder   bool       `json:"ladder,omitempty"`  // applied by the warning ladder
	Guarded  bool       `json:"guarded,omitempty"` // a VIP muted where the ladder would ban
	Expired  bool       `json:"expired,omitempty"` // a sanction's end reached
	Undo     bool       `json:"undo,omitempty"`    // reverses an earlier action
	Report   int64      `json:"report,omitempty"`
	Review   int64      `json:"review,omitempty"`
}

// Undoable reports whether staff can reverse the action from the log: a
// warning, mute or ban, but not a kick, a purge or an undo.
func (a Action) Undoable() bool {
	if a.Undo || a.Expired {
		return false
	}
	switch a.Kind {
	case ActionWarn:
		return a.Warning != 0
	case ActionMute, ActionBan:
		return a.Sanction != 0
	}
	return false
}

// Warning counts toward the warning ladder until it expires or is removed.
type Warning struct {
	ID      int64
	Member  MemberID
	By      MemberID // 0: automod
	Reason  string
	At      time.Time
	Expires time.Time
}

// Sanction is a mute, ban or kick of a member in some groups. It is in
// force until it is lifted; Until is its end (zero: none).
type Sanction struct {
	ID      int64
	Member  MemberID
	Kind    SanctionKind
	Groups  []Group
	By      MemberID // 0: automod
	Reason  string
	At      time.Time
	Until   time.Time
	RenewAt time.Time // when a platform that caps mutes must be told again
	Lifted  time.Time
}

// Covers reports whether the sanction applies in g.
func (s Sanction) Covers(g Group) bool { return slices.Contains(s.Groups, g) }

// Note is a private staff note on a member.
type Note struct {
	ID     int64
	Member MemberID
	By     MemberID
	Text   string
	At     time.Time
}

// ModerationRecord is what moderation knows of a member now: active
// warnings (oldest first), sanctions in force, and the open reports and
// reviews about them.
type ModerationRecord struct {
	Warnings []Warning
	InForce  []Sanction
	Reports  []Report
	Reviews  []Review
}

// ModerationChange is what one moderation step saves, in one transaction:
// the store fills in the ids of what it creates.
type ModerationChange struct {
	Warning       *Warning // a warning to add
	RemoveWarning int64    // a warning to remove
	RemovedBy     MemberID
	Sanction      *Sanction // a sanction to record
	Lifts         []Lift
	Renewal       *Renewal
	Review        *Review // a review to open
	Settle        *Settlement
	Actions       []Action // to the audit log and, as events, to the staff log
	// Uncount makes the messages automod removed earn nothing, in the
	// same transaction as the sanction for them.
	Uncount *Uncounted
}

// Lift ends a sanction in some of its groups, or in all of them.
type Lift struct {
	Sanction int64
	Groups   []Group // nil: every group
	By       MemberID
	Reason   string // undo, unmute, expired, superseded...
	At       time.Time
}

// Renewal records that a capped mute was told to a platform again.
type Renewal struct {
	Sanction int64
	Next     time.Time // zero: no more renewals needed
}

// Settlement closes a report or a review with its outcome.
type Settlement struct {
	Report  int64
	Review  int64
	Outcome string // a report: deleted, warned, muted, dismissed; a review: banned, lifted, dismissed
	By      MemberID
	At      time.Time
}

// ModerationStore is what moderation needs from persistence.
type ModerationStore interface {
	Member(ctx context.Context, id MemberID) (Member, error)
	// Moderate runs decide with the member's record, locked against any
	// other moderation of the member, and saves the change it returns,
	// with its audit entries and events, in one transaction. decide may
	// carry the change out on the platforms first; when it fails nothing
	// is saved. A change settling a report or review no longer open is
	// ErrConflict, and nothing is saved.
	Moderate(ctx context.Context, member MemberID, now time.Time, decide func(ModerationRecord) (ModerationChange, error)) (ModerationChange, error)
	// Record reads a member's record without locking it.
	Record(ctx context.Context, member MemberID, now time.Time) (ModerationRecord, error)
	Warning(ctx context.Context, id int64) (Warning, error)
	Sanction(ctx context.Context, id int64) (Sanction, error)
	Report(ctx context.Context, id int64) (Report, error)
	Review(ctx context.Context, id int64) (Review, error)
	// FileReport saves a report and its event, and fills in its id,
	// unless admit refuses it: admit is told, under a lock of the
	// reporter's reports, when they last reported (zero: never).
	FileReport(ctx context.Context, r *Report, admit func(last time.Time) error) error
	// AddNote saves a staff note with its audit entry.
	AddNote(ctx context.Context, n *Note) error
	// DueSanctions returns sanctions in force whose end has come.
	DueSanctions(ctx context.Context, now time.Time, limit int) ([]Sanction, error)
	// DueRenewals returns capped mutes in force that must be renewed.
	DueRenewals(ctx context.Context, now time.Time, limit int) ([]Sanction, error)
	// RecentMessages returns the platform ids of the last messages
	// recorded in a chat, newest first; MessagesFrom those from one
	// message on.
	RecentMessages(ctx context.Context, chat ChatID, limit int) ([]string, error)
	MessagesFrom(ctx context.Context, chat ChatID, messageID string, limit int) ([]string, error)
	// LogAction writes an action that changes no member's record (a
	// purge), with its audit entry and event.
	LogAction(ctx context.Context, a *Action) error
	// LoggedAction returns an action of the staff log by its audit id.
	LoggedAction(ctx context.Context, id int64) (Action, error)
	// ModerationGroups returns the community's groups on p that Hearth
	// is in, staff chats left out.
	ModerationGroups(ctx context.Context, p Platform) ([]Chat, error)
}

// ErrNothingToLift is what Enforcer.Lift wraps when the member is not
// muted (or banned) in the group: there was nothing to lift.
var ErrNothingToLift = errors.New("not muted or banned there: nothing to lift")

// Enforcer carries sanctions out on the platforms; the chat layer
// implements it. Its errors explain themselves to staff (domain errors).
type Enforcer interface {
	Enforce(ctx context.Context, kind SanctionKind, g Group, userID string, until time.Time) error
	// Lift ends a mute or ban; one the platform says is not in force is
	// an error wrapping ErrNothingToLift.
	Lift(ctx context.Context, kind SanctionKind, g Group, userID string) error
	Delete(ctx context.Context, p Platform, chatID string, messageIDs []string) error
	// Capabilities are what p's sanctions do by themselves.
	Capabilities(p Platform) ModerationCapabilities
	// Moderates reports whether Hearth can carry sanctions out on p.
	Moderates(p Platform) bool
}

// ModerationRules configure warnings, the ladder, automod's mutes and
// reports.
type ModerationRules struct {
	WarnExpiry     time.Duration
	Ladder         []LadderStep
	AutomodMute    time.Duration
	ReportCooldown time.Duration
}

// DefaultModerationRules are the configuration's defaults: warnings last
// 30 days, 3 mute for an hour and 5 ban.
func DefaultModerationRules() ModerationRules {
	return ModerationRules{WarnExpiry: 30 * 24 * time.Hour, AutomodMute: time.Hour, ReportCooldown: 10 * time.Minute,
		Ladder: []LadderStep{{Warnings: 3, Action: SanctionMute, For: time.Hour}, {Warnings: 5, Action: SanctionBan}}}
}

// StepFor returns the ladder step that active warnings reach: a step is
// applied when the count reaches it, and the top step again each time the
// count passes it.
func (r ModerationRules) StepFor(active int) (LadderStep, bool) {
	if len(r.Ladder) == 0 {
		return LadderStep{}, false
	}
	if top := r.Ladder[len(r.Ladder)-1]; active >= top.Warnings {
		return top, true
	}
	for _, s := range r.Ladder {
		if s.Warnings == active {
			return s, true
		}
	}
	return LadderStep{}, false
}

// Moderation holds the rules of warnings, sanctions, reports and the CLV
// guardrail: the warning ladder never bans a VIP.
type Moderation struct {
	store     ModerationStore
	access    *Access
	standings *Standings
	enforcer  Enforcer
	rules     ModerationRules
	now       func() time.Time
}

// NewModeration returns the moderation service.
func NewModeration(store ModerationStore, access *Access, standings *Standings, enforcer Enforcer, rules ModerationRules, now func() time.Time) *Moderation {
	return &Moderation{store: store, access: access, standings: standings, enforcer: enforcer, rules: rules, now: now}
}

// moderate is the store's Moderate, with the store's refusal of a change
// whose report or review was settled meanwhile (ErrConflict) told to
// staff as settled.
func (m *Moderation) moderate(ctx context.Context, member MemberID, now time.Time,
	decide func(ModerationRecord) (ModerationChange, error)) (ModerationChange, error) {
	ch, err := m.store.Moderate(ctx, member, now, decide)
	if errors.Is(err, ErrConflict) {
		return ch, Errorf(EConflict, "mod.settled", nil, "%v", err)
	}
	return ch, err
}

// Rules returns the rules in force.
func (m *Moderation) Rules() ModerationRules { return m.rules }

// target loads the member a sanction is for: staff are never sanctioned,
// by staff or by automod.
func (m *Moderation) target(ctx context.Context, member MemberID) (Member, error) {
	t, err := m.store.Member(ctx, member)
	if err != nil {
		return Member{}, err
	}
	staff, err := m.IsStaff(ctx, t)
	if err != nil {
		return Member{}, err
	}
	if staff {
		return Member{}, Errorf(EForbidden, "mod.target_staff", map[string]any{"Name": t.DisplayName}, "member %d is staff", member)
	}
	return t, nil
}

// IsStaff reports whether any of the member's accounts is staff.
func (m *Moderation) IsStaff(ctx context.Context, t Member) (bool, error) {
	for _, id := range t.Identities {
		role, err := m.access.RoleOf(ctx, id.Account, t.ID)
		if err != nil {
			return false, err
		}
		if role >= RoleStaff {
			return true, nil
		}
	}
	return false, nil
}

// IsVIP reports whether the guardrail protects the member from bans: a
// VIP, or a VIP at risk.
func (m *Moderation) IsVIP(ctx context.Context, member MemberID) (bool, error) {
	st, err := m.standings.Standing(ctx, member)
	if err != nil {
		return false, fmt.Errorf("standing of member %d: %w", member, err)
	}
	return st.Tier == TierVIP || st.Flags.Has(FlagAtRiskVIP), nil
}

const maxNote = 1000

// AddNote saves a private staff note on a member.
func (m *Moderation) AddNote(ctx context.Context, by, member MemberID, text string) (Note, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Note{}, Errorf(EInvalid, "note.empty", nil, "a note needs some text")
	case len([]rune(text)) > maxNote:
		return Note{}, Errorf(EInvalid, "note.too_long", map[string]any{"Max": maxNote}, "a note is longer than %d characters", maxNote)
	}
	n := Note{Member: member, By: by, Text: text, At: m.now()}
	if err := m.store.AddNote(ctx, &n); err != nil {
		return Note{}, err
	}
	return n, nil
}

func accountOn(t Member, p Platform) (Account, bool) {
	for _, id := range t.Identities {
		if id.Platform == p {
			return id.Account, true
		}
	}
	return Account{}, false
}

// endOf is when something lasting d from now ends; zero for no end.
func endOf(now time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(d)
}
