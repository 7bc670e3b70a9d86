package digest_test

import (
	"slices"
	"testing"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
)

// TestRiskReasonsAndActions: each reason alone, with the action it calls
// for; several reasons in the digest's order, the most pressing deciding
// the action; a VIP with nothing wrong is not at risk.
func TestRiskReasonsAndActions(t *testing.T) {
	rules := digest.RiskRules{Tiers: community.DefaultTierRules()} // drop 0.5, P(alive) 0.3
	calm := digest.RiskFacts{Member: 1, Name: "Ann", ThisWeek: 10, PrevWeekly: 10, HasModel: true, PAlive: 0.9, Score: 9}
	for _, c := range []struct {
		name    string
		change  func(f *digest.RiskFacts)
		reasons []digest.Reason
		action  digest.Action
	}{
		{"calm", func(*digest.RiskFacts) {}, nil, ""},
		{"overdue ticket", func(f *digest.RiskFacts) { f.Overdue = []int64{12, 15} }, []digest.Reason{digest.ReasonOverdueTicket}, digest.ActionAnswerTicket},
		{"detractor", func(f *digest.RiskFacts) { f.Score = 6 }, []digest.Reason{digest.ReasonDetractor}, digest.ActionFollowUpNPS},
		{"passive is fine", func(f *digest.RiskFacts) { f.Score = 7 }, nil, ""},
		{"unlikely to buy", func(f *digest.RiskFacts) { f.PAlive = 0.29 }, []digest.Reason{digest.ReasonUnlikelyToBuy}, digest.ActionWinBack},
		{"no model, no P(alive) reason", func(f *digest.RiskFacts) { f.PAlive, f.HasModel = 0, false }, nil, ""},
		{"P(alive) fell", func(f *digest.RiskFacts) { f.PAlive, f.HadPAlive, f.PrevPAlive = 0.6, true, 0.85 },
			[]digest.Reason{digest.ReasonPAliveFall}, digest.ActionWinBack},
		{"P(alive) fell by less", func(f *digest.RiskFacts) { f.PAlive, f.HadPAlive, f.PrevPAlive = 0.6, true, 0.75 }, nil, ""},
		{"P(alive) below the threshold, fallen too", func(f *digest.RiskFacts) { f.PAlive, f.HadPAlive, f.PrevPAlive = 0.1, true, 0.9 },
			[]digest.Reason{digest.ReasonUnlikelyToBuy}, digest.ActionWinBack},
		{"engagement halved", func(f *digest.RiskFacts) { f.ThisWeek = 5 }, []digest.Reason{digest.ReasonEngagementDrop}, digest.ActionPersonalCheck},
		{"engagement down by less", func(f *digest.RiskFacts) { f.ThisWeek = 5.1 }, nil, ""},
		{"everything", func(f *digest.RiskFacts) { f.Overdue, f.Score, f.PAlive, f.ThisWeek = []int64{3}, 0, 0.1, 0 },
			[]digest.Reason{digest.ReasonOverdueTicket, digest.ReasonDetractor, digest.ReasonUnlikelyToBuy, digest.ReasonEngagementDrop},
			digest.ActionAnswerTicket},
		{"detractor and quiet", func(f *digest.RiskFacts) { f.Score, f.ThisWeek = 2, 1 },
			[]digest.Reason{digest.ReasonDetractor, digest.ReasonEngagementDrop}, digest.ActionFollowUpNPS},
	} {
		f := calm
		c.change(&f)
		a, ok := rules.Assess(f)
		if ok != (c.reasons != nil) || !slices.Equal(a.Reasons, c.reasons) || a.Action != c.action {
			t.Errorf("%s: %+v, %v; want %v and %q", c.name, a, ok, c.reasons, c.action)
		}
	}
	if a, _ := rules.Assess(digest.RiskFacts{Overdue: []int64{12, 15}, Score: -1}); a.Ticket != 12 {
		t.Errorf("ticket %d; want the oldest overdue, 12", a.Ticket)
	}
}

// TestRiskRankKeepsTheMostValuable: the VIPs at risk come most valuable
// first (predicted CLV, then revenue, then id), at most AtRiskListed,
// with the count of all of them.
func TestRiskRankKeepsTheMostValuable(t *testing.T) {
	rules := digest.RiskRules{Tiers: community.DefaultTierRules()}
	var in []digest.RiskFacts
	for i := range 14 {
		in = append(in, digest.RiskFacts{Member: community.MemberID(i + 1), Predicted: float64(i % 7), Revenue: float64(i), Score: 3})
	}
	in = append(in, digest.RiskFacts{Member: 99, Predicted: 1000, Score: 10}) // valuable, nothing wrong
	got, all := rules.Rank(in)
	if all != 14 || len(got) != digest.AtRiskListed {
		t.Fatalf("%d listed of %d; want %d of 14", len(got), all, digest.AtRiskListed)
	}
	var ids []community.MemberID
	for _, a := range got {
		ids = append(ids, a.Member)
	}
	want := []community.MemberID{14, 7, 13, 6, 12, 5, 11, 4, 10, 3}
	if !slices.Equal(ids, want) {
		t.Errorf("order %v; want %v", ids, want)
	}
}
