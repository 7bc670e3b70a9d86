package community

import (
	"context"
	"time"
)

// AutomodStore is what automod's verdicts read from persistence.
type AutomodStore interface {
	// MemberMessagesSince returns the platform ids of a member's messages
	// in a chat since a time, newest first.
	MemberMessagesSince(ctx context.Context, member MemberID, chat ChatID, since time.Time) ([]string, error)
	// VerifiedBuyer reports whether member linked their shop account and
	// bought: the newcomer rule spares them.
	VerifiedBuyer(ctx context.Context, member MemberID) (bool, error)
	// LastJoined is when the member was last seen joining a group; zero
	// when never.
	LastJoined(ctx context.Context, member MemberID) (time.Time, error)
}

// AutomodAccess tells a member's role from one of their accounts, so
// that automod spares staff; Access implements it.
type AutomodAccess interface {
	RoleOf(ctx context.Context, acct Account, member MemberID) (Role, error)
}

// AutomodMessage is a group message automod's screen flagged, with what
// the chat layer knows of its sender.
type AutomodMessage struct {
	Member      MemberID // 0: a sender Hearth does not know
	Account     Account
	Chat        ChatID
	MessageID   string
	Text        string
	Media       bool
	At          time.Time
	InStaffChat bool
	// Flooding: a new message (not an edit) that fills the sender's
	// window of recent messages, as the chat layer counts them.
	Flooding bool
	// Settled: the sender is known to be no newcomer.
	Settled bool
}

// AutomodVerdict is what automod decided about a message: the rule it
// breaks and the messages to delete, or none; and what the chat layer may
// remember of the sender for a while to spare the database.
type AutomodVerdict struct {
	Rule     string   // the rule broken; "": none
	Detail   string   // the blocklist entry matched
	Messages []string // the platform ids of the messages caught
	// Exempt: staff, or the staff chat, which automod never touches.
	Exempt bool
	// Settled: no newcomer (or a verified buyer): their links and media
	// are fine.
	Settled bool
}

// Automod judges the messages its screen flagged. Staff are never
// judged; then a blocked word comes first, a flood (confirmed by the
// sender's recorded messages, so that acting never rests on one
// replica's memory) second, and a newcomer's link or media last.
type Automod struct {
	rules AutomodRules
	roles AutomodAccess
	store AutomodStore
	now   func() time.Time
}

// NewAutomod returns automod's judge.
func NewAutomod(rules AutomodRules, roles AutomodAccess, store AutomodStore, now func() time.Time) *Automod {
	return &Automod{rules: rules, roles: roles, store: store, now: now}
}

// Rules returns the rules automod judges by.
func (a *Automod) Rules() AutomodRules { return a.rules }

// Verdict judges a flagged message.
func (a *Automod) Verdict(ctx context.Context, msg AutomodMessage) (AutomodVerdict, error) {
	if msg.InStaffChat || msg.Member == 0 {
		return AutomodVerdict{Exempt: true}, nil
	}
	role, err := a.roles.RoleOf(ctx, msg.Account, msg.Member)
	if err != nil {
		return AutomodVerdict{}, err
	}
	if role >= RoleStaff {
		return AutomodVerdict{Exempt: true}, nil
	}
	blocked, linkOrMedia := a.rules.Screen(msg.Text, msg.Media)
	switch {
	case blocked != "":
		return AutomodVerdict{Rule: RuleBlocklist, Detail: blocked, Messages: []string{msg.MessageID}}, nil
	case msg.Flooding:
		ids, err := a.store.MemberMessagesSince(ctx, msg.Member, msg.Chat, msg.At.Add(-a.rules.FloodWindow))
		if err != nil || !a.rules.Flooding(len(ids)) {
			return AutomodVerdict{}, err
		}
		return AutomodVerdict{Rule: RuleFlood, Messages: ids}, nil
	case linkOrMedia && !msg.Settled:
		return a.newcomer(ctx, msg)
	}
	return AutomodVerdict{}, nil
}

// newcomer judges a link or media by the newcomer rule: it applies to a
// member who joined lately and is no verified buyer; others are settled.
func (a *Automod) newcomer(ctx context.Context, msg AutomodMessage) (AutomodVerdict, error) {
	buyer, err := a.store.VerifiedBuyer(ctx, msg.Member)
	if err != nil {
		return AutomodVerdict{}, err
	}
	joined, err := a.store.LastJoined(ctx, msg.Member)
	if err != nil {
		return AutomodVerdict{}, err
	}
	if buyer || !a.rules.IsNewcomer(joined, a.now()) {
		return AutomodVerdict{Settled: true}, nil
	}
	return AutomodVerdict{Rule: RuleNewcomer, Messages: []string{msg.MessageID}}, nil
}
