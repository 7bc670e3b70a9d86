package community

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// modStore is an in-memory ModerationStore: members, warnings, sanctions,
// reports, reviews, notes, the staff log and the chats' messages. It
// changes only as Moderate (or a store method) saves a change, like the
// real store, and keeps every change saved.
type modStore struct {
	members   map[MemberID]Member
	warnings  []Warning
	removed   map[int64]bool // warnings removed
	sanctions []Sanction
	reports   []Report
	reviews   []Review
	notes     []Note
	actions   []Action
	messages  map[ChatID][]string // oldest first
	groups    map[Platform][]Chat
	saved     []ModerationChange
	ids       int64
	fail      error // every call fails with it when set
	// settledMeanwhile: Moderate refuses a change that settles a report
	// or review, as the real store does when another settled it first.
	settledMeanwhile bool
}

var _ ModerationStore = (*modStore)(nil)

func newModStore(members ...Member) *modStore {
	s := &modStore{members: map[MemberID]Member{}, removed: map[int64]bool{}, messages: map[ChatID][]string{}, groups: map[Platform][]Chat{}}
	for _, m := range members {
		s.members[m.ID] = m
	}
	return s
}

func (s *modStore) nextID() int64 { s.ids++; return s.ids }

func (s *modStore) Member(_ context.Context, id MemberID) (Member, error) {
	m, ok := s.members[id]
	if !ok {
		return Member{}, Errorf(ENotFound, "member.not_found", nil, "no member %d", id)
	}
	return m, s.fail
}

func (s *modStore) record(member MemberID, now time.Time) ModerationRecord {
	var rec ModerationRecord
	for _, w := range s.warnings {
		if w.Member == member && !s.removed[w.ID] && w.Expires.After(now) {
			rec.Warnings = append(rec.Warnings, w)
		}
	}
	for _, x := range s.sanctions {
		if x.Member == member && x.Lifted.IsZero() {
			rec.InForce = append(rec.InForce, x)
		}
	}
	for _, r := range s.reports {
		if r.Reported == member && r.Status == "open" {
			rec.Reports = append(rec.Reports, r)
		}
	}
	for _, r := range s.reviews {
		if r.Member == member && r.Status == "open" {
			rec.Reviews = append(rec.Reviews, r)
		}
	}
	return rec
}

func (s *modStore) Moderate(_ context.Context, member MemberID, now time.Time, decide func(ModerationRecord) (ModerationChange, error)) (ModerationChange, error) {
	if s.fail != nil {
		return ModerationChange{}, s.fail
	}
	ch, err := decide(s.record(member, now))
	if err != nil {
		return ModerationChange{}, err
	}
	if s.settledMeanwhile && ch.Settle != nil {
		return ModerationChange{}, fmt.Errorf("settled meanwhile: %w", ErrConflict)
	}
	s.apply(&ch)
	s.saved = append(s.saved, ch)
	return ch, nil
}

// apply saves a change as the real store does, filling in the ids.
func (s *modStore) apply(ch *ModerationChange) {
	if w := ch.Warning; w != nil {
		w.ID = s.nextID()
		s.warnings = append(s.warnings, *w)
	}
	if ch.RemoveWarning != 0 {
		s.removed[ch.RemoveWarning] = true
	}
	if x := ch.Sanction; x != nil {
		x.ID = s.nextID()
		s.sanctions = append(s.sanctions, *x)
	}
	for _, l := range ch.Lifts {
		s.lift(l)
	}
	if r := ch.Renewal; r != nil {
		s.sanctions[s.sanctionIndex(r.Sanction)].RenewAt = r.Next
	}
	if rv := ch.Review; rv != nil {
		rv.ID, rv.Status = s.nextID(), "open"
		if ch.Sanction != nil {
			rv.Sanction = ch.Sanction.ID
		}
		s.reviews = append(s.reviews, *rv)
	}
	if st := ch.Settle; st != nil {
		s.settle(*st)
	}
	for i := range ch.Actions {
		a := &ch.Actions[i]
		if ch.Warning != nil && a.Kind == ActionWarn {
			a.Warning = ch.Warning.ID
		}
		if ch.Sanction != nil && a.Kind == ActionKind(ch.Sanction.Kind) {
			a.Sanction = ch.Sanction.ID
		}
		a.Log = s.nextID()
		s.actions = append(s.actions, *a)
	}
}

func (s *modStore) sanctionIndex(id int64) int {
	return slices.IndexFunc(s.sanctions, func(x Sanction) bool { return x.ID == id })
}

// lift ends a sanction in some of its groups; in all of them, it ends.
func (s *modStore) lift(l Lift) {
	x := &s.sanctions[s.sanctionIndex(l.Sanction)]
	if l.Groups != nil {
		x.Groups = slices.DeleteFunc(slices.Clone(x.Groups), func(g Group) bool { return slices.Contains(l.Groups, g) })
	}
	if l.Groups == nil || len(x.Groups) == 0 {
		x.Lifted = l.At
	}
}

