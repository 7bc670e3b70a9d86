package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
)

// npsReport prints the NPS report staff see with /nps, as text in the
// community's default language or as JSON, for scripts.
func (c *cli) npsReport(ctx context.Context, args []string) error {
	fs := c.flags("nps report", "[--weeks N] [--json] [--config FILE]",
		"Print the NPS report of the surveys of the last weeks: NPS with its 95% interval,\n"+
			"by tier, weighted by CLV, responses and response rate, the trend by ISO week\n"+
			"and the latest detractors' comments (what /nps shows staff).")
	weeks := fs.Int("weeks", feedback.DefaultReportWeeks, fmt.Sprintf("how many ISO weeks back, this one included (1 to %d)", feedback.MaxReportWeeks))
	asJSON := fs.Bool("json", false, "print JSON")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	if *weeks < 1 || *weeks > feedback.MaxReportWeeks {
		return usageError{fmt.Sprintf("nps report: --weeks must be 1 to %d, not %d", feedback.MaxReportWeeks, *weeks)}
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	surveys := feedback.NewSurveys(store, feedback.SurveyRules{Location: cfg.Location()},
		func() map[community.Platform]community.MessagingCapabilities { return nil }, c.now, 0)
	rep, err := surveys.Report(ctx, *weeks)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	cat, err := catalog.New()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.stdout, markup.Parse(bots.ReportText(cat, cfg.Community.DefaultLanguage, rep, *weeks)).PlainText())
	return err
}
