package digest

import (
	"fmt"
	"math"
	"time"
)

// JoinWindow is how far before and after joining a member's spend is
// compared: 90 days each side.
const JoinWindow = 90 * 24 * time.Hour

// rateDays is the period a spend rate is stated for: spend per 30 days.
const rateDays = 30

// EngagementLevels is how many engagement levels the report shows, 1 (the most
// engaged) to 4, as community.EngagementRules.Level gives them.
const EngagementLevels = 4

// LiftFacts is what the lift report is built from: every shop customer
// with a purchase up to AsOf.
type LiftFacts struct {
	AsOf      time.Time
	Customers []LiftCustomer
}

// LiftCustomer is one shop customer as the lift report sees them. Revenue
// and spend count purchases as the CLV engine does (clv.IsPurchase), net
// of refunds, ordered up to AsOf.
type LiftCustomer struct {
	InCommunity bool // linked to a member
	Level       int  // the member's engagement level, 1 to 4; 0 when not in the community or not ranked
	Revenue     float64
	FirstOrder  time.Time // the first purchase
	// Predicted is the latest CLV run's predicted CLV, when it had a
	// model (HasPrediction).
	Predicted     float64
	HasPrediction bool
	// Joined is when the member joined the community (zero outside it).
	// Before and After are the net spend in the JoinWindow before Joined
	// and in the JoinWindow from Joined.
	Joined        time.Time
	Before, After float64
}

// SpendRate is the customer's net revenue per 30 days over their time
// with the shop, from the first purchase to asOf, counted as at least 30
// days (so that a new customer's one order is not multiplied up).
func (c LiftCustomer) SpendRate(asOf time.Time) float64 {
	days := max(asOf.Sub(c.FirstOrder).Hours()/24, rateDays)
	return c.Revenue / days * rateDays
}

// Joiner reports whether the customer's spend before and after joining
// can be compared: a member who joined after their first purchase, and
// at least a JoinWindow before asOf, so both windows are whole.
func (c LiftCustomer) Joiner(asOf time.Time) bool {
	return c.InCommunity && !c.Joined.IsZero() && c.FirstOrder.Before(c.Joined) && !c.Joined.Add(JoinWindow).After(asOf)
}

// Lift is the community-to-CLV lift report: customers in the community,
// by engagement level, against the shop's customers outside it, and
// members' spend before and after joining. It states associations: the
// renderers add the caveat that they are not proof of cause.
type Lift struct {
	AsOf      time.Time   `json:"as_of"`
	Community LiftGroup   `json:"community"`
	Outside   LiftGroup   `json:"outside"`
	Levels    []LiftGroup `json:"levels"` // levels 1 to 4, in order
	Joiners   LiftJoiners `json:"joiners"`
	Resamples int         `json:"bootstrap_resamples"`
	Seed      uint64      `json:"bootstrap_seed"`
}

// LiftGroup is one group of customers: its size and means, and for a
// group in the community the difference from the customers outside.
type LiftGroup struct {
	Level     int     `json:"level,omitempty"` // 1 to 4 in Levels; 0 for the community and the outside
	Customers int     `json:"customers"`
	SpendRate float64 `json:"spend_rate"` // mean net spend per 30 days
	// Predicted is how many of the group's customers have a predicted
	// CLV; PredictedCLV is their mean.
	Predicted    int     `json:"predicted_customers"`
	PredictedCLV float64 `json:"predicted_clv"`
	// SpendLift and PredictedLift are the group's mean minus the
	// outside's, nil when either side has fewer than two customers.
	SpendLift     *Difference `json:"spend_rate_lift,omitempty"`
	PredictedLift *Difference `json:"predicted_clv_lift,omitempty"`
}

// LiftJoiners is the members who joined after their first purchase:
// their mean spend in the JoinWindow before joining and after, and the
// mean change (nil with fewer than two members).
type LiftJoiners struct {
	Members int         `json:"members"`
	Days    int         `json:"window_days"`
	Before  float64     `json:"before"`
	After   float64     `json:"after"`
	Change  *Difference `json:"change,omitempty"`
}

// Difference is an estimate with its bootstrap 95% confidence interval,
// as the report writes it.
type Difference struct {
	Estimate float64 `json:"estimate"`
	Low      float64 `json:"low"`
	High     float64 `json:"high"`
}