func (s *modStore) settle(st Settlement) {
	if st.Report != 0 {
		i := slices.IndexFunc(s.reports, func(r Report) bool { return r.ID == st.Report })
		s.reports[i].Status = st.Outcome
		return
	}
	i := slices.IndexFunc(s.reviews, func(r Review) bool { return r.ID == st.Review })
	s.reviews[i].Status = st.Outcome
}

func (s *modStore) Record(_ context.Context, member MemberID, now time.Time) (ModerationRecord, error) {
	return s.record(member, now), s.fail
}

// modByID finds one of a list by id, or is ENotFound.
func modByID[T any](list []T, id int64, idOf func(T) int64) (T, error) {
	for _, x := range list {
		if idOf(x) == id {
			return x, nil
		}
	}
	var zero T
	return zero, Errorf(ENotFound, "mod.not_found", nil, "no %T %d", zero, id)
}

func (s *modStore) Warning(_ context.Context, id int64) (Warning, error) {
	return modByID(s.warnings, id, func(w Warning) int64 { return w.ID })
}

func (s *modStore) Sanction(_ context.Context, id int64) (Sanction, error) {
	return modByID(s.sanctions, id, func(x Sanction) int64 { return x.ID })
}

func (s *modStore) Report(_ context.Context, id int64) (Report, error) {
	return modByID(s.reports, id, func(r Report) int64 { return r.ID })
}

func (s *modStore) Review(_ context.Context, id int64) (Review, error) {
	return modByID(s.reviews, id, func(r Review) int64 { return r.ID })
}

func (s *modStore) LoggedAction(_ context.Context, id int64) (Action, error) {
	return modByID(s.actions, id, func(a Action) int64 { return a.Log })
}

func (s *modStore) FileReport(_ context.Context, r *Report, admit func(last time.Time) error) error {
	var last time.Time
	for _, x := range s.reports {
		if x.Reporter == r.Reporter && x.At.After(last) {
			last = x.At
		}
	}
	if err := admit(last); err != nil {
		return err
	}
	r.ID = s.nextID()
	s.reports = append(s.reports, *r)
	return nil
}

func (s *modStore) AddNote(_ context.Context, n *Note) error {
	n.ID = s.nextID()
	s.notes = append(s.notes, *n)
	return s.fail
}

func (s *modStore) DueSanctions(_ context.Context, now time.Time, limit int) ([]Sanction, error) {
	due := slices.DeleteFunc(slices.Clone(s.sanctions), func(x Sanction) bool {
		return !x.Lifted.IsZero() || x.Until.IsZero() || x.Until.After(now)
	})
	slices.SortFunc(due, func(a, b Sanction) int { return a.Until.Compare(b.Until) })
	return due[:min(limit, len(due))], s.fail
}

func (s *modStore) DueRenewals(_ context.Context, now time.Time, limit int) ([]Sanction, error) {
	due := slices.DeleteFunc(slices.Clone(s.sanctions), func(x Sanction) bool {
		return !x.Lifted.IsZero() || x.RenewAt.IsZero() || x.RenewAt.After(now) || !x.Until.IsZero() && !x.Until.After(now)
	})
	return due[:min(limit, len(due))], nil
}

func (s *modStore) RecentMessages(_ context.Context, chat ChatID, limit int) ([]string, error) {
	msgs := slices.Clone(s.messages[chat])
	slices.Reverse(msgs)
	return msgs[:min(limit, len(msgs))], nil
}

func (s *modStore) MessagesFrom(_ context.Context, chat ChatID, from string, limit int) ([]string, error) {
	msgs := s.messages[chat]
	if !slices.Contains(msgs, from) {
		return nil, nil
	}
	n, _ := strconv.Atoi(from)
	var out []string
	for _, id := range slices.Backward(msgs) {
		if m, _ := strconv.Atoi(id); m >= n && len(out) < limit {
			out = append(out, id)
		}
	}
	return out, nil
}

func (s *modStore) LogAction(_ context.Context, a *Action) error {
	a.Log = s.nextID()
	s.actions = append(s.actions, *a)
	return nil
}

func (s *modStore) ModerationGroups(_ context.Context, p Platform) ([]Chat, error) {
	return s.groups[p], s.fail
}

// fakePlatforms carries sanctions out on platforms of the capabilities
// given, records every call as "verb group user [until]", keeps who is
// muted or banned where, and refuses what a test says.
type fakePlatforms struct {
	caps      map[Platform]ModerationCapabilities
	moderated map[Platform]bool
	in        map[string]bool  // "kind group user": muted or banned there
	refuse    map[string]error // by "verb group"
	calls     []string
}

func newFakePlatforms() *fakePlatforms {
	return &fakePlatforms{in: map[string]bool{}, refuse: map[string]error{},
		moderated: map[Platform]bool{Telegram: true, Discord: true},
		caps: map[Platform]ModerationCapabilities{
			Telegram: {MuteEnds: true, BanEnds: true, EndsWithin: 366 * 24 * time.Hour},
			Discord:  {MuteEnds: true, MaxMute: 28 * 24 * time.Hour},
		}}
}

