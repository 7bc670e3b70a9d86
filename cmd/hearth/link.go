package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/go-telegram/bot"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/config"
)

// linkTokens returns the link token issuer, or an error saying why links
// are off (no link.secret).
func linkTokens(cfg config.Config) (*community.LinkTokens, error) {
	return linkTokensAt(cfg, time.Now)
}

// linkTokensAt is linkTokens on the clock now.
func linkTokensAt(cfg config.Config, now func() time.Time) (*community.LinkTokens, error) {
	if cfg.Link.Secret == "" {
		return nil, errors.New("link.secret is not set: members cannot link shop accounts (see hearth.example.yaml)")
	}
	return community.NewLinkTokens(cfg.Link.Secret.Value(), cfg.Link.TTL, now)
}

// linkURL is what hearth link-url prints for one customer.
type linkURL struct {
	Customer string    `json:"customer"`
	Token    string    `json:"token"`
	Telegram string    `json:"telegram,omitempty"` // the deep link; empty without a Telegram bot
	Discord  string    `json:"discord"`            // the command to send on Discord
	Expires  time.Time `json:"expires"`
}

func (c *cli) linkURL(ctx context.Context, args []string) error {
	fs := c.flags("link-url", "--customer ID [--allow-unknown] [--json] [--config FILE]",
		"Print the links that connect a shop customer to their community account,\n"+
			"for the shop to put in order e-mails: a Telegram deep link (the bot's\n"+
			"username is asked from Telegram when telegram.token is set) and the /link\n"+
			"command. They expire after link.ttl. The customer must be known to Hearth\n"+
			"(an order of theirs imported or received), unless --allow-unknown is given.")
	customer := fs.String("customer", "", "the shop's customer `ID`")
	allowUnknown := fs.Bool("allow-unknown", false, "sign a link for a customer Hearth has no order of yet (such as in the e-mail\n"+
		"        of a first order sent before the order reaches Hearth); the database is not read")
	asJSON := fs.Bool("json", false, "print JSON (customer, token, telegram, discord, expires)")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	if *customer == "" {
		return usageError{"link-url: --customer is required (see hearth link-url --help)"}
	}
	tokens, err := linkTokensAt(cfg, c.now)
	if err != nil {
		return configError{err}
	}
	token, expires, err := tokens.Issue(*customer)
	if err != nil {
		return usageError{"link-url: " + err.Error()}
	}
	if !*allowUnknown {
		if err := c.knownCustomer(ctx, cfg, *customer); err != nil {
			return err
		}
	}
	out := linkURL{Customer: *customer, Token: token, Discord: "/link " + token, Expires: expires.UTC()}
	if cfg.Telegram.Token != "" {
		name, err := telegramUsername(ctx, cfg.Telegram)
		if err != nil {
			return err
		}
		out.Telegram = "https://t.me/" + name + "?start=" + url.QueryEscape(token)
	} else {
		fmt.Fprintln(c.stderr, "link-url: no Telegram link: telegram.token is not set, so the bot's username is unknown; "+
			"the /link command works wherever Hearth runs")
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if out.Telegram != "" {
		fmt.Fprintf(c.stdout, "Telegram: %s\n", out.Telegram)
	}
	fmt.Fprintf(c.stdout, "Discord:  %s\nExpires:  %s\n", out.Discord, out.Expires.Format(time.RFC3339))
	return nil
}

// knownCustomer refuses a customer id that no stored order names: most
// likely a typo or another shop's id, which would link a member to nobody.
func (c *cli) knownCustomer(ctx context.Context, cfg config.Config, customer string) error {
	store, done, err := c.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer done()
	known, err := store.CustomerExists(ctx, customer)
	if err != nil {
		return err
	}
	if !known {
		return usageError{fmt.Sprintf("link-url: Hearth knows no customer %q (no order of theirs has been imported or received); "+
			"check the id, or pass --allow-unknown to sign a link for a customer whose first order has not arrived yet", customer)}
	}
	return nil
}

// telegramUsername asks Telegram for the bot's username.
func telegramUsername(ctx context.Context, cfg config.Telegram) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	b, err := bot.New(cfg.Token.Value(), bot.WithServerURL(cfg.APIURL), bot.WithSkipGetMe())
	if err != nil {
		return "", fmt.Errorf("telegram: %w", err)
	}
	me, err := b.GetMe(ctx)
	if err != nil {
		return "", fmt.Errorf("telegram getMe (for the bot's username): %w", err)
	}
	return me.Username, nil
}
