package main

import (
	"context"
	"fmt"

	"go.yaml.in/yaml/v3"
)

func (c *cli) configCheck(_ context.Context, args []string) error {
	fs := c.flags("config check", "[--config FILE]",
		"Validate the configuration (defaults, then the file, then the environment) and\n"+
			"print the effective values, secrets masked. Every problem is listed with its key.")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "# The configuration is valid. Effective values (secrets masked):\n%s", out)
	return nil
}
