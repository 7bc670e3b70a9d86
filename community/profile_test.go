package community

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

var profileNow = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

func profileClock() time.Time { return profileNow }

var bobProfile = Member{ID: 7, DisplayName: "Bob", Identities: []Identity{
	{Account: Account{Platform: Telegram, UserID: "200"}, Member: 7, Username: "bob"},
	{Account: Account{Platform: Discord, UserID: "900"}, Member: 7},
}}

// TestProfileOfANewMember: a member never scored stands as a Newcomer at
// level 4 with no points, is linked to no customer and has no record;
// their accounts on every platform are there, and the store was asked
// for the facts as of now with the five latest of each list.
func TestProfileOfANewMember(t *testing.T) {
	store := newProfileStore(bobProfile)
	p, err := NewProfiles(store, profileClock).Profile(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(p.Standing.Tier, p.Standing.Engagement.Level, p.Standing.Points, p.Standing.Member, p.Standing.ComputedAt.IsZero()); got != "newcomer 4 0 7 true" {
		t.Errorf("standing of an unscored member: %s", got)
	}
	if p.Linked || len(p.Warnings)+len(p.InForce)+len(p.Past)+len(p.Notes)+len(p.Tickets) != 0 {
		t.Errorf("a new member's profile: %+v", p)
	}
	if len(p.Member.Identities) != 2 || p.Member.DisplayName != "Bob" || !p.At.Equal(profileNow) {
		t.Errorf("member %+v at %v", p.Member, p.At)
	}
	if len(store.asked) != 1 || store.asked[0] != (ProfileQuery{Member: 7, Now: profileNow, Recent: 5}) {
		t.Errorf("asked %+v", store.asked)
	}
}

// TestProfileShowsStandingAndValue: a scored member's standing is the one
// computed, and a linked member's value is their customer's CLV, scored
// or not yet.
func TestProfileShowsStandingAndValue(t *testing.T) {
	store := newProfileStore(bobProfile)
	computed := profileNow.Add(-time.Hour)
	store.standings[7] = MemberStanding{Standing: Standing{Member: 7, Tier: TierVIP, Flags: FlagVerifiedBuyer, Priority: 91,
		Engagement: Engagement{Level: 2, Score: 12.5}, ComputedAt: computed}, Points: 340, Milestones: []string{"first_order"}}
	store.values[7] = Value{CustomerID: "c-7", Orders: 3, Historical: 120, Scored: true, HasModel: true, Predicted: 60, PAlive: 0.8}
	p, err := NewProfiles(store, profileClock).Profile(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	st := p.Standing
	if st.Tier != TierVIP || !st.Flags.Has(FlagVerifiedBuyer) || st.Priority != 91 || st.Points != 340 || st.Engagement.Level != 2 ||
		!st.ComputedAt.Equal(computed) || len(st.Milestones) != 1 {
		t.Errorf("standing %+v", st)
	}
	if !p.Linked || p.Value.CustomerID != "c-7" || p.Value.Predicted != 60 {
		t.Errorf("linked %v, value %+v", p.Linked, p.Value)
	}

	store.values[7] = Value{CustomerID: "c-7"}
	if p, err = NewProfiles(store, profileClock).Profile(context.Background(), 7); err != nil || !p.Linked || p.Value.Scored {
		t.Errorf("linked, not scored yet: linked %v, value %+v, %v", p.Linked, p.Value, err)
	}
}

// TestProfileSortsSanctionsInForceAndPast: a sanction is in force until it
// is lifted or its end comes, even before the job that lifts it runs; the
// latest sanctions that were lifted or have ended are past.
func TestProfileSortsSanctionsInForceAndPast(t *testing.T) {
	hour := time.Hour
	cases := []struct {
		name          string
		s             Sanction
		inForce, past bool
	}{
		{"a ban with no end", Sanction{Kind: SanctionBan}, true, false},
		{"a mute ending later", Sanction{Kind: SanctionMute, Until: profileNow.Add(hour)}, true, false},
		{"a mute ending now, not lifted yet", Sanction{Kind: SanctionMute, Until: profileNow}, false, true},
		{"a mute that ended, not lifted yet", Sanction{Kind: SanctionMute, Until: profileNow.Add(-hour)}, false, true},
		{"a mute lifted before its end", Sanction{Kind: SanctionMute, Until: profileNow.Add(hour), Lifted: profileNow.Add(-hour)}, false, true},
		{"a kick", Sanction{Kind: SanctionKick, Lifted: profileNow.Add(-2 * hour)}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store := newProfileStore(bobProfile)
			c.s.ID, c.s.Member, c.s.At = 1, 7, profileNow.Add(-3*hour)
			store.sanctions = []Sanction{c.s}
			p, err := NewProfiles(store, profileClock).Profile(context.Background(), 7)
			if err != nil {
				t.Fatal(err)
			}
			if inForce, past := len(p.InForce) == 1, len(p.Past) == 1; inForce != c.inForce || past != c.past || len(p.InForce) > 1 || len(p.Past) > 1 {
				t.Errorf("in force %v, past %v; want %v, %v", p.InForce, p.Past, c.inForce, c.past)
			}
		})
	}
}

// TestProfileListsTheLatest: only active warnings count; the five latest
// notes and past sanctions show, newest first, and the five oldest open
// tickets, oldest first.
func TestProfileListsTheLatest(t *testing.T) {
	store := newProfileStore(bobProfile, Member{ID: 8, DisplayName: "Alice"})
	store.warnings = []Warning{
		{ID: 1, Member: 7, At: profileNow.Add(-48 * time.Hour), Expires: profileNow.Add(-time.Hour)},
		{ID: 2, Member: 7, At: profileNow.Add(-time.Hour), Expires: profileNow.Add(time.Hour)},
		{ID: 3, Member: 8, At: profileNow.Add(-time.Hour), Expires: profileNow.Add(time.Hour)},
	}
	for i := range 7 {
		at := profileNow.Add(time.Duration(i-10) * time.Hour)
		store.notes = append(store.notes, Note{ID: int64(i + 1), Member: 7, By: 8, Text: fmt.Sprint("note ", i+1), At: at})
		store.sanctions = append(store.sanctions, Sanction{ID: int64(i + 1), Member: 7, Kind: SanctionKick, At: at, Lifted: at})
		store.tickets[7] = append(store.tickets[7], TicketSummary{ID: int64(i + 1), Platform: Telegram, Text: "?", OpenedAt: at})
	}
	p, err := NewProfiles(store, profileClock).Profile(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(n int, id func(int) int64) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	for _, c := range []struct {
		what      string
		got, want string
	}{
		{"warnings", fmt.Sprint(ids(len(p.Warnings), func(i int) int64 { return p.Warnings[i].ID })), "[2]"},
		{"notes", fmt.Sprint(ids(len(p.Notes), func(i int) int64 { return p.Notes[i].ID })), "[7 6 5 4 3]"},
		{"past", fmt.Sprint(ids(len(p.Past), func(i int) int64 { return p.Past[i].ID })), "[7 6 5 4 3]"},
		{"tickets", fmt.Sprint(ids(len(p.Tickets), func(i int) int64 { return p.Tickets[i].ID })), "[1 2 3 4 5]"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.what, c.got, c.want)
		}
	}
}

// TestProfileOfAnUnknownMember: a member never seen, or erased since, has
// no profile (ENotFound); a card queued about them before shows an
// unscored Newcomer linked to no customer, with no record.
func TestProfileOfAnUnknownMember(t *testing.T) {
	_, err := NewProfiles(newProfileStore(bobProfile), profileClock).Profile(context.Background(), 9)
	if ErrorCode(err) != ENotFound {
		t.Fatalf("unknown member: %v, want ENotFound", err)
	}
	p := UnknownProfile(9, profileNow)
	if p.Member.ID != 9 || p.Standing.Tier != TierNewcomer || p.Standing.Engagement.Level != 4 || p.Linked ||
		len(p.Warnings)+len(p.InForce)+len(p.Past)+len(p.Notes)+len(p.Tickets) != 0 || !p.At.Equal(profileNow) {
		t.Errorf("unknown profile %+v", p)
	}
}

// failingProfiles is a ProfileStore whose reads fail.
type failingProfiles struct{ err error }

func (s failingProfiles) ProfileFacts(context.Context, ProfileQuery) (ProfileFacts, error) {
	return ProfileFacts{}, s.err
}

// TestProfileSaysWhatFailed: a store failure is returned, naming the
// member.
func TestProfileSaysWhatFailed(t *testing.T) {
	down := errors.New("connection refused")
	_, err := NewProfiles(failingProfiles{down}, profileClock).Profile(context.Background(), 7)
	if !errors.Is(err, down) || err.Error() != "profile of member 7: connection refused" {
		t.Errorf("err = %v", err)
	}
}

func TestProfileOrUnknownForAMemberErasedSince(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	p := NewProfiles(profileStoreFunc(func(context.Context, ProfileQuery) (ProfileFacts, error) {
		return ProfileFacts{}, Errorf(ENotFound, "member.not_found", nil, "no member 9")
	}), func() time.Time { return at })
	got, err := p.ProfileOrUnknown(context.Background(), 9)
	if err != nil || got.Member.ID != 9 || got.Standing.Tier != TierNewcomer || got.At != at {
		t.Fatalf("got %+v, %v; want the unknown profile of member 9", got, err)
	}
	boom := errors.New("database down")
	p = NewProfiles(profileStoreFunc(func(context.Context, ProfileQuery) (ProfileFacts, error) { return ProfileFacts{}, boom }), time.Now)
	if _, err := p.ProfileOrUnknown(context.Background(), 9); !errors.Is(err, boom) {
		t.Fatalf("a store failure: got %v, want it passed on", err)
	}
}

// profileStoreFunc is a ProfileStore of one function.
type profileStoreFunc func(context.Context, ProfileQuery) (ProfileFacts, error)

func (f profileStoreFunc) ProfileFacts(ctx context.Context, q ProfileQuery) (ProfileFacts, error) {
	return f(ctx, q)
}
