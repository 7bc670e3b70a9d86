package community

import (
	"fmt"
	"strings"
	"time"
)

// Tier is the rung of the loyalty ladder a member stands on. Tiers are
// ordered: a higher tier is served first and gets more perks.
type Tier int

// The tiers, lowest first.
const (
	TierNewcomer Tier = iota
	TierRegular
	TierLoyal
	TierVIP
)

// Tiers lists every tier, lowest first.
var Tiers = []Tier{TierNewcomer, TierRegular, TierLoyal, TierVIP}

// String names the tier as configuration and commands spell it.
func (t Tier) String() string {
	switch t {
	case TierVIP:
		return "vip"
	case TierLoyal:
		return "loyal"
	case TierRegular:
		return "regular"
	default:
		return "newcomer"
	}
}

// MarshalText writes the tier by name, as events carry it.
func (t Tier) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a tier's name.
func (t *Tier) UnmarshalText(b []byte) error {
	v, err := ParseTier(string(b))
	*t = v
	return err
}

// ParseTier reads a tier's name: vip, loyal, regular or newcomer.
func ParseTier(s string) (Tier, error) {
	for _, t := range Tiers {
		if strings.EqualFold(strings.TrimSpace(s), t.String()) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("%q is not a tier (vip, loyal, regular or newcomer)", s)
}

// Flags mark what staff should know about a member beyond the tier.
type Flags uint8

// The flags.
const (
	// FlagAtRiskVIP: a high-value customer whose engagement is falling or
	// who is unlikely to buy again.
	FlagAtRiskVIP Flags = 1 << iota
	// FlagVerifiedBuyer: a verified buyer (see Purchases.VerifiedBuyer).
	FlagVerifiedBuyer
)

// Has reports whether f includes flag.
func (f Flags) Has(flag Flags) bool { return f&flag != 0 }

// TierRules are the thresholds of the tiers; staff configure them.
type TierRules struct {
	// VIPValue and LoyalValue are the value percentiles (among linked
	// customers) at or above which a buyer is VIP or Loyal.
	VIPValue   float64
	LoyalValue float64
	// LoyalEngagement is the engagement percentile at or above which a
	// member is Loyal whatever they bought.
	LoyalEngagement float64
	// NewcomerFor is how long a member without orders is a Newcomer.
	NewcomerFor time.Duration
	// AtRiskDrop flags a VIP whose engagement this week fell by this share
	// of the previous four weeks' average (0.5: by half or more).
	AtRiskDrop float64
	// AtRiskPAlive flags a VIP whose probability of buying again is below it.
	AtRiskPAlive float64
	// ValueWeight is the share of value (the rest is engagement) in the
	// priority score.
	ValueWeight float64
}

// DefaultTierRules: the top 10% of customers by value are VIP, the top 40%
// or the 10% most engaged members Loyal.
func DefaultTierRules() TierRules {
	return TierRules{VIPValue: 90, LoyalValue: 60, LoyalEngagement: 90, NewcomerFor: 14 * 24 * time.Hour,
		AtRiskDrop: 0.5, AtRiskPAlive: 0.3, ValueWeight: 0.7}
}

// StandingInput is what the tier of one member is decided from.
type StandingInput struct {
	Member     MemberID
	Since      time.Time // when the member was first seen
	Engagement Engagement
	Via        LinkVia // how the member is linked to a shop customer; NotLinked when not
	Orders     int     // the customer's paid orders, as of the last CLV run
	// HistoricalPercentile and PredictedPercentile rank the customer's
	// historical and predicted CLV among linked customers (0-100).
	HistoricalPercentile float64
	PredictedPercentile  float64
	HasModel             bool // the prediction and PAlive are known
	PAlive               float64
}

// Standing is where a member stands: tier, flags and priority. Support,
// feedback and the digest all read it, so every part of Hearth serves
// members in the same order.
type Standing struct {
	Member     MemberID
	Tier       Tier
	Flags      Flags
	Priority   float64 // 0-100: higher is served first
	Value      float64 // the value percentile among linked customers; 0 when not a buyer
	Engagement Engagement
	ComputedAt time.Time
}

// Purchases are the facts of the member's purchases.
func (in StandingInput) Purchases() Purchases { return Purchases{Via: in.Via, PaidOrders: in.Orders} }

// Classify decides a member's standing. Value (the mean of the predicted
// and historical CLV percentiles, or the historical one alone when no
// model could be fitted) makes VIPs and most Loyal members; engagement
// makes the rest of the Loyal ones once they are past being Newcomers;
// time or a first order ends being a Newcomer. Any linked customer with
// orders has a value; only a verified buyer is flagged as one.
func (r TierRules) Classify(in StandingInput, now time.Time) Standing {
	s := Standing{Member: in.Member, Engagement: in.Engagement, ComputedAt: now}
	if in.Purchases().VerifiedBuyer() {
		s.Flags |= FlagVerifiedBuyer
	}
	buyer := in.Via != NotLinked && in.Orders > 0
	if buyer {
		s.Value = in.HistoricalPercentile
		if in.HasModel {
			s.Value = (in.HistoricalPercentile + in.PredictedPercentile) / 2
		}
	}
	switch {
	case buyer && s.Value >= r.VIPValue:
		s.Tier = TierVIP
	case buyer && s.Value >= r.LoyalValue:
		s.Tier = TierLoyal
	case !buyer && now.Sub(in.Since) < r.NewcomerFor:
		s.Tier = TierNewcomer
	case in.Engagement.Score > 0 && in.Engagement.Percentile >= r.LoyalEngagement:
		s.Tier = TierLoyal
	default:
		s.Tier = TierRegular
	}
	if buyer && s.Value >= r.VIPValue && r.atRisk(in) {
		s.Flags |= FlagAtRiskVIP
	}
	s.Priority = r.ValueWeight*s.Value + (1-r.ValueWeight)*in.Engagement.Percentile
	return s
}

func (r TierRules) atRisk(in StandingInput) bool {
	unlikely, dropped := r.RiskReasons(in.Engagement, in.HasModel, in.PAlive)
	return unlikely || dropped
}

// RiskReasons says why a VIP is at risk: unlikely to buy again (a model
// puts their P(alive) below AtRiskPAlive), and their engagement this week
// fell by AtRiskDrop or more of the four weeks' average.
func (r TierRules) RiskReasons(e Engagement, hasModel bool, pAlive float64) (unlikely, dropped bool) {
	change, ok := e.Trend()
	return hasModel && pAlive < r.AtRiskPAlive, ok && change <= -r.AtRiskDrop
}