// minCompared is the fewest customers on each side of a comparison: one
// value has no spread to resample.
const minCompared = 2

// BuildLift makes the report from the facts, with intervals resampled
// as b says.
func BuildLift(f LiftFacts, b Bootstrap) (Lift, error) {
	if err := b.check(); err != nil {
		return Lift{}, fmt.Errorf("lift report: %w", err)
	}
	var in, out values
	levels := make([]values, EngagementLevels+1)
	var before, after []float64
	for i, c := range f.Customers {
		if c.Level < 0 || c.Level > EngagementLevels || c.Level > 0 && !c.InCommunity {
			return Lift{}, fmt.Errorf("lift report: customer %d has engagement level %d: want 1 to %d in the community, else 0", i+1, c.Level, EngagementLevels)
		}
		rate := c.SpendRate(f.AsOf)
		for _, v := range []struct {
			name  string
			value float64
		}{{"spend rate", rate}, {"predicted CLV", c.Predicted}, {"spend before joining", c.Before}, {"spend after joining", c.After}} {
			if math.IsNaN(v.value) || math.IsInf(v.value, 0) {
				return Lift{}, fmt.Errorf("lift report: customer %d: %s is %g, not a number", i+1, v.name, v.value)
			}
		}
		if !c.InCommunity {
			out.add(rate, c)
			continue
		}
		in.add(rate, c)
		levels[c.Level].add(rate, c)
		if c.Joiner(f.AsOf) {
			before, after = append(before, c.Before), append(after, c.After)
		}
	}
	l := Lift{AsOf: f.AsOf, Resamples: b.Resamples, Seed: b.Seed, Community: in.group(0), Outside: out.group(0)}
	groups := []values{in}
	for level := 1; level <= EngagementLevels; level++ {
		l.Levels = append(l.Levels, levels[level].group(level))
		groups = append(groups, levels[level])
	}
	// Every group against the same resampled outside, once per measure.
	lifts := []*LiftGroup{&l.Community}
	for i := range l.Levels {
		lifts = append(lifts, &l.Levels[i])
	}
	spend := compareAll(b, groups, out, func(v values) []float64 { return v.rates })
	predicted := compareAll(b, groups, out, func(v values) []float64 { return v.predicted })
	for i, g := range lifts {
		g.SpendLift, g.PredictedLift = spend[i], predicted[i]
	}
	l.Joiners = LiftJoiners{Members: len(before), Days: int(JoinWindow / (24 * time.Hour))}
	if len(before) > 0 {
		l.Joiners.Before, l.Joiners.After = mean(before), mean(after)
	}
	if len(before) >= minCompared {
		if iv, err := b.PairedChange(before, after); err == nil {
			l.Joiners.Change = difference(iv)
		}
	}
	return l, nil
}

// values are one group's spend rates, and the predicted CLVs of those
// who have one.
type values struct{ rates, predicted []float64 }

func (v *values) add(rate float64, c LiftCustomer) {
	v.rates = append(v.rates, rate)
	if c.HasPrediction {
		v.predicted = append(v.predicted, c.Predicted)
	}
}

// group is v's sizes and means.
func (v values) group(level int) LiftGroup {
	g := LiftGroup{Level: level, Customers: len(v.rates), Predicted: len(v.predicted)}
	if len(v.rates) > 0 {
		g.SpendRate = mean(v.rates)
	}
	if len(v.predicted) > 0 {
		g.PredictedCLV = mean(v.predicted)
	}
	return g
}

// compareAll is each group's mean of measure minus the outside's, with
// its interval (all resampled against the same outside), or nil for a
// group when a side is too small to compare.
func compareAll(b Bootstrap, groups []values, outside values, measure func(values) []float64) []*Difference {
	out := make([]*Difference, len(groups))
	base := measure(outside)
	if len(base) < minCompared {
		return out
	}
	var compared [][]float64
	var at []int
	for i, g := range groups {
		if x := measure(g); len(x) >= minCompared {
			compared, at = append(compared, x), append(at, i)
		}
	}
	if len(compared) == 0 {
		return out
	}
	ivs, err := b.MeanDifferences(compared, base)
	if err != nil {
		return out // values were checked: only an impossible bootstrap gets here
	}
	for k, iv := range ivs {
		out[at[k]] = difference(iv)
	}
	return out
}

func difference(iv Interval) *Difference {
	d := Difference(iv)
	return &d
}
