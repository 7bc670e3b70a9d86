package digest_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/digest"
)

var liftAsOf = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

// customerAt is a customer with the shop for 300 days (ten periods of 30)
// whose spend rate is rate.
func customerAt(rate float64, level int) digest.LiftCustomer {
	return digest.LiftCustomer{InCommunity: level > 0, Level: level, Revenue: 10 * rate, FirstOrder: liftAsOf.AddDate(0, 0, -300)}
}

// normalHalf is the half-width of the normal approximation's 95% interval
// of a difference of two means.
func normalHalf(sdA float64, nA int, sdB float64, nB int) float64 {
	return 1.96 * math.Sqrt(sdA*sdA/float64(nA)+sdB*sdB/float64(nB))
}

func checkDifference(t *testing.T, what string, got *digest.Difference, want, half float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no interval, want %g ± %g", what, want, half)
		return
	}
	if math.Abs(got.Estimate-want) > 1e-9 {
		t.Errorf("%s: estimate %g, want %g", what, got.Estimate, want)
	}
	if math.Abs(got.Low-(want-half)) > 0.1*half || math.Abs(got.High-(want+half)) > 0.1*half {
		t.Errorf("%s: interval [%g, %g], want about [%g, %g]", what, got.Low, got.High, want-half, want+half)
	}
}

