package community

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func TestPercentilesCountTiesHalf(t *testing.T) {
	got := Percentiles([]float64{10, 0, 10, 30})
	if fmt.Sprint(got) != "[50 12.5 50 87.5]" {
		t.Fatalf("Percentiles = %v", got)
	}
	if got := Percentiles([]float64{7}); got[0] != 50 {
		t.Fatalf("one value: %v", got)
	}
}

func TestLevels(t *testing.T) {
	r := DefaultEngagementRules()
	for p, want := range map[float64]int{99: 1, 95: 1, 94.9: 2, 80: 2, 79: 3, 50: 3, 49.9: 4, 0: 4} {
		if got := r.Level(p); got != want {
			t.Errorf("Level(%v) = %d, want %d", p, got, want)
		}
	}
}

func TestTrend(t *testing.T) {
	if c, ok := (Engagement{ThisWeek: 3, PrevWeekly: 10}).Trend(); !ok || c != -0.7 {
		t.Errorf("trend = %v, %v", c, ok)
	}
	if _, ok := (Engagement{ThisWeek: 3}).Trend(); ok {
		t.Error("no history: want no trend")
	}
}

func TestClassify(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	old, fresh := now.AddDate(0, -6, 0), now.AddDate(0, 0, -2)
	active := Engagement{Score: 10, Percentile: 50, ThisWeek: 10, PrevWeekly: 10}
	r := DefaultTierRules()
	cases := []struct {
		name  string
		in    StandingInput
		tier  Tier
		flags Flags
	}{
		{"top buyer", StandingInput{Since: old, Engagement: active, Via: LinkedByToken, Orders: 3, HistoricalPercentile: 95, PredictedPercentile: 97, HasModel: true, PAlive: 0.9}, TierVIP, FlagVerifiedBuyer},
		{"top buyer without a model", StandingInput{Since: old, Engagement: active, Via: LinkedByToken, Orders: 3, HistoricalPercentile: 92}, TierVIP, FlagVerifiedBuyer},
		{"predicted to fade", StandingInput{Since: old, Engagement: active, Via: LinkedByToken, Orders: 3, HistoricalPercentile: 99, PredictedPercentile: 70, HasModel: true, PAlive: 0.9}, TierLoyal, FlagVerifiedBuyer},
		{"vip unlikely to buy again", StandingInput{Since: old, Engagement: active, Via: LinkedByToken, Orders: 3, HistoricalPercentile: 95, PredictedPercentile: 95, HasModel: true, PAlive: 0.1}, TierVIP, FlagVerifiedBuyer | FlagAtRiskVIP},
		{"vip gone quiet", StandingInput{Since: old, Engagement: Engagement{Score: 5, ThisWeek: 2, PrevWeekly: 10}, Via: LinkedByToken, Orders: 3, HistoricalPercentile: 95}, TierVIP, FlagVerifiedBuyer | FlagAtRiskVIP},
		{"new buyer", StandingInput{Since: fresh, Via: LinkedByToken, Orders: 1, HistoricalPercentile: 30}, TierRegular, FlagVerifiedBuyer},
		{"linked, never bought", StandingInput{Since: old, Via: LinkedByToken, HistoricalPercentile: 99}, TierRegular, 0},
		{"newcomer", StandingInput{Since: fresh, Engagement: Engagement{Score: 9, Percentile: 99}}, TierNewcomer, 0},
		{"engaged regular", StandingInput{Since: old, Engagement: Engagement{Score: 9, Percentile: 91}}, TierLoyal, 0},
		{"quiet regular", StandingInput{Since: old}, TierRegular, 0},
	}
	for _, c := range cases {
		s := r.Classify(c.in, now)
		if s.Tier != c.tier || s.Flags != c.flags {
			t.Errorf("%s: %s with flags %b, want %s with %b", c.name, s.Tier, s.Flags, c.tier, c.flags)
		}
	}
	top := r.Classify(cases[0].in, now)
	if want := 0.7*96 + 0.3*50; math.Abs(top.Priority-want) > 1e-9 {
		t.Errorf("priority %v, want %v", top.Priority, want)
	}
}

func TestMilestonesComeOnce(t *testing.T) {
	p := Progress{Via: LinkedByToken, Messages: 1}
	if got := NewMilestones(p, 10, nil); fmt.Sprint(got) != "[first_steps]" {
		t.Fatalf("first message after linking: %v", got)
	}
	if got := NewMilestones(p, 10, []string{"first_steps"}); len(got) != 0 {
		t.Fatalf("again: %v", got)
	}
	if got := DefaultLoyaltyRules().Total(Progress{ActivityPoints: 12.7, Orders: 2, Revenue: 40.5}); got != 153 {
		t.Fatalf("points %d, want 12.7+100+40.5 floored = 153", got)
	}
}
