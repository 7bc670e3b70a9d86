package main

import (
	"fmt"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
)

// thinDataNotes say why a CLV run's figures may read other than they look:
// orders left out as dated after the run's end, nobody to score, too few
// customers for RFM scores, and one-time buyers' P(alive) of 1.
func thinDataNotes(run clv.ModelRun, oneTimeBuyers int) []string {
	var notes []string
	end := run.End.Format(time.DateOnly)
	if run.Later > 0 {
		verb := "were"
		if run.Later == 1 {
			verb = "was"
		}
		notes = append(notes, fmt.Sprintf("%s dated after %s %s left out (an order counts once its date has passed; "+
			"a shop whose clock runs ahead dates orders in the future)", plural(run.Later, "paid order", "paid orders"), end, verb))
	}
	switch {
	case run.Customers == 0:
		notes = append(notes, fmt.Sprintf("no paid order up to %s: there is nobody to score yet", end))
	case run.Customers < clv.MinRFMCustomers:
		notes = append(notes, fmt.Sprintf("only %s: RFM scores rank customers in fifths of those scored together, "+
			"so with fewer than %d they say little (a customer scored alone gets 1 everywhere, segment Lost)",
			plural(run.Customers, "customer", "customers"), clv.MinRFMCustomers))
	}
	if n := oneTimeBuyers; n > 0 && run.Error == "" && run.BGNBD != nil {
		notes = append(notes, fmt.Sprintf("%s not bought a second time: BG/NBD sees nobody leave before a repeat purchase, "+
			"so it puts their P(alive) at 1.00 however long ago they bought; their RFM segment says more",
			plural(n, "customer has", "customers have")))
	}
	return notes
}

// tierNotes say when too few customers are linked to members for anyone to
// reach the value tiers: a tier compares a linked customer's value with the
// other linked customers' (community.Percentiles), and the best of a few
// ranks below the tier's percentile.
func tierNotes(linked int, rules community.TierRules) []string {
	vip, loyal := fewestToReach(rules.VIPValue), fewestToReach(rules.LoyalValue)
	if linked >= vip {
		return nil
	}
	note := fmt.Sprintf("only %s linked to members: tiers compare a linked customer's value with the others', "+
		"so nobody can be VIP by value (tiers.vip_percentile %g) until %d are linked",
		plural(linked, "customer is", "customers are"), rules.VIPValue, vip)
	if linked < loyal {
		note += fmt.Sprintf(", nor Loyal (tiers.loyal_percentile %g) until %d are", rules.LoyalValue, loyal)
	}
	return []string{note}
}

// fewestToReach is the fewest customers among whom the best one ranks at
// percentile p or above, by community.Percentiles (up to 1000).
func fewestToReach(p float64) int {
	const most = 1000
	for n := 1; n < most; n++ {
		values := make([]float64, n)
		for i := range values {
			values[i] = float64(i)
		}
		if community.Percentiles(values)[n-1] >= p {
			return n
		}
	}
	return most
}

// plural is n followed by one or many, as n asks: "1 order", "2 orders".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
