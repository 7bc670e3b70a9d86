package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/console"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/web"
)

// chatLayer assembles the chat platforms: Telegram and Discord when their
// tokens are set, else the console chat on the terminal.
func (c *cli) chatLayer(ctx context.Context, cfg config.Config, db *database, srv *web.Server, log *slog.Logger) (*bots.Service, error) {
	store := storage.New(db.DB)
	wakeups, err := storage.ListenOutbox(ctx, db.dsn, log)
	if err != nil {
		return nil, fmt.Errorf("listen for outbox work: %w", err)
	}
	useConsole := cfg.Telegram.Token == "" && cfg.Discord.Token == ""
	owners := ownerAccounts(cfg)
	if useConsole {
		owners = append(owners, community.Account{Platform: community.Console, UserID: console.OwnerID})
	}
	svc, err := bots.NewService(bots.ServiceOptions{
		Store: store, Owners: owners, CommunityName: cfg.Community.Name, DefaultLanguage: cfg.Community.DefaultLanguage,
		Log: log, Wakeups: wakeups, MaxAttempts: cfg.Outbox.MaxAttempts, InOrder: useConsole,
	})
	if err != nil {
		return nil, err
	}
	if useConsole {
		log.Info("no telegram.token or discord.token: starting the console chat (see README)")
		svc.Add(console.New(console.Options{
			In: c.stdin, Out: c.stdout, Script: !isTerminal(c.stdin),
			CommunityName: cfg.Community.Name, Flush: svc.Dispatcher.DeliverPending,
		}))
	}
	svc.Start()
	return svc, nil
}

func ownerAccounts(cfg config.Config) []community.Account {
	var out []community.Account
	for _, o := range cfg.OwnerAccounts() {
		out = append(out, community.Account{Platform: community.Platform(strings.ToLower(o.Platform)), UserID: o.UserID})
	}
	return out
}
