package digest_test

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/digest"
)

// spread is n values evenly spread around m with standard deviation sd
// (a uniform grid, so the data and their true interval are known).
func spread(n int, m, sd float64) []float64 {
	out := make([]float64, n)
	half := sd * math.Sqrt(3) // a uniform distribution of this half-width has standard deviation sd
	for i := range out {
		out[i] = m - half + 2*half*(float64(i)+0.5)/float64(n)
	}
	return out
}

// The difference of two groups' means is found with the interval the
// normal approximation gives: 2 ± 1.96·√(σ²/n + σ²/n).
func TestMeanDifferenceReproducesAKnownInterval(t *testing.T) {
	a, b := spread(4000, 10, 2), spread(4000, 8, 2)
	got, err := digest.DefaultBootstrap.MeanDifference(a, b)
	if err != nil {
		t.Fatal(err)
	}
	half := 1.96 * math.Sqrt(4.0/4000+4.0/4000)
	if math.Abs(got.Estimate-2) > 1e-9 {
		t.Errorf("estimate %g, want 2", got.Estimate)
	}
	if math.Abs(got.Low-(2-half)) > 0.1*half || math.Abs(got.High-(2+half)) > 0.1*half {
		t.Errorf("interval [%g, %g], want about [%g, %g]", got.Low, got.High, 2-half, 2+half)
	}
}

// A member's spend after joining against before: each changes by 3 with
// noise; the interval is 3 ± 1.96·sd/√n of the changes.
func TestPairedChangeReproducesAKnownInterval(t *testing.T) {
	before := spread(2500, 20, 5)
	noise := spread(2500, 0, 1.5)
	after := make([]float64, len(before))
	for i := range before {
		after[i] = before[i] + 3 + noise[(i*7919)%len(noise)] // the noise shuffled against the values
	}
	got, err := digest.DefaultBootstrap.PairedChange(before, after)
	if err != nil {
		t.Fatal(err)
	}
	half := 1.96 * 1.5 / math.Sqrt(2500)
	if math.Abs(got.Estimate-3) > 1e-9 {
		t.Errorf("estimate %g, want 3", got.Estimate)
	}
	if math.Abs(got.Low-(3-half)) > 0.1*half || math.Abs(got.High-(3+half)) > 0.1*half {
		t.Errorf("interval [%g, %g], want about [%g, %g]", got.Low, got.High, 3-half, 3+half)
	}
}

func TestTheSameDataGiveTheSameInterval(t *testing.T) {
	a, b := spread(300, 5, 3), spread(200, 4, 1)
	first, _ := digest.DefaultBootstrap.MeanDifference(a, b)
	again, _ := digest.DefaultBootstrap.MeanDifference(a, b)
	if first != again {
		t.Errorf("the same data gave %+v, then %+v", first, again)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if oneCore, _ := digest.DefaultBootstrap.MeanDifference(a, b); oneCore != first {
		t.Errorf("on one core %+v, on every core %+v", oneCore, first)
	}
	other, _ := digest.Bootstrap{Resamples: 2000, Seed: 2}.MeanDifference(a, b)
	if other == first || other.Estimate != first.Estimate {
		t.Errorf("another seed gave %+v against %+v: want the same estimate, another interval", other, first)
	}
}

// A change every pair shares has no uncertainty.
func TestAConstantChangeHasNoWidth(t *testing.T) {
	before := spread(50, 10, 4)
	after := make([]float64, len(before))
	for i, v := range before {
		after[i] = v + 0.5
	}
	got, err := digest.DefaultBootstrap.PairedChange(before, after)
	if err != nil || math.Abs(got.Low-0.5) > 1e-12 || math.Abs(got.High-0.5) > 1e-12 {
		t.Errorf("%+v, %v; want 0.5 with no width", got, err)
	}
}

func TestBootstrapRefusesWhatItCannotEstimate(t *testing.T) {
	ok := []float64{1, 2, 3}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"empty group", func() error { _, err := digest.DefaultBootstrap.MeanDifference(nil, ok); return err }, "the first group is empty"},
		{"not a number", func() error {
			_, err := digest.DefaultBootstrap.MeanDifference(ok, []float64{1, math.NaN()})
			return err
		}, "the second group: value 2 is NaN, not a number"},
		{"unpaired", func() error { _, err := digest.DefaultBootstrap.PairedChange(ok, ok[:2]); return err }, "3 values before and 2 after"},
		{"too few resamples", func() error { _, err := digest.Bootstrap{Resamples: 10}.MeanDifference(ok, ok); return err }, "want at least 100"},
	}
	for _, c := range cases {
		if err := c.run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

// BenchmarkMeanDifference is the lift report's largest interval: 100,000
// members in the community against 100,000 customers outside it.
func BenchmarkMeanDifference(b *testing.B) {
	in, out := spread(100_000, 12, 5), spread(100_000, 10, 5)
	for b.Loop() {
		if _, err := digest.DefaultBootstrap.MeanDifference(in, out); err != nil {
			b.Fatal(err)
		}
	}
}

// Several groups against one base: each estimate is its own difference,
// each interval the normal approximation's (within the bootstrap's own
// noise), although the base is resampled once for all.
func TestMeanDifferencesShareTheBase(t *testing.T) {
	base := spread(8000, 10, 3)
	groups := [][]float64{spread(2000, 12, 3), spread(500, 9, 1), spread(4000, 10, 6)}
	got, err := digest.DefaultBootstrap.MeanDifferences(groups, base)
	if err != nil || len(got) != 3 {
		t.Fatalf("%v, %v", got, err)
	}
	for i, g := range groups {
		sdDiff := math.Sqrt(variance(g)/float64(len(g)) + variance(base)/float64(len(base)))
		want := mean(g) - mean(base)
		if math.Abs(got[i].Estimate-want) > 1e-12 {
			t.Errorf("group %d: estimate %g, want %g", i+1, got[i].Estimate, want)
		}
		if tol := 0.08 * 2 * 1.96 * sdDiff; math.Abs(got[i].Low-(want-1.96*sdDiff)) > tol || math.Abs(got[i].High-(want+1.96*sdDiff)) > tol {
			t.Errorf("group %d: [%g, %g], want about [%g, %g]", i+1, got[i].Low, got[i].High, want-1.96*sdDiff, want+1.96*sdDiff)
		}
	}
	if _, err := digest.DefaultBootstrap.MeanDifferences([][]float64{{1}, {}}, base); err == nil || !strings.Contains(err.Error(), "group 2") {
		t.Errorf("an empty group: %v", err)
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func variance(x []float64) float64 {
	m, s := mean(x), 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return s / float64(len(x)-1)
}
