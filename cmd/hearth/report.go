package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/bots/markup"
	"github.com/hearthbot/hearth/digest"
)

// reportLift prints the community-to-CLV lift report, as text in the
// community's default language or as JSON, for scripts.
func (c *cli) reportLift(ctx context.Context, args []string) error {
	fs := c.flags("report lift", "[--json] [--config FILE]",
		"Print the community-to-CLV lift report: linked customers' spend per 30 days and\n"+
			"predicted CLV, in the community and by engagement level, against the shop's\n"+
			"customers outside it, and members' spend in the 90 days before and after\n"+
			"joining, each with its group sizes and a bootstrap 95% interval. It shows an\n"+
			"association, not proof of cause.")
	asJSON := fs.Bool("json", false, "print JSON")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	facts, err := store.LiftFacts(ctx, c.now())
	if err != nil {
		return err
	}
	lift, err := digest.BuildLift(facts, digest.DefaultBootstrap)
	if err != nil {
		return err
	}
	cat, err := catalog.New()
	if err != nil {
		return err
	}
	lang := cfg.Community.DefaultLanguage
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			digest.Lift
			Caveat string `json:"caveat"`
		}{lift, markup.Parse(cat.Text(lang, "lift.caveat", nil)).PlainText()})
	}
	_, err = fmt.Fprintln(c.stdout, markup.Parse(bots.LiftText(cat, lang, lift)).PlainText())
	return err
}
