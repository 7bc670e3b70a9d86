package bots_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/digest"
)

// TestLiftTextShowsSizesMeansIntervalsAndTheCaveat: the report of a
// constructed lift reads as staff should see it, in English, and every
// language renders it without a missing message.
func TestLiftTextShowsSizesMeansIntervalsAndTheCaveat(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	l := digest.Lift{
		AsOf: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC),
		Community: digest.LiftGroup{Customers: 1200, SpendRate: 42.104, Predicted: 900, PredictedCLV: 310,
			SpendLift:     &digest.Difference{Estimate: 12.4, Low: 8.1, High: 16.9},
			PredictedLift: &digest.Difference{Estimate: -3.456, Low: -9.5, High: 2.25}},
		Outside: digest.LiftGroup{Customers: 5600, SpendRate: 29.704, Predicted: 4000, PredictedCLV: 313.456},
		Levels: []digest.LiftGroup{
			{Level: 1, Customers: 1, SpendRate: 80, Predicted: 1, PredictedCLV: 500},
			{Level: 2, Customers: 300, SpendRate: 50, SpendLift: &digest.Difference{Estimate: 20.3, Low: 15, High: 25.55}},
			{Level: 3},
			{Level: 4, Customers: 899, SpendRate: 39.6, SpendLift: &digest.Difference{Estimate: 9.9, Low: 5, High: 14.8}},
		},
		Joiners: digest.LiftJoiners{Members: 150, Days: 90, Before: 20, After: 25.5,
			Change: &digest.Difference{Estimate: 5.5, Low: 1, High: 9.75}},
	}
	text := markup.Parse(bots.LiftText(cat, "en", l)).PlainText()
	for _, want := range []string{
		"Community and CLV (as of 2026-12-07)",
		"• In the community: 42.10 (1200 customers) · +12.40 (95% CI 8.10 to 16.90) against those outside",
		"• Not in the community: 29.70 (5600 customers)\n",
		"• Level 1: 80.00 (1 customer) · too few to compare",
		"• Level 2: 50.00 (300 customers) · +20.30 (95% CI 15.00 to 25.55) against those outside",
		"• Level 3: — (0 customers) · too few to compare",
		"• In the community: 310.00 (900 customers) · -3.46 (95% CI -9.50 to 2.25) against those outside",
		"• Not in the community: 313.46 (4000 customers)",
		"• Level 4: — (0 customers) · too few to compare", // no predicted CLV at level 4
		"the 90 days before joining",
		"• 150 members: 20.00 before, 25.50 after",
		"• Change: +5.50 (95% CI 1.00 to 9.75)",
		"This shows an association, not proof of cause",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	l.Joiners = digest.LiftJoiners{Days: 90}
	if text := markup.Parse(bots.LiftText(cat, "en", l)).PlainText(); !strings.Contains(text, "No member has joined after a first order and at least 90 days ago yet.") {
		t.Errorf("no joiners:\n%s", text)
	}
	for _, lang := range cat.Languages() {
		if text := bots.LiftText(cat, lang, l); strings.Contains(text, "lift.") {
			t.Errorf("%s: a message is missing:\n%s", lang, text)
		}
	}
}