// The community spends 10 a month against 8 outside, each level 1.5 less
// than the one above it; half the customers have a predicted CLV of 12
// times their rate. The report finds each difference and the interval
// the normal approximation gives.
func TestLiftReproducesKnownDifferences(t *testing.T) {
	const n = 3000
	var f digest.LiftFacts
	f.AsOf = liftAsOf
	for i, rate := range spread(4*n, 8, 2) {
		c := customerAt(rate, 0)
		if i%2 == 0 {
			c.Predicted, c.HasPrediction = 12*rate, true
		}
		f.Customers = append(f.Customers, c)
	}
	levelMean := map[int]float64{1: 12.25, 2: 10.75, 3: 9.25, 4: 7.75} // averaging 10
	for level := 1; level <= 4; level++ {
		for i, rate := range spread(n, levelMean[level], 2) {
			c := customerAt(rate, level)
			if i%2 == 0 {
				c.Predicted, c.HasPrediction = 12*rate, true
			}
			f.Customers = append(f.Customers, c)
		}
	}
	l, err := digest.BuildLift(f, digest.DefaultBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	if l.Community.Customers != 4*n || l.Outside.Customers != 4*n || l.Community.Predicted != 2*n || l.Outside.Predicted != 2*n {
		t.Errorf("sizes: community %+v, outside %+v", l.Community, l.Outside)
	}
	if math.Abs(l.Community.SpendRate-10) > 1e-9 || math.Abs(l.Outside.SpendRate-8) > 1e-9 {
		t.Errorf("spend rates %g and %g, want 10 and 8", l.Community.SpendRate, l.Outside.SpendRate)
	}
	// The community's rates are four levels' grids: their spread is the
	// levels' (sd 2) and the levels' means' (sd √(1.5²·5/4)).
	sdIn := math.Sqrt(4 + 1.5*1.5*5/4)
	checkDifference(t, "community spend", l.Community.SpendLift, 2, normalHalf(sdIn, 4*n, 2, 4*n))
	if l.Outside.SpendLift != nil || l.Outside.PredictedLift != nil {
		t.Errorf("the outside is compared with itself: %+v", l.Outside)
	}
	if len(l.Levels) != 4 {
		t.Fatalf("%d levels, want 4", len(l.Levels))
	}
	for i, g := range l.Levels {
		level := i + 1
		if g.Level != level || g.Customers != n || g.Predicted != n/2 {
			t.Errorf("level %d: %+v", level, g)
		}
		checkDifference(t, fmt.Sprintf("spend of level %d", level), g.SpendLift, levelMean[level]-8, normalHalf(2, n, 2, 4*n))
	}
	// Predicted CLV is over every other customer, so its mean is close
	// to 12 times the rate's, not exactly: compare with the values.
	var predIn, predOut []float64
	for _, c := range f.Customers {
		if c.HasPrediction && c.InCommunity {
			predIn = append(predIn, c.Predicted)
		} else if c.HasPrediction {
			predOut = append(predOut, c.Predicted)
		}
	}
	checkDifference(t, "community predicted CLV", l.Community.PredictedLift, meanOf(predIn)-meanOf(predOut),
		normalHalf(12*sdIn, len(predIn), 24, len(predOut)))
	if math.Abs(meanOf(predIn)-meanOf(predOut)-24) > 0.1 {
		t.Errorf("the predicted CLVs constructed differ by %g, want about 24", meanOf(predIn)-meanOf(predOut))
	}
	if l.Resamples != 2000 || l.Seed != 1 || !l.AsOf.Equal(liftAsOf) {
		t.Errorf("report of %d resamples, seed %d, as of %s", l.Resamples, l.Seed, l.AsOf)
	}
}

func meanOf(x []float64) float64 {
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	return sum / float64(len(x))
}

// percentileBootstrap is the interval written out plainly: draw each
// group again with replacement, many times, and take the 2.5th and 97.5th
// percentiles (nearest rank) of the statistic.
func percentileBootstrap(rng *rand.Rand, times int, stat func(draw func([]float64) []float64) float64) (low, high float64) {
	draw := func(x []float64) []float64 {
		out := make([]float64, len(x))
		for i := range out {
			out[i] = x[rng.IntN(len(x))]
		}
		return out
	}
	est := make([]float64, times)
	for i := range est {
		est[i] = stat(draw)
	}
	slices.Sort(est)
	return est[int(0.025*float64(times))], est[int(0.975*float64(times))-1]
}

// A handful of customers and joiners, written out: the spend rates
// follow from revenue and time with the shop, the joiners are those who
// joined after their first purchase and 90 days before the report, and
// the intervals agree with a bootstrap written out in the test.
func TestLiftOfAHandfulAgainstABootstrapWrittenOut(t *testing.T) {
	day := func(n int) time.Time { return liftAsOf.AddDate(0, 0, -n) }
	f := digest.LiftFacts{AsOf: liftAsOf, Customers: []digest.LiftCustomer{
		// outside: 60 over 60 days, 90 over 90, 15 over 10 days (counted as 30), 40 over 160
		{Revenue: 60, FirstOrder: day(60)},
		{Revenue: 90, FirstOrder: day(90)},
		{Revenue: 15, FirstOrder: day(10), Predicted: 55, HasPrediction: true},
		{Revenue: 40, FirstOrder: day(160), Predicted: 25, HasPrediction: true},
		// the community
		{InCommunity: true, Level: 1, Revenue: 150, FirstOrder: day(100), Predicted: 200, HasPrediction: true,
			Joined: day(95), Before: 20, After: 70}, // a joiner: +50
		{InCommunity: true, Level: 1, Revenue: 200, FirstOrder: day(160), Predicted: 310, HasPrediction: true,
			Joined: day(90), Before: 40, After: 100}, // a joiner, exactly 90 days ago: +60
		{InCommunity: true, Level: 3, Revenue: 45, FirstOrder: day(45),
			Joined: day(100), Before: 0, After: 45}, // joined before the first order: not a joiner
		{InCommunity: true, Level: 0, Revenue: 37.5, FirstOrder: day(300), Predicted: 80, HasPrediction: true,
			Joined: day(89), Before: 10, After: 10}, // joined 89 days ago: not a joiner
		{InCommunity: true, Level: 3, Revenue: 100, FirstOrder: day(400),
			Joined: day(200), Before: 5, After: 35}, // a joiner: +30
	}}
	// The rates, worked out by hand (values a float holds exactly).
	outside := []float64{30, 30, 15, 7.5}
	community := []float64{45, 37.5, 30, 3.75, 7.5}
	l, err := digest.BuildLift(f, digest.DefaultBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	if l.Outside.Customers != 4 || l.Outside.SpendRate != 20.625 || l.Outside.Predicted != 2 || l.Outside.PredictedCLV != 40 {
		t.Errorf("outside %+v, want 4 customers spending 20.625, 2 predicted at 40", l.Outside)
	}
	if l.Community.Customers != 5 || math.Abs(l.Community.SpendRate-meanOf(community)) > 1e-12 || l.Community.Predicted != 3 ||
		math.Abs(l.Community.PredictedCLV-590.0/3) > 1e-9 {
		t.Errorf("community %+v, want 5 customers spending %g, 3 predicted at %g", l.Community, meanOf(community), 590.0/3)
	}
	if g := l.Levels[0]; g.Customers != 2 || g.SpendRate != 41.25 || g.Predicted != 2 || g.PredictedCLV != 255 || g.PredictedLift == nil {
		t.Errorf("level 1 %+v", g)
	}
	if g := l.Levels[2]; g.Customers != 2 || g.SpendRate != 18.75 || g.Predicted != 0 || g.PredictedLift != nil || g.SpendLift == nil {
		t.Errorf("level 3 %+v, want spend compared and no predicted CLV", g)
	}
	if g := l.Levels[1]; g.Customers != 0 || g.SpendLift != nil || g.PredictedLift != nil {
		t.Errorf("level 2 %+v, want empty", g)
	}
	j := l.Joiners
	if j.Members != 3 || j.Days != 90 || math.Abs(j.Before-65.0/3) > 1e-12 || math.Abs(j.After-205.0/3) > 1e-12 {
		t.Errorf("joiners %+v, want 3 from 65/3 to 205/3 over 90 days", j)
	}

	// The same intervals as the bootstrap itself, over the values worked
	// out above: the report feeds it the right customers.
	want, _ := digest.DefaultBootstrap.MeanDifference(community, outside)
	if d := l.Community.SpendLift; d == nil || *d != digest.Difference(want) {
		t.Errorf("community spend lift %+v, want %+v", d, want)
	}
	change, _ := digest.DefaultBootstrap.PairedChange([]float64{20, 40, 5}, []float64{70, 100, 35})
	if d := j.Change; d == nil || *d != digest.Difference(change) {
		t.Errorf("joiners' change %+v, want %+v", d, change)
	}

	// And a bootstrap written out here, with another random source and
	// ten times the resamples, agrees to within a tenth of the interval.
	rng := rand.New(rand.NewPCG(7, 7))
	low, high := percentileBootstrap(rng, 20000, func(draw func([]float64) []float64) float64 {
		return meanOf(draw(community)) - meanOf(draw(outside))
	})
	d := l.Community.SpendLift
	if tol := 0.1 * (high - low); math.Abs(d.Low-low) > tol || math.Abs(d.High-high) > tol {
		t.Errorf("community spend lift [%g, %g], written out [%g, %g]", d.Low, d.High, low, high)
	}
	changes := []float64{50, 60, 30}
	low, high = percentileBootstrap(rng, 20000, func(draw func([]float64) []float64) float64 { return meanOf(draw(changes)) })
	if tol := 0.1 * (high - low); math.Abs(j.Change.Low-low) > tol || math.Abs(j.Change.High-high) > tol {
		t.Errorf("joiners' change [%g, %g], written out [%g, %g]", j.Change.Low, j.Change.High, low, high)
	}
}

func TestSpendRateAndJoiners(t *testing.T) {
	c := digest.LiftCustomer{Revenue: 90, FirstOrder: liftAsOf.Add(-45 * 24 * time.Hour)}
	if r := c.SpendRate(liftAsOf); math.Abs(r-60) > 1e-12 {
		t.Errorf("90 over 45 days: %g per 30 days, want 60", r)
	}
	c.FirstOrder = liftAsOf.Add(-time.Hour)
	if r := c.SpendRate(liftAsOf); r != 90 {
		t.Errorf("90 an hour ago: %g per 30 days, want 90 (at least 30 days)", r)
	}
	member := digest.LiftCustomer{InCommunity: true, FirstOrder: liftAsOf.AddDate(0, 0, -200), Joined: liftAsOf.Add(-digest.JoinWindow)}
	if !member.Joiner(liftAsOf) {
		t.Error("a member who joined after the first order exactly 90 days ago is not compared")
	}
	if member.Joiner(liftAsOf.Add(-time.Second)) {
		t.Error("a member compared before the 90 days after joining are over")
	}
	member.FirstOrder = member.Joined
	if member.Joiner(liftAsOf) {
		t.Error("a member whose first order came as they joined is compared")
	}
	if (digest.LiftCustomer{FirstOrder: liftAsOf.AddDate(-1, 0, 0), Joined: liftAsOf.AddDate(0, -6, 0)}).Joiner(liftAsOf) {
		t.Error("a customer outside the community is compared")
	}
}

// Groups too small to compare get no interval, and the report is made.
func TestLiftOfTooFewHasNoIntervals(t *testing.T) {
	l, err := digest.BuildLift(digest.LiftFacts{AsOf: liftAsOf}, digest.DefaultBootstrap)
	if err != nil || l.Community.Customers != 0 || l.Community.SpendLift != nil || l.Joiners.Change != nil || len(l.Levels) != 4 {
		t.Errorf("an empty shop: %+v, %v", l, err)
	}
	l, err = digest.BuildLift(digest.LiftFacts{AsOf: liftAsOf, Customers: []digest.LiftCustomer{
		customerAt(5, 0), customerAt(7, 0), customerAt(9, 2),
	}}, digest.DefaultBootstrap)
	if err != nil || l.Community.Customers != 1 || l.Community.SpendRate != 9 || l.Community.SpendLift != nil || l.Levels[1].SpendLift != nil {
		t.Errorf("one member: %+v, %v; want the mean and no interval", l.Community, err)
	}
}

func TestBuildLiftRefusesBadFacts(t *testing.T) {
	cases := []struct {
		name string
		c    digest.LiftCustomer
		b    digest.Bootstrap
		want string
	}{
		{"level 5", digest.LiftCustomer{InCommunity: true, Level: 5}, digest.DefaultBootstrap, "customer 2 has engagement level 5: want 1 to 4"},
		{"level outside", digest.LiftCustomer{Level: 2}, digest.DefaultBootstrap, "customer 2 has engagement level 2"},
		{"NaN", digest.LiftCustomer{Predicted: math.NaN(), HasPrediction: true}, digest.DefaultBootstrap, "customer 2: predicted CLV is NaN, not a number"},
		{"resamples", customerAt(1, 0), digest.Bootstrap{Resamples: 10}, "bootstrap of 10 resamples"},
	}
	for _, c := range cases {
		_, err := digest.BuildLift(digest.LiftFacts{AsOf: liftAsOf, Customers: []digest.LiftCustomer{customerAt(1, 0), c.c}}, c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

// BenchmarkBuildLift is a shop of 100,000 customers, 20,000 of them in
// the community (5,000 a level) and 5,000 of those joiners.
func BenchmarkBuildLift(b *testing.B) {
	f := digest.LiftFacts{AsOf: liftAsOf}
	for i, rate := range spread(100_000, 10, 4) {
		c := customerAt(rate, 0)
		c.Predicted, c.HasPrediction = 12*rate, true
		if i%5 == 0 {
			c.InCommunity, c.Level = true, 1+i/5%4
			if i%20 == 0 {
				c.Joined, c.Before, c.After = liftAsOf.AddDate(0, 0, -100), rate*3, rate*3.3
			}
		}
		f.Customers = append(f.Customers, c)
	}
	for b.Loop() {
		if _, err := digest.BuildLift(f, digest.DefaultBootstrap); err != nil {
			b.Fatal(err)
		}
	}
}
