package bots

import (
	"math"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/digest"
)

// LiftText is the community-to-CLV lift report as staff read it, in
// lang: each group's size and mean, the differences from the customers
// outside the community with their 95% intervals, members' spend before
// and after joining, and the caveat that this is an association, not
// proof of cause. It is the text of `hearth report lift`.
func LiftText(cat *catalog.Catalog, lang string, l digest.Lift) string {
	lines := []string{cat.Text(lang, "lift.title", map[string]any{"AsOf": l.AsOf.Format("2006-01-02")}),
		cat.Text(lang, "lift.levels_note", nil), "", cat.Text(lang, "lift.spend_title", nil)}
	lines = append(lines, liftGroups(cat, lang, l, func(g digest.LiftGroup) (int, float64, *digest.Difference) {
		return g.Customers, g.SpendRate, g.SpendLift
	})...)
	lines = append(lines, "", cat.Text(lang, "lift.predicted_title", nil))
	lines = append(lines, liftGroups(cat, lang, l, func(g digest.LiftGroup) (int, float64, *digest.Difference) {
		return g.Predicted, g.PredictedCLV, g.PredictedLift
	})...)
	lines = append(lines, "", cat.Text(lang, "lift.joiners_title", map[string]any{"Days": l.Joiners.Days}))
	if j := l.Joiners; j.Members == 0 {
		lines = append(lines, cat.Text(lang, "lift.joiners_none", map[string]any{"Days": j.Days}))
	} else {
		lines = append(lines, cat.Count(lang, "lift.joiners", j.Members, map[string]any{"Before": liftMoney(j.Before), "After": liftMoney(j.After)}),
			cat.Text(lang, "lift.change", map[string]any{"Change": catalog.Raw(liftInterval(cat, lang, j.Change))}))
	}
	return strings.Join(append(lines, "", cat.Text(lang, "lift.caveat", nil)), "\n")
}

// liftGroups are the lines of one measure: the community, the outside
// and each level, each in the community with its difference from the
// outside.
func liftGroups(cat *catalog.Catalog, lang string, l digest.Lift, measure func(digest.LiftGroup) (int, float64, *digest.Difference)) []string {
	line := func(id string, g digest.LiftGroup, compared bool) string {
		n, mean, diff := measure(g)
		shown := "—"
		if n > 0 {
			shown = liftMoney(mean)
		}
		text := cat.Count(lang, id, n, map[string]any{"Mean": shown, "Level": g.Level})
		if !compared {
			return text
		}
		against := cat.Text(lang, "lift.too_few", nil)
		if diff != nil {
			against = cat.Text(lang, "lift.against_outside", map[string]any{"Difference": catalog.Raw(liftInterval(cat, lang, diff))})
		}
		return text + " · " + against
	}
	lines := []string{line("lift.community", l.Community, true), line("lift.outside", l.Outside, false)}
	for _, g := range l.Levels {
		lines = append(lines, line("lift.level", g, true))
	}
	return lines
}

// liftInterval writes a difference with its interval, as
// "+12.40 (95% CI 8.10 to 16.90)", or says there were too few.
func liftInterval(cat *catalog.Catalog, lang string, d *digest.Difference) string {
	if d == nil {
		return cat.Text(lang, "lift.too_few", nil)
	}
	estimate := liftMoney(d.Estimate)
	if math.Round(d.Estimate*100) > 0 {
		estimate = "+" + estimate
	}
	return cat.Text(lang, "lift.interval", map[string]any{"Estimate": estimate, "Low": liftMoney(d.Low), "High": liftMoney(d.High)})
}

// liftMoney writes an amount with two decimals (never "-0.00").
func liftMoney(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100+0, 'f', 2, 64)
}
