package community

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

var recomputeNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// recomputeWorld is four members and a crowd of low-value customers to
// rank among: ann (engaged, linked by token, valuable), ben (linked by an
// order id, of little value), cat (new) and dan (quiet).
func recomputeWorld() (*Standings, *recomputeStore) {
	old, fresh := recomputeNow.AddDate(0, -6, 0), recomputeNow.AddDate(0, 0, -2)
	store := &recomputeStore{
		totals: []EngagementTotal{
			{Member: 1, Since: old, Score: 50, ThisWeek: 10, PrevFourWeeks: 40, ActivityPoints: 10, Messages: 3, LastActive: recomputeNow},
			{Member: 2, Since: old, Score: 5, ActivityPoints: 2, Messages: 1},
			{Member: 3, Since: fresh, Score: 1, Messages: 1},
			{Member: 4, Since: old},
		},
		values: []LinkedValue{
			{Member: 1, Via: LinkedByToken, Orders: 2, Revenue: 900, Historical: 900, HasModel: true, Predicted: 800, PAlive: 0.9},
			{Member: 2, Via: LinkedByOrder, Orders: 1, Revenue: 10, Historical: 10, HasModel: true, Predicted: 5, PAlive: 0.9},
		},
	}
	for i := range 8 {
		v := float64(20 + i)
		store.values = append(store.values, LinkedValue{Member: MemberID(100 + i), Via: LinkedByToken, Orders: 1, Historical: v, HasModel: true, Predicted: v, PAlive: 0.9})
	}
	s := NewStandings(store, DefaultEngagementRules(), DefaultTierRules(), DefaultLoyaltyRules(), func() time.Time { return recomputeNow })
	return s, store
}

// TestFirstRecomputeAnnouncesEveryTier: the first run gives every member
// a standing and a tier event (for the perks), congratulates milestones,
// and tells staff nothing; the update carries how the totals were read.
func TestFirstRecomputeAnnouncesEveryTier(t *testing.T) {
	s, store := recomputeWorld()
	changed, err := s.Recompute(context.Background())
	if err != nil || changed != 4 {
		t.Fatalf("first run: %d changes, %v; want 4", changed, err)
	}
	u := store.last()
	// Flags in binary: 10 is a verified buyer, not at risk.
	want := map[MemberID]string{1: "vip 10", 2: "regular 0", 3: "newcomer 0", 4: "regular 0"}
	for _, st := range u.Standings {
		if got := fmt.Sprintf("%s %b", st.Tier, st.Flags); got != want[st.Member] {
			t.Errorf("member %d: %s, want %s", st.Member, got, want[st.Member])
		}
	}
	for _, p := range store.eventsOf(EventTierChanged) {
		if c := p.(TierChange); !c.First || (c.Member == 3) != c.Newcomer {
			t.Errorf("first tier event %+v: want First, and Newcomer for member 3 only", c)
		}
	}
	if got := fmt.Sprint(store.members[1].Milestones, store.members[2].Milestones, store.members[1].Points); got != "[first_steps first_purchase points_500] [first_steps] 1010" {
		t.Errorf("milestones and points: %s; ben, linked by an order id, is no verified buyer", got)
	}
	if n := len(store.eventsOf(EventMilestoneReached)); n != len(u.Milestones) || n != 4 {
		t.Errorf("%d milestone events for %d milestones, want 4", n, len(u.Milestones))
	}
	if n := len(store.eventsOf(EventStandingsChanged)); n != 0 {
		t.Errorf("first run: %d staff summaries, want none", n)
	}
	q := store.queries[0]
	if q.Now != recomputeNow || q.Decay != s.Scoring().Decay || u.At != recomputeNow || q.Rules == "" || q.Slack <= 0 {
		t.Errorf("update at %v, query %+v", u.At, q)
	}
	if got := fmt.Sprint(q.EngagementCuts, q.ValueCuts, q.NewcomerFor); got != "[95 80 50 90] [90 60] 336h0m0s" {
		t.Errorf("cuts and newcomer period %s: want the levels' and tiers'", got)
	}
}

