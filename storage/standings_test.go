package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
)

var standingsNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// standingsFixture makes members on Telegram, one per name, first seen
// the given number of days ago.
type standingsFixture struct {
	t       *testing.T
	s       *storage.Store
	members map[string]community.MemberID
	n       int
}

func newStandingsFixture(t *testing.T, ages map[string]int) *standingsFixture {
	f := &standingsFixture{t: t, s: newStore(t), members: map[string]community.MemberID{}}
	for i := range fillers {
		ages[fmt.Sprintf("filler%02d", i)] = 365
	}
	for name, days := range ages {
		f.n++
		rec, err := f.s.RecordInbound(context.Background(), []inbox.Inbound{{Platform: community.Telegram, Key: "new-" + name,
			At: standingsNow, From: inbox.User{ID: fmt.Sprint(1000 + f.n), Username: name}, Done: true}})
		if err != nil {
			t.Fatal(err)
		}
		f.members[name] = rec[0].Member
		f.exec(`UPDATE members SET created_at = $1 WHERE id = $2`, standingsNow.AddDate(0, 0, -days), rec[0].Member)
	}
	return f
}

func (f *standingsFixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.s.DB().Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// fillers are the rest of the community: each a linked customer of low
// value who wrote once, so that percentiles have a crowd to rank in.
const fillers = 20

func (f *standingsFixture) fillerScores(values map[string][2]float64) map[string][2]float64 {
	for i := range fillers {
		values[fmt.Sprintf("filler%02d", i)] = [2]float64{float64(20 + i), float64(10 + i)}
	}
	return values
}

// activity records n activities of kind by name, daysAgo days ago.
func (f *standingsFixture) activity(name string, kind community.ActivityKind, n, daysAgo int) {
	f.t.Helper()
	f.exec(`INSERT INTO activities (member_id, kind, at) SELECT $1, $2, $3 FROM generate_series(1, $4)`,
		f.members[name], kind, standingsNow.Add(-time.Duration(daysAgo)*24*time.Hour-time.Hour), n)
}

// scores links each named member to a customer and saves a CLV run with
// their historical and predicted CLV.
func (f *standingsFixture) scores(values map[string][2]float64) {
	f.t.Helper()
	var scores []clv.CustomerScore
	for name, v := range f.fillerScores(values) {
		id := "cust-" + name
		f.exec(`INSERT INTO customers (id) VALUES ($1) ON CONFLICT DO NOTHING`, id)
		if err := f.s.LinkCustomer(context.Background(), f.members[name], id); err != nil && community.ErrorCode(err) != community.EConflict {
			f.t.Fatal(err)
		}
		scores = append(scores, clv.CustomerScore{CustomerID: id, Orders: 2, First: standingsNow.AddDate(0, -6, 0), Last: standingsNow.AddDate(0, -1, 0),
			Revenue: v[0], Historical: v[0], HasModel: true, Predicted: v[1], PAlive: 0.9, Recency: 3, Frequency: 3, Monetary: 3, Segment: "Loyal"})
	}
	run := clv.ModelRun{ComputedAt: standingsNow, End: standingsNow, Period: clv.Week, Customers: len(scores)}
	if _, err := f.s.SaveCLVRun(context.Background(), run, slices.Values(scores)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *standingsFixture) recompute() int {
	f.t.Helper()
	return f.recomputeAt(standingsNow)
}

// recomputeAt recomputes the standings as of now.
func (f *standingsFixture) recomputeAt(now time.Time) int {
	f.t.Helper()
	standings := community.NewStandings(f.s, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(),
		func() time.Time { return now })
	n, err := standings.Recompute(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *standingsFixture) standing(name string) community.MemberStanding {
	f.t.Helper()
	st, err := f.s.MemberStanding(context.Background(), f.members[name])
	if err != nil {
		f.t.Fatalf("standing of %s: %v", name, err)
	}
	return st
}

func (f *standingsFixture) events(kind string) []json.RawMessage {
	f.t.Helper()
	var out []json.RawMessage
	if err := f.s.DB().Select(&out, `SELECT payload FROM outbox_events WHERE kind = $1 ORDER BY id`, kind); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// TestRecomputeStandings: tiers follow value among linked customers and
// engagement; points and milestones add up; the first run announces every
// tier to the perks, a run with nothing new announces nothing, and a
// change of CLV moves a member up with an event and a staff summary.
func TestRecomputeStandings(t *testing.T) {
	f := newStandingsFixture(t, map[string]int{"ann": 200, "ben": 200, "cat": 200, "dan": 3, "eve": 100, "fay": 200})
	seedRecomputeCommunity(f)

	if got := f.recompute(); got != 6+fillers {
		t.Fatalf("first run: %d tier changes, want one per member (%d)", got, 6+fillers)
	}
	checkFirstRunStandings(t, f)
	milestones := len(f.events(community.EventMilestoneReached))

	if got := f.recompute(); got != 0 {
		t.Fatalf("second run with nothing new: %d tier changes", got)
	}
	if n := len(f.events(community.EventMilestoneReached)); n != milestones {
		t.Errorf("second run: milestone events %d, want still %d", n, milestones)
	}

	f.scores(map[string][2]float64{"ann": {900, 800}, "ben": {5000, 4000}, "fay": {36, 27}})
	// Percentiles are relative: ben's rise moves everyone else down a
	// place, and a filler near a threshold may cross it too.
	changed := f.recompute()
	if got := f.standing("ben").Tier; got != community.TierVIP || changed < 1 {
		t.Fatalf("ben: %s after %d changes, want vip", got, changed)
	}
	if got := f.standing("ann").Tier; got != community.TierVIP {
		t.Errorf("ann: %s, want still vip", got)
	}
	checkBensRiseAnnounced(t, f, changed)
}

// seedRecomputeCommunity gives TestRecomputeStandings' members their
// activity and CLV: ann a big spender, cat the most engaged without
// orders, dan brand new, eve only joined, and a crowd of fillers.
func seedRecomputeCommunity(f *standingsFixture) {
	f.t.Helper()
	f.activity("ann", community.ActivityMessage, 20, 1)
	f.activity("ann", community.ActivityHelpfulAnswer, 1, 2)
	f.activity("cat", community.ActivityMessage, 300, 2) // the most engaged, without orders
	f.activity("cat", community.ActivityMessage, 10, 400)
	f.activity("ben", community.ActivityReaction, 2, 60)
	f.activity("dan", community.ActivityMessage, 1, 0)
	f.activity("eve", community.ActivityJoin, 1, 90)
	for i := range fillers {
		f.activity(fmt.Sprintf("filler%02d", i), community.ActivityMessage, 1, 10)
	}
	f.scores(map[string][2]float64{"ann": {900, 800}, "ben": {10, 5}, "fay": {36, 27}})
}

// checkFirstRunStandings checks the standings seedRecomputeCommunity's
// members get from their first recompute, which tells staff nothing.
func checkFirstRunStandings(t *testing.T, f *standingsFixture) {
	t.Helper()
	want := map[string]community.Tier{"ann": community.TierVIP, "ben": community.TierRegular, "cat": community.TierLoyal,
		"dan": community.TierNewcomer, "eve": community.TierRegular, "fay": community.TierLoyal}
	for name, tier := range want {
		if got := f.standing(name).Tier; got != tier {
			t.Errorf("%s: tier %s, want %s", name, got, tier)
		}
	}
	ann := f.standing("ann")
	if !ann.Flags.Has(community.FlagVerifiedBuyer) || ann.Flags.Has(community.FlagAtRiskVIP) || ann.Value != 22.5/23*100 {
		t.Errorf("ann: flags %b, value %v", ann.Flags, ann.Value)
	}
	// 20 messages + 1 helpful answer (20) + 2 orders (100) + 900 spent.
	if ann.Points != 20+20+100+900 {
		t.Errorf("ann: %d points, want 1040", ann.Points)
	}
	if fmt.Sprint(ann.Milestones) != "[first_purchase first_steps helper points_500]" {
		t.Errorf("ann: milestones %v", ann.Milestones)
	}
	if e := f.standing("cat").Engagement; e.Level != 1 || e.LastActive.IsZero() || e.Score <= 300*0.9 {
		t.Errorf("cat: engagement %+v", e)
	}
	if e := f.standing("eve").Engagement; e.Score != 0 || !e.LastActive.IsZero() || e.Level != 4 {
		t.Errorf("eve: joining is not engagement: %+v", e)
	}
	if n := len(f.events(community.EventStandingsChanged)); n != 0 {
		t.Errorf("first run: %d staff summaries, want none", n)
	}
}

// checkBensRiseAnnounced checks that the run after the first, which made
// changed tier changes, announced each as an event (ben's once, regular to
// vip) and sent staff one summary of them all.
func checkBensRiseAnnounced(t *testing.T, f *standingsFixture, changed int) {
	t.Helper()
	changes := f.events(community.EventTierChanged)[6+fillers:]
	var bens []community.TierChange
	for _, raw := range changes {
		var c community.TierChange
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		if c.Member == f.members["ben"] {
			bens = append(bens, c)
		}
	}
	if len(changes) != changed || len(bens) != 1 || bens[0].From != community.TierRegular || bens[0].To != community.TierVIP || bens[0].First {
		t.Errorf("tier change events: %d for %d changes; ben's: %+v", len(changes), changed, bens)
	}
	summaries := f.events(community.EventStandingsChanged)
	if len(summaries) != 1 {
		t.Fatalf("staff summaries: %d, want 1", len(summaries))
	}
	var summary community.StandingsSummary
	if err := json.Unmarshal(summaries[0], &summary); err != nil || len(summary.Changes) != changed {
		t.Errorf("summary: %+v, %v", summary, err)
	}
}

// TestAtRiskVIP: a VIP whose activity this week fell to under half of
// the four weeks before is flagged as the days pass, and staff hear of
// it once.
func TestAtRiskVIP(t *testing.T) {
	f := newStandingsFixture(t, map[string]int{"ann": 200})
	f.scores(map[string][2]float64{"ann": {900, 800}})
	for week := 1; week <= 4; week++ {
		f.activity("ann", community.ActivityMessage, 10, 7*week+2)
	}
	f.activity("ann", community.ActivityMessage, 10, 1)
	f.recompute()
	if f.standing("ann").Flags.Has(community.FlagAtRiskVIP) {
		t.Fatal("ann flagged at risk while as active as ever")
	}
	// A week later she wrote 3 messages, where she wrote 10 a week before.
	f.activity("ann", community.ActivityMessage, 3, -7)
	later := standingsNow.AddDate(0, 0, 8)
	f.recomputeAt(later)
	ann := f.standing("ann")
	if ann.Tier != community.TierVIP || !ann.Flags.Has(community.FlagAtRiskVIP) {
		t.Fatalf("ann: %s, flags %b; want an at-risk VIP", ann.Tier, ann.Flags)
	}
	if trend, ok := ann.Engagement.Trend(); !ok || trend > -0.5 {
		t.Errorf("trend %v, %v", trend, ok)
	}
	f.recomputeAt(later)
	summaries := f.events(community.EventStandingsChanged)
	if len(summaries) != 1 {
		t.Fatalf("staff summaries: %d, want exactly 1", len(summaries))
	}
}
