package community

import (
	"context"
	"fmt"
	"time"
)

// profileRecent is how many past sanctions, notes and open tickets a
// profile lists.
const profileRecent = 5

// Profile is what staff know of one member, read at one moment: every
// platform account, where they stand, what they are worth, their
// moderation record, staff notes and open questions. /whois and the cards
// staff decide from render it. Tiers and CLV are staff-only, so a profile
// is shown to staff only; members never see it.
type Profile struct {
	Member Member // with every platform identity
	// Standing is as last computed; before the first computation the
	// member stands as a Newcomer (see UnscoredStanding), ComputedAt zero.
	Standing MemberStanding
	// Linked says the member is linked to a shop customer, whose CLV
	// Value is (Value.Scored false until a CLV run scores them).
	Linked   bool
	Value    Value
	Warnings []Warning       // active, oldest first
	InForce  []Sanction      // in force now, oldest first
	Past     []Sanction      // of the latest sanctions, those ended or lifted, newest first
	Notes    []Note          // the latest staff notes, newest first
	Tickets  []TicketSummary // the oldest open questions, oldest first
	At       time.Time       // when it was read
}

// TicketSummary is an open question of the member's, as a profile lists
// it.
type TicketSummary struct {
	ID       int64
	Platform Platform
	AskedIn  string // the chat's title; "" for a private chat
	Text     string
	OpenedAt time.Time
}

// ProfileQuery asks for one member's facts.
type ProfileQuery struct {
	Member MemberID
	Now    time.Time // warnings count as active at Now
	Recent int       // how many of the latest sanctions, notes and open tickets
}

// ProfileFacts are one member's facts as stored, before the profile's
// rules apply.
type ProfileFacts struct {
	Member   Member
	Standing *MemberStanding // nil: not scored yet
	Value    *Value          // nil: linked to no shop customer
	Warnings []Warning       // active at the query's Now, oldest first
	InForce  []Sanction      // not lifted, oldest first
	Recent   []Sanction      // the latest, lifted or not, newest first
	Notes    []Note          // the latest, newest first
	Tickets  []TicketSummary // the oldest open ones, oldest first
}

// ProfileStore reads what profiles are made of.
type ProfileStore interface {
	// ProfileFacts reads one member's facts; a member not known is
	// ENotFound.
	ProfileFacts(ctx context.Context, q ProfileQuery) (ProfileFacts, error)
}

// Profiles reads members' profiles.
type Profiles struct {
	store ProfileStore
	now   func() time.Time
}

// NewProfiles returns the profiles service.
func NewProfiles(store ProfileStore, now func() time.Time) *Profiles {
	return &Profiles{store: store, now: now}
}

// Profile reads a member's profile now. A member not known (never seen,
// or erased since) is ENotFound.
func (p *Profiles) Profile(ctx context.Context, member MemberID) (Profile, error) {
	now := p.now()
	f, err := p.store.ProfileFacts(ctx, ProfileQuery{Member: member, Now: now, Recent: profileRecent})
	if err != nil {
		return Profile{}, fmt.Errorf("profile of member %d: %w", member, err)
	}
	return f.profile(now), nil
}

// ProfileOrUnknown is Profile, except that a member Hearth no longer
// knows (erased since a card about them was queued) has UnknownProfile.
func (p *Profiles) ProfileOrUnknown(ctx context.Context, member MemberID) (Profile, error) {
	pr, err := p.Profile(ctx, member)
	if ErrorCode(err) == ENotFound {
		return UnknownProfile(member, p.now()), nil
	}
	return pr, err
}

// UnknownProfile is the profile of a member Hearth no longer knows (a
// card about them queued before they were erased): an unscored Newcomer,
// linked to no customer, with no record.
func UnknownProfile(member MemberID, at time.Time) Profile {
	return ProfileFacts{Member: Member{ID: member}}.profile(at)
}

// UnscoredStanding is where a member stands before the standings are first
// computed for them: a Newcomer at level 4 with no points.
func UnscoredStanding(member MemberID) MemberStanding {
	return MemberStanding{Standing: Standing{Member: member, Tier: TierNewcomer, Engagement: Engagement{Level: 4}}}
}

// profile applies the rules to the facts: the standing of a member not
// yet scored, and which sanctions are in force at now and which are past.
func (f ProfileFacts) profile(now time.Time) Profile {
	p := Profile{Member: f.Member, Standing: UnscoredStanding(f.Member.ID), Warnings: f.Warnings, Notes: f.Notes, Tickets: f.Tickets, At: now}
	if f.Standing != nil {
		p.Standing = *f.Standing
	}
	if f.Value != nil {
		p.Linked, p.Value = true, *f.Value
	}
	for _, s := range f.InForce {
		if !ended(s, now) {
			p.InForce = append(p.InForce, s)
		}
	}
	for _, s := range f.Recent {
		if !s.Lifted.IsZero() || ended(s, now) {
			p.Past = append(p.Past, s)
		}
	}
	return p
}

// ended says a sanction's end has come, even if the job that lifts it has
// not run yet.
func ended(s Sanction, now time.Time) bool {
	return !s.Until.IsZero() && !s.Until.After(now)
}