// TestRecomputeTellsStaffWhatChanged: a run with nothing new changes and
// congratulates nothing; a VIP going quiet is reported at risk once; a
// rise in value moves members with tier events and one staff summary.
func TestRecomputeTellsStaffWhatChanged(t *testing.T) {
	s, store := recomputeWorld()
	ctx := context.Background()
	if _, err := s.Recompute(ctx); err != nil {
		t.Fatal(err)
	}
	if changed, err := s.Recompute(ctx); err != nil || changed != 0 || len(store.last().Events) != 0 {
		t.Fatalf("nothing new: %d changes, events %v, %v", changed, store.last().Events, err)
	}
	store.totals[0].ThisWeek = 1
	if changed, err := s.Recompute(ctx); err != nil || changed != 0 {
		t.Fatalf("ann went quiet: %d changes, %v", changed, err)
	}
	summaries := store.eventsOf(EventStandingsChanged)
	if len(summaries) != 1 || len(summaries[0].(StandingsSummary).AtRisk) != 1 || len(summaries[0].(StandingsSummary).Changes) != 0 {
		t.Fatalf("at risk: summaries %+v, want ann at risk only", summaries)
	}
	if _, err := s.Recompute(ctx); err != nil || len(store.eventsOf(EventStandingsChanged)) != 0 {
		t.Fatalf("still at risk: summaries %+v, %v; want none", store.eventsOf(EventStandingsChanged), err)
	}
	store.values[1].Historical, store.values[1].Predicted = 5000, 5000
	changed, err := s.Recompute(ctx)
	if err != nil || changed != 2 {
		t.Fatalf("ben's value rose: %d changes, %v; want ben up and ann down", changed, err)
	}
	summaries = store.eventsOf(EventStandingsChanged)
	if len(summaries) != 1 {
		t.Fatalf("%d staff summaries, want 1", len(summaries))
	}
	got := ""
	for _, c := range summaries[0].(StandingsSummary).Changes {
		got += fmt.Sprintf("%d:%s->%s ", c.Member, c.From, c.To)
	}
	if got != "1:vip->loyal 2:regular->vip " {
		t.Errorf("changes %q", got)
	}
	if ben := store.members[2]; ben.Tier != TierVIP || ben.Flags.Has(FlagVerifiedBuyer) {
		t.Errorf("ben: %s with flags %b; want a VIP by value, not a verified buyer", ben.Tier, ben.Flags)
	}
}

// TestRecomputeSavesNothingWhenAStoreFails: a failed read or save is
// returned, naming what failed.
func TestRecomputeSavesNothingWhenAStoreFails(t *testing.T) {
	for _, method := range []string{"RecomputeStandings", "SaveStandings"} {
		s, store := recomputeWorld()
		store.failing = method
		if _, err := s.Recompute(context.Background()); !errors.Is(err, errStandingsDown) || len(store.saved) != 0 {
			t.Errorf("%s failing: %v, %d saved", method, err, len(store.saved))
		}
	}
}

// TestStandingOfAMemberNotYetScored: a member without a standing stands
// as a Newcomer at level 4; a saved one is returned as saved.
func TestStandingOfAMemberNotYetScored(t *testing.T) {
	s, store := recomputeWorld()
	ctx := context.Background()
	st, err := s.Standing(ctx, 1)
	if err != nil || st.Tier != TierNewcomer || st.Engagement.Level != 4 || st.Member != 1 || st.Points != 0 {
		t.Errorf("not scored: %+v, %v", st, err)
	}
	if _, err := s.Recompute(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Standing(ctx, 1); err != nil || st.Tier != TierVIP || st.Points != 1010 {
		t.Errorf("scored: %+v, %v", st, err)
	}
	store.failing = "MemberStanding"
	if _, err := s.Standing(ctx, 1); !errors.Is(err, errStandingsDown) {
		t.Errorf("store failing: %v", err)
	}
}

// TestScoringNamesItsRules: the rules' fingerprint changes with any rule
// a standing follows (the store then rescores everyone), and only then.
func TestScoringNamesItsRules(t *testing.T) {
	now := func() time.Time { return recomputeNow }
	standings := func(e EngagementRules, tr TierRules, l LoyaltyRules) string {
		return NewStandings(nil, e, tr, l, now).Scoring().Rules
	}
	base := standings(DefaultEngagementRules(), DefaultTierRules(), DefaultLoyaltyRules())
	if again := standings(DefaultEngagementRules(), DefaultTierRules(), DefaultLoyaltyRules()); again != base {
		t.Errorf("the same rules: %s and %s", base, again)
	}
	e := DefaultEngagementRules()
	e.Weights = Weights{ActivityMessage: 2}
	tr := DefaultTierRules()
	tr.VIPValue = 95
	l := DefaultLoyaltyRules()
	l.PerOrder = 10
	for name, got := range map[string]string{
		"weights":   standings(e, DefaultTierRules(), DefaultLoyaltyRules()),
		"vip value": standings(DefaultEngagementRules(), tr, DefaultLoyaltyRules()),
		"per order": standings(DefaultEngagementRules(), DefaultTierRules(), l),
	} {
		if got == base {
			t.Errorf("another %s, the same fingerprint %s", name, got)
		}
	}
}
