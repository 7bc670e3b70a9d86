package feedback

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

var waveNow = time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)

// community of sizes per tier, members numbered from 1 in tier order.
func candidates(sizes map[community.Tier]int) []Candidate {
	var out []Candidate
	id := community.MemberID(1)
	for _, tier := range community.Tiers {
		for range sizes[tier] {
			out = append(out, Candidate{Member: id, Tier: tier})
			id++
		}
	}
	return out
}

func tiersOf(cands []Candidate, picked []community.MemberID) map[community.Tier]int {
	out := map[community.Tier]int{}
	for _, c := range cands {
		if slices.Contains(picked, c.Member) {
			out[c.Tier]++
		}
	}
	return out
}

// TestWaveIsStratifiedByTier: 10% of 70 newcomers, 20 regulars, 8 loyal
// and 2 VIPs is 7, 2, then the one left to the largest remainder (loyal,
// 0.8, before VIP, 0.2); each member at most once, in id order.
func TestWaveIsStratifiedByTier(t *testing.T) {
	cands := candidates(map[community.Tier]int{community.TierNewcomer: 70, community.TierRegular: 20, community.TierLoyal: 8, community.TierVIP: 2})
	got := SampleWave(cands, WaveRules{SamplePercent: 10}, waveNow, rand.New(rand.NewPCG(1, 2)))
	want := map[community.Tier]int{community.TierNewcomer: 7, community.TierRegular: 2, community.TierLoyal: 1}
	if tiers := tiersOf(cands, got); len(got) != 10 || tiers[community.TierNewcomer] != 7 || tiers[community.TierRegular] != 2 ||
		tiers[community.TierLoyal] != 1 || tiers[community.TierVIP] != 0 {
		t.Errorf("wave %v by tier %v; want %v", got, tiers, want)
	}
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("wave %v is not each member once in id order", got)
	}
	again := SampleWave(cands, WaveRules{SamplePercent: 10}, waveNow, rand.New(rand.NewPCG(3, 4)))
	if slices.Equal(got, again) {
		t.Error("two draws picked the same members: the draw is not random within a tier")
	}
}

// TestNobodyIsAskedAgainTooSoon: a member asked within the interval is
// left out; one asked before it may be asked.
func TestNobodyIsAskedAgainTooSoon(t *testing.T) {
	cands := []Candidate{
		{Member: 1, Tier: community.TierVIP, LastAsked: waveNow.Add(-30 * 24 * time.Hour)},
		{Member: 2, Tier: community.TierVIP, LastAsked: waveNow.Add(-91 * 24 * time.Hour)},
		{Member: 3, Tier: community.TierVIP},
	}
	got := SampleWave(cands, WaveRules{SamplePercent: 100, MinInterval: 90 * 24 * time.Hour}, waveNow, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(got, []community.MemberID{2, 3}) {
		t.Errorf("wave %v; want 2 and 3 (1 was asked 30 days ago)", got)
	}
}

// TestWaveSize: a share rounds, asks at least one when anyone may be
// asked, and stops at the cap.
func TestWaveSize(t *testing.T) {
	for _, c := range []struct {
		eligible int
		rules    WaveRules
		want     int
	}{
		{5, WaveRules{SamplePercent: 5}, 1},
		{1000, WaveRules{SamplePercent: 5}, 50},
		{1000, WaveRules{SamplePercent: 5, MaxPerWave: 30}, 30},
		{0, WaveRules{SamplePercent: 5}, 0},
		{10, WaveRules{}, 0},
	} {
		cands := candidates(map[community.Tier]int{community.TierRegular: c.eligible})
		if got := SampleWave(cands, c.rules, waveNow, rand.New(rand.NewPCG(1, 2))); len(got) != c.want {
			t.Errorf("%d eligible, %+v: %d asked, want %d", c.eligible, c.rules, len(got), c.want)
		}
	}
}

// TestOneSeedOneDraw: the same candidates and seed draw the same wave.
func TestOneSeedOneDraw(t *testing.T) {
	cands := candidates(map[community.Tier]int{community.TierNewcomer: 30, community.TierRegular: 30, community.TierLoyal: 30, community.TierVIP: 30})
	first := SampleWave(cands, WaveRules{SamplePercent: 20}, waveNow, rand.New(rand.NewPCG(7, 7)))
	for range 20 {
		if got := SampleWave(cands, WaveRules{SamplePercent: 20}, waveNow, rand.New(rand.NewPCG(7, 7))); !slices.Equal(got, first) {
			t.Fatalf("one seed drew %v, then %v", first, got)
		}
	}
}
