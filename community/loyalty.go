package community

import (
	"math"
	"slices"
)

// LoyaltyRules say how members earn points: for what they do and for
// what they buy.
type LoyaltyRules struct {
	Points      Weights // points per activity of each kind
	PerOrder    float64 // points per paid order
	PerCurrency float64 // points per unit of money spent
}

// DefaultLoyaltyRules: 50 points an order and one per unit spent.
func DefaultLoyaltyRules() LoyaltyRules {
	return LoyaltyRules{Points: DefaultPointWeights(), PerOrder: 50, PerCurrency: 1}
}

// Progress is what a member has done, for points and milestones.
type Progress struct {
	ActivityPoints float64 // activities weighted by LoyaltyRules.Points
	Messages       int     // messages and replies in the community
	Helpful        int     // answers marked helpful
	Via            LinkVia // how the member is linked to a shop customer
	Orders         int     // the customer's paid orders
	Revenue        float64
	Level          int
}

// Total is the member's loyalty points: never negative, whole.
func (r LoyaltyRules) Total(p Progress) int64 {
	total := p.ActivityPoints + float64(p.Orders)*r.PerOrder + math.Max(p.Revenue, 0)*r.PerCurrency
	return int64(math.Floor(math.Max(total, 0)))
}

// Milestone is a step members reach once and are congratulated for; its
// badge shows on /me. Its text is the catalog message "milestone.<ID>".
type Milestone struct {
	ID      string
	Reached func(p Progress, points int64) bool
}

// Milestones are reached in roughly this order. The first is small and
// comes early, so that a new member is rewarded in their first days.
var Milestones = []Milestone{
	{"first_steps", func(p Progress, _ int64) bool { return p.Via != NotLinked && p.Messages > 0 }},
	{"first_purchase", func(p Progress, _ int64) bool { return Purchases{Via: p.Via, PaidOrders: p.Orders}.VerifiedBuyer() }},
	{"conversationalist", func(p Progress, _ int64) bool { return p.Messages >= 50 }},
	{"helper", func(p Progress, _ int64) bool { return p.Helpful > 0 }},
	{"points_500", func(_ Progress, n int64) bool { return n >= 500 }},
	{"points_2000", func(_ Progress, n int64) bool { return n >= 2000 }},
	{"advocate", func(p Progress, _ int64) bool { return p.Level == 1 }},
}

// NewMilestones returns the milestones reached that are not in have.
func NewMilestones(p Progress, points int64, have []string) []string {
	var out []string
	for _, m := range Milestones {
		if !slices.Contains(have, m.ID) && m.Reached(p, points) {
			out = append(out, m.ID)
		}
	}
	return out
}
