package clv_test

import (
	"fmt"
	"testing"

	"github.com/hearthbot/hearth/clv"
)

func TestSegmentOfFollowsTheRFGrid(t *testing.T) {
	// Rows are recency 5 down to 1, columns frequency 1 to 5.
	grid := [5][5]clv.Segment{
		{clv.SegmentNew, clv.SegmentPotentialLoyalist, clv.SegmentPotentialLoyalist, clv.SegmentChampions, clv.SegmentChampions},
		{clv.SegmentPromising, clv.SegmentPotentialLoyalist, clv.SegmentPotentialLoyalist, clv.SegmentLoyal, clv.SegmentLoyal},
		{clv.SegmentAboutToSleep, clv.SegmentAboutToSleep, clv.SegmentNeedAttention, clv.SegmentLoyal, clv.SegmentLoyal},
		{clv.SegmentHibernating, clv.SegmentHibernating, clv.SegmentAtRisk, clv.SegmentAtRisk, clv.SegmentCantLoseThem},
		{clv.SegmentLost, clv.SegmentHibernating, clv.SegmentAtRisk, clv.SegmentAtRisk, clv.SegmentCantLoseThem},
	}
	seen := map[clv.Segment]bool{}
	for row := range grid {
		for col := range grid[row] {
			r, f := 5-row, col+1
			if got := clv.SegmentOf(r, f); got != grid[row][col] {
				t.Errorf("SegmentOf(%d, %d) = %q, want %q", r, f, got, grid[row][col])
			}
			seen[grid[row][col]] = true
		}
	}
	for _, s := range clv.Segments() {
		if !seen[s] {
			t.Errorf("segment %q is never given", s)
		}
	}
	if len(seen) != len(clv.Segments()) {
		t.Errorf("the grid gives %d segments, Segments lists %d", len(seen), len(clv.Segments()))
	}
	if got := clv.SegmentOf(9, 0); got != clv.SegmentNew {
		t.Errorf("SegmentOf(9, 0) = %q, want the clamped SegmentOf(5, 1) = New", got)
	}
}

func TestScoreRFMQuintiles(t *testing.T) {
	// Ten customers with distinct values: two per score. Customer i last
	// bought i periods before the end, made i repeat purchases and spent
	// 10·i in total.
	var s []clv.Summary
	for i := range 10 {
		s = append(s, clv.Summary{CustomerID: fmt.Sprint(i), Frequency: i, Recency: 20, T: float64(20 + 9 - i), Total: float64(10 * i)})
	}
	got := clv.ScoreRFM(s)
	for i, g := range got {
		want := 1 + i/2
		if g.CustomerID != fmt.Sprint(i) || g.Recency != want || g.Frequency != want || g.Monetary != want {
			t.Errorf("customer %d: %+v, want all scores %d", i, g, want)
		}
	}
	if got[9].Segment != clv.SegmentChampions || got[0].Segment != clv.SegmentLost {
		t.Errorf("best %q and worst %q, want Champions and Lost", got[9].Segment, got[0].Segment)
	}
}

func TestScoreRFMGivesTiesEqualScores(t *testing.T) {
	// Six one-time buyers and four repeat buyers, in shuffled order.
	freq := []int{0, 3, 0, 0, 1, 0, 3, 0, 2, 0}
	var s []clv.Summary
	for i, f := range freq {
		s = append(s, clv.Summary{CustomerID: fmt.Sprint(i), Frequency: f, Recency: float64(f), T: 10, Total: 25})
	}
	got := clv.ScoreRFM(s)
	// Frequency 0 ranks from 0: 1. Frequency 1 has 6 below: 1+⌊30/10⌋ = 4.
	// Frequency 2 has 7 below: 4. Frequency 3 has 8 below: 5.
	want := map[int]int{0: 1, 1: 4, 2: 4, 3: 5}
	for i, g := range got {
		if g.Frequency != want[freq[i]] {
			t.Errorf("customer %d with frequency %d: score %d, want %d", i, freq[i], g.Frequency, want[freq[i]])
		}
		if g.Monetary != 1 {
			t.Errorf("customer %d: monetary score %d, want 1 for everyone spending the same", i, g.Monetary)
		}
	}
	if again := clv.ScoreRFM(s); fmt.Sprint(again) != fmt.Sprint(got) {
		t.Errorf("scores differ between runs:\n%v\n%v", got, again)
	}
	if len(clv.ScoreRFM(nil)) != 0 {
		t.Error("no summaries should give no scores")
	}
}
