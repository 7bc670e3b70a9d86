package feedback

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Candidate is a member a survey wave may ask: one Hearth may write to
// privately, with their tier and when they were last asked (zero: never).
type Candidate struct {
	Member    community.MemberID
	Tier      community.Tier
	LastAsked time.Time
}

// WaveRules say how many members a survey wave asks.
type WaveRules struct {
	SamplePercent float64       // of the members who may be asked
	MaxPerWave    int           // at most this many; 0: no cap
	MinInterval   time.Duration // nobody is asked again sooner
}

// SampleWave picks the members a wave asks at now: of the candidates not
// asked within MinInterval, SamplePercent (rounded, at least one when
// any may be asked), capped at MaxPerWave, drawn from each tier in
// proportion to its size (largest remainders), so that VIPs are neither
// over- nor under-asked. The members come in id order; rng draws within
// each tier.
func SampleWave(candidates []Candidate, r WaveRules, now time.Time, rng *rand.Rand) []community.MemberID {
	byTier := map[community.Tier][]community.MemberID{}
	eligible := 0
	for _, c := range candidates {
		if !c.LastAsked.IsZero() && now.Sub(c.LastAsked) < r.MinInterval {
			continue
		}
		byTier[c.Tier] = append(byTier[c.Tier], c.Member)
		eligible++
	}
	want := waveSize(eligible, r)
	var out []community.MemberID
	shares := tierShares(byTier, eligible, want)
	for _, tier := range community.Tiers { // in order: one seed, one draw
		members, n := byTier[tier], shares[tier]
		rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
		out = append(out, members[:n]...)
	}
	slices.Sort(out)
	return out
}

// waveSize is how many of eligible members a wave asks.
func waveSize(eligible int, r WaveRules) int {
	if eligible == 0 || r.SamplePercent <= 0 {
		return 0
	}
	n := max(1, int(math.Round(float64(eligible)*r.SamplePercent/100)))
	if r.MaxPerWave > 0 {
		n = min(n, r.MaxPerWave)
	}
	return min(n, eligible)
}

// tierShares splits want among the tiers in proportion to their sizes:
// each its whole share, then one more to the largest remainders (the
// higher tier first on a tie).
func tierShares(byTier map[community.Tier][]community.MemberID, eligible, want int) map[community.Tier]int {
	type share struct {
		tier community.Tier
		rest float64
	}
	out := map[community.Tier]int{}
	var shares []share
	given := 0
	for _, tier := range community.Tiers {
		exact := float64(want) * float64(len(byTier[tier])) / float64(max(eligible, 1))
		out[tier] = int(exact)
		given += out[tier]
		shares = append(shares, share{tier, exact - float64(out[tier])})
	}
	slices.SortStableFunc(shares, func(a, b share) int {
		return cmp.Or(cmp.Compare(b.rest, a.rest), cmp.Compare(b.tier, a.tier))
	})
	for i := 0; given < want; i++ {
		out[shares[i].tier]++
		given++
	}
	return out
}
