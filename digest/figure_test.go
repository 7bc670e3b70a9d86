package digest_test

import (
	"math"
	"testing"

	"github.com/hearthbot/hearth/digest"
)

func TestFigureComparesWithTheWeekBeforeAndFourWeeks(t *testing.T) {
	f := digest.FigureOf([]float64{500, 80, 100, 120, 100, 150}) // the first is more than four weeks back
	if f.This != 150 || f.Prev != 100 || f.Avg4 != 100 || f.Before != 4 {
		t.Fatalf("%+v, want this 150, previous 100, 4-week average 100 of 4 weeks", f)
	}
	if c, ok := f.VsPrev(); !ok || math.Abs(c-0.5) > 1e-12 {
		t.Errorf("against the week before: %g, %v; want +50%%", c, ok)
	}
	if c, ok := f.VsAvg4(); !ok || math.Abs(c-0.5) > 1e-12 {
		t.Errorf("against four weeks: %g, %v; want +50%%", c, ok)
	}
}

func TestFigureOfAYoungCommunity(t *testing.T) {
	if f := digest.FigureOf([]float64{40}); f.Before != 0 {
		t.Errorf("a first week: %+v, want nothing before", f)
	} else if _, ok := f.VsPrev(); ok {
		t.Error("a first week compares with a week before")
	}
	f := digest.FigureOf([]float64{0, 30, 45})
	if f.Before != 2 || f.Avg4 != 15 {
		t.Errorf("%+v, want two weeks before averaging 15", f)
	}
	if c, ok := f.VsAvg4(); !ok || c != 2 {
		t.Errorf("against the weeks before: %g, %v; want +200%%", c, ok)
	}
	if _, ok := digest.FigureOf([]float64{0, 7}).VsPrev(); ok {
		t.Error("a change against a week of zero is stated")
	}
	if c, ok := digest.FigureOf([]float64{0, 0}).VsPrev(); !ok || c != 0 {
		t.Errorf("nothing against nothing: %g, %v; want no change", c, ok)
	}
	if f := digest.FigureOf(nil); f != (digest.Figure{}) {
		t.Errorf("no weeks: %+v", f)
	}
}
