package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/hearthbot/hearth/storage"
)

func (c *cli) migrate(ctx context.Context, args []string) error {
	fs := c.flags("migrate", "[--config FILE] [--status]",
		"Apply pending database migrations and report each one. Safe to run while\n"+
			"other Hearth processes start: they take turns under a database lock.")
	status := fs.Bool("status", false, "list every migration and whether it is applied; change nothing")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, c.stderr)
	db, err := openDatabase(ctx, cfg.Database, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if *status {
		return c.migrationStatus(ctx, db)
	}
	m, applied, err := migrate(ctx, db.DB, log)
	if err != nil {
		return err
	}
	for _, a := range applied {
		fmt.Fprintf(c.stdout, "applied %s (%s)\n", a.Name, a.Duration.Round(time.Millisecond))
	}
	current, _, err := m.Version(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(c.stdout, "nothing to apply: the schema is at version %d, up to date\n", current)
	} else {
		fmt.Fprintf(c.stdout, "the schema is at version %d, up to date\n", current)
	}
	return nil
}

func (c *cli) migrationStatus(ctx context.Context, db *database) error {
	m, err := storage.NewMigrator(db.DB, db.log)
	if err != nil {
		return err
	}
	all, err := m.Status(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tMIGRATION\tAPPLIED")
	for _, s := range all {
		when := "pending"
		if s.Applied {
			when = s.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\n", s.Version, s.Name, when)
	}
	return w.Flush()
}
