package digest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat"
)

// Interval is an estimate with its 95% confidence interval.
type Interval struct {
	Estimate  float64
	Low, High float64
}

// Bootstrap is how a confidence interval is resampled: how many times,
// and from which seed, so that the same data give the same interval
// (a digest read again says what it said).
type Bootstrap struct {
	Resamples int
	Seed      uint64
}

// DefaultBootstrap resamples 2,000 times: the 2.5th and 97.5th
// percentiles of 2,000 estimates move by a few hundredths of the
// interval from one seed to another.
var DefaultBootstrap = Bootstrap{Resamples: 2000, Seed: 1}

// MeanDifference estimates mean(a) − mean(b) for two independent groups
// (customers in the community and the others, say), with a percentile
// bootstrap interval: each resample draws len(a) values from a and len(b)
// from b, with replacement.
func (bs Bootstrap) MeanDifference(a, b []float64) (Interval, error) {
	if err := bs.check(); err != nil {
		return Interval{}, err
	}
	if err := checkGroup("the first group", a); err != nil {
		return Interval{}, err
	}
	if err := checkGroup("the second group", b); err != nil {
		return Interval{}, err
	}
	iv, err := bs.MeanDifferences([][]float64{a}, b)
	if err != nil {
		return Interval{}, err
	}
	return iv[0], nil
}

// MeanDifferences estimates mean(g) − mean(base) for each group g against
// one base group (each engagement level against the customers outside
// the community), with percentile bootstrap intervals. Each resample
// draws every group and the base once, and every group is compared with
// that same resampled base: each interval is as MeanDifference's, for the
// cost of resampling the base once rather than once a group. With one
// group it gives exactly what MeanDifference gives.
func (bs Bootstrap) MeanDifferences(groups [][]float64, base []float64) ([]Interval, error) {
	if err := bs.check(); err != nil {
		return nil, err
	}
	for i, g := range groups {
		if err := checkGroup(fmt.Sprintf("group %d", i+1), g); err != nil {
			return nil, err
		}
	}
	if err := checkGroup("the base group", base); err != nil {
		return nil, err
	}
	estimates := make([]float64, len(groups))
	for i, g := range groups {
		estimates[i] = mean(g) - mean(base)
	}
	return bs.intervals(estimates, func(rng *rand.Rand, out []float64) {
		for i, g := range groups {
			out[i] = resampledMean(rng, g)
		}
		b := resampledMean(rng, base)
		for i := range out {
			out[i] -= b
		}
	}), nil
}

// PairedChange estimates the mean of after[i] − before[i] (each member's
// spend rate after joining against before), with a percentile bootstrap
// interval over the pairs.
func (bs Bootstrap) PairedChange(before, after []float64) (Interval, error) {
	if err := bs.check(); err != nil {
		return Interval{}, err
	}
	if len(before) != len(after) {
		return Interval{}, fmt.Errorf("%d values before and %d after: want a pair each", len(before), len(after))
	}
	change := make([]float64, len(before))
	for i := range before {
		change[i] = after[i] - before[i]
	}
	if err := checkGroup("the changes", change); err != nil {
		return Interval{}, err
	}
	return bs.interval(mean(change), func(rng *rand.Rand) float64 { return resampledMean(rng, change) }), nil
}

// resampleChunk is how many resamples share one random source: each
// chunk's source is seeded from the seed and the chunk, so the chunks can
// run on every core and still give the same interval.
const resampleChunk = 50

// interval is the estimate with the 2.5th and 97.5th percentiles of the
// resampled estimates.
func (bs Bootstrap) interval(estimate float64, resample func(*rand.Rand) float64) Interval {
	return bs.intervals([]float64{estimate}, func(rng *rand.Rand, out []float64) { out[0] = resample(rng) })[0]
}

// intervals is interval for several estimates resampled together: each
// resample writes one value for each.
func (bs Bootstrap) intervals(estimates []float64, resample func(rng *rand.Rand, out []float64)) []Interval {
	k := len(estimates)
	resampled := make([]float64, bs.Resamples*k) // resample i's values at [i*k, (i+1)*k)
	var wg sync.WaitGroup
	cores := make(chan struct{}, runtime.GOMAXPROCS(0))
	for start := 0; start < bs.Resamples; start += resampleChunk {
		cores <- struct{}{}
		wg.Go(func() {
			defer func() { <-cores }()
			rng := rand.New(rand.NewPCG(bs.Seed, 0x6c696674<<32|uint64(start))) // "lift"
			for i := start; i < min(start+resampleChunk, bs.Resamples); i++ {
				resample(rng, resampled[i*k:(i+1)*k])
			}
		})
	}
	wg.Wait()
	out := make([]Interval, k)
	column := make([]float64, bs.Resamples)
	for j, e := range estimates {
		for i := range column {
			column[i] = resampled[i*k+j]
		}
		slices.Sort(column)
		out[j] = Interval{Estimate: e,
			Low:  stat.Quantile(0.025, stat.LinInterp, column, nil),
			High: stat.Quantile(0.975, stat.LinInterp, column, nil)}
	}
	return out
}

func (bs Bootstrap) check() error {
	if bs.Resamples < 100 {
		return fmt.Errorf("bootstrap of %d resamples: want at least 100", bs.Resamples)
	}
	return nil
}

// checkGroup refuses a group that is empty or holds a value that is not
// a number.
func checkGroup(name string, x []float64) error {
	if len(x) == 0 {
		return fmt.Errorf("%s is empty", name)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s: value %d is %g, not a number", name, i+1, v)
		}
	}
	return nil
}

func mean(x []float64) float64 {
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	return sum / float64(len(x))
}

// resampledMean is the mean of len(x) values drawn from x with
// replacement. Each 64 random bits give two draws, each an index by
// multiplying 32 bits by len(x) (Lemire's method without its rejection
// step: the bias, under len(x)/2³² per index, is far below what 2,000
// resamples can show), which makes a resample of 100,000 values several
// times faster than rand.IntN.
func resampledMean(rng *rand.Rand, x []float64) float64 {
	n := uint64(len(x))
	sum := 0.0
	for i := 0; i < len(x); i += 2 {
		r := rng.Uint64()
		sum += x[(r&0xffffffff)*n>>32]
		if i+1 < len(x) {
			sum += x[(r>>32)*n>>32]
		}
	}
	return sum / float64(len(x))
}
