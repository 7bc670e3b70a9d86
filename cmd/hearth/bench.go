package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/storage"
)

// benchSeed fills the configured database with a made-up community of a
// given size, so that anyone can measure Hearth at scale.
func (c *cli) benchSeed(ctx context.Context, args []string) error {
	fs := c.flags("bench seed", "[--members N] [--activities N] [--orders N] [--seed S] [--config FILE]",
		"Fill the database with a made-up community to measure Hearth at scale: members on\n"+
			"Telegram and Discord in 10 connected groups, a year of activity (a few members\n"+
			"writing most of it, more of it lately), and two years of shop orders from\n"+
			"customers, three in ten members linked to one. PostgreSQL generates it in one\n"+
			"transaction; the same sizes and seed make the same community. A database seeded\n"+
			"before is refused. Use a database of its own: the rows look like real ones.")
	members := fs.Int("members", 100_000, "how many members")
	activities := fs.Int("activities", 1_000_000, "how many activities (messages, replies, reactions)")
	orders := fs.Int("orders", 400_000, "how many orders (one customer per four)")
	seed := fs.Float64("seed", 0.42, "the random seed, -1 to 1")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	start := time.Now()
	size := storage.SeedSize{Members: *members, Activities: *activities, Orders: *orders, Seed: *seed}
	if err := store.Seed(ctx, size, c.now()); err != nil {
		return err
	}
	_, err = fmt.Fprintf(c.stdout, "Seeded %d members, %d activities and %d orders in %s.\n", *members, *activities, *orders,
		time.Since(start).Round(100*time.Millisecond))
	return err
}
