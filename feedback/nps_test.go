package feedback

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 0.01 }

// TestNPSAgainstHandComputedValues: the score, the counts and the 95%
// interval, worked out by hand: p and d the shares of promoters and
// detractors, NPS = 100(p-d), variance p+d-(p-d)², half width
// 1.96·sqrt(variance/n), clamped to -100..100.
func TestNPSAgainstHandComputedValues(t *testing.T) {
	for _, c := range []struct {
		name             string
		scores           []Score
		score, low, high float64
		pro, pas, det    int
	}{
		// p = d = .4: variance .8, half 1.96·sqrt(.08) = .5544
		{"balanced", []Score{10, 9, 8, 7, 6, 0, 10, 9, 5, 3}, 0, -55.44, 55.44, 4, 2, 4},
		// p = 4/6, d = 1/6: NPS 50, variance 7/12, half 1.96·sqrt(7/72) = .6111
		{"promoters", []Score{10, 10, 10, 9, 8, 6}, 50, -11.11, 100, 4, 1, 1},
		// every one a detractor: no spread, the interval is the point
		{"all detractors", []Score{0, 3, 6}, -100, -100, -100, 0, 0, 3},
	} {
		got := Compute(c.scores)
		if !near(got.Score, c.score) || !near(got.Low, c.low) || !near(got.High, c.high) ||
			got.Promoters != c.pro || got.Passives != c.pas || got.Detractors != c.det || got.Responses != len(c.scores) {
			t.Errorf("%s: %+v; want %.2f in [%.2f, %.2f], %d/%d/%d", c.name, got, c.score, c.low, c.high, c.pro, c.pas, c.det)
		}
	}
	if none := Compute(nil); none.Score != 0 || none.Low != -100 || none.High != 100 {
		t.Errorf("no answers: %+v; want 0 in the whole range", none)
	}
}

// TestWeightedNPS: a weight counts an answer that many times in the
// score, and the interval uses the sample the weights leave: 10 weighing
// 3 and 0 weighing 1 is NPS 50 (p .75, d .25) with n = 16/10 = 1.6,
// variance .75, half width 1.96·sqrt(.75/1.6) = 1.3419.
func TestWeightedNPS(t *testing.T) {
	got := ComputeWeighted([]Weighted{{Score: 10, Weight: 3}, {Score: 0, Weight: 1}, {Score: 8, Weight: 0}})
	if !near(got.Score, 50) || !near(got.Low, -84.19) || got.High != 100 || !near(got.EffectiveResponses, 1.6) || got.Responses != 3 {
		t.Errorf("weighted: %+v", got)
	}
	even := ComputeWeighted([]Weighted{{10, 2}, {9, 2}, {8, 2}, {7, 2}, {6, 2}, {0, 2}, {10, 2}, {9, 2}, {5, 2}, {3, 2}})
	plain := Compute([]Score{10, 9, 8, 7, 6, 0, 10, 9, 5, 3})
	if !near(even.Score, plain.Score) || !near(even.Low, plain.Low) || !near(even.High, plain.High) {
		t.Errorf("equal weights %+v differ from no weights %+v", even, plain)
	}
}

func TestScoreRange(t *testing.T) {
	for s, want := range map[Score]bool{-1: false, 0: true, 10: true, 11: false} {
		if s.Valid() != want {
			t.Errorf("Score(%d).Valid() = %t", s, !want)
		}
	}
}