var (
	_ Enforcer         = (*fakePlatforms)(nil)
	_ NewcomerEnforcer = (*fakePlatforms)(nil)
)

func (p *fakePlatforms) call(verb string, g Group, user string, until time.Time) error {
	c := fmt.Sprintf("%s %s %s", verb, g, user)
	if !until.IsZero() {
		c += " until " + until.UTC().Format("01-02 15:04")
	}
	p.calls = append(p.calls, c)
	return p.refuse[verb+" "+g.String()]
}

func (p *fakePlatforms) Enforce(_ context.Context, kind SanctionKind, g Group, userID string, until time.Time) error {
	if err := p.call(string(kind), g, userID, until); err != nil {
		return err
	}
	if kind != SanctionKick {
		p.in[fmt.Sprint(kind, " ", g, " ", userID)] = true
	}
	return nil
}

func (p *fakePlatforms) Lift(_ context.Context, kind SanctionKind, g Group, userID string) error {
	if err := p.call("lift "+string(kind), g, userID, time.Time{}); err != nil {
		return err
	}
	key := fmt.Sprint(kind, " ", g, " ", userID)
	if !p.in[key] {
		return fmt.Errorf("lift %s in %s: %w", kind, g, ErrNothingToLift)
	}
	delete(p.in, key)
	return nil
}

func (p *fakePlatforms) Unmute(_ context.Context, g Group, userID string) error {
	if err := p.call("unmute", g, userID, time.Time{}); err != nil {
		return err
	}
	delete(p.in, fmt.Sprint(SanctionMute, " ", g, " ", userID))
	return nil
}

func (p *fakePlatforms) Delete(_ context.Context, pl Platform, chatID string, ids []string) error {
	return p.call("delete", Group{Platform: pl, ID: chatID}, fmt.Sprint(ids), time.Time{})
}

func (p *fakePlatforms) Capabilities(pl Platform) ModerationCapabilities { return p.caps[pl] }

func (p *fakePlatforms) Moderates(pl Platform) bool { return p.moderated[pl] }

// modStaff is an AccessStore: the members listed are staff.
type modStaff map[MemberID]bool

func (s modStaff) IsStaff(_ context.Context, m MemberID) (bool, error) { return s[m], nil }

// modTiers is a StandingStore that knows members' tiers and flags; others
// are not computed yet.
type modTiers struct {
	StandingStore
	of map[MemberID]Standing
}

func (t modTiers) MemberStanding(_ context.Context, m MemberID) (MemberStanding, error) {
	st, ok := t.of[m]
	if !ok {
		return MemberStanding{}, Errorf(ENotFound, "standing.not_found", nil, "no standing of member %d", m)
	}
	return MemberStanding{Standing: st}, nil
}

// modWorld is moderation on fakes: Alice is staff, Bob a member and Vera a
// VIP, each with a Telegram and a Discord account; the community has a
// Telegram group and a Discord server; the clock is the test's.
type modWorld struct {
	store     *modStore
	platforms *fakePlatforms
	mod       *Moderation
	now       time.Time
	tg, dc    Group
}

const (
	modAlice MemberID = 1
	modBob   MemberID = 2
	modVera  MemberID = 3
)

func modMember(id MemberID, name string) Member {
	n := strconv.Itoa(int(id))
	return Member{ID: id, DisplayName: name, Identities: []Identity{
		{Account: Account{Platform: Telegram, UserID: "t" + n}, Member: id},
		{Account: Account{Platform: Discord, UserID: "d" + n}, Member: id}}}
}

func newModWorld(rules ModerationRules) *modWorld {
	w := &modWorld{store: newModStore(modMember(modAlice, "Alice"), modMember(modBob, "Bob"), modMember(modVera, "Vera")),
		platforms: newFakePlatforms(), now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		tg: Group{Platform: Telegram, ID: "-100"}, dc: Group{Platform: Discord, ID: "900"}}
	w.store.groups[Telegram] = []Chat{{Platform: Telegram, PlatformID: "-100", Kind: "group"}}
	w.store.groups[Discord] = []Chat{{Platform: Discord, PlatformID: "900", Kind: "group"}}
	clock := func() time.Time { return w.now }
	standings := NewStandings(modTiers{of: map[MemberID]Standing{modVera: {Member: modVera, Tier: TierVIP}}},
		DefaultEngagementRules(), DefaultTierRules(), DefaultLoyaltyRules(), clock)
	w.mod = NewModeration(w.store, NewAccess(nil, modStaff{modAlice: true}), standings, w.platforms, rules, clock)
	return w
}

// both is the Telegram group and the Discord server.
func (w *modWorld) both() []Group { return []Group{w.tg, w.dc} }

// modErrKey is a domain error's key, or its message for any other error.
func modErrKey(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Key
	}
	return err.Error()
}

// kinds lists the kinds of the actions logged, in order.
func (s *modStore) kinds() []ActionKind {
	var out []ActionKind
	for _, a := range s.actions {
		out = append(out, a.Kind)
	}
	return out
}
