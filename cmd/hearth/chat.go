package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/console"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/cmd/hearth/compose"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/web"
	"github.com/prometheus/client_golang/prometheus"
)

// chatLayer assembles the chat platforms: Telegram and Discord when their
// tokens are set, else the console chat on the terminal.
func (c *cli) chatLayer(ctx context.Context, cfg config.Config, db *database, store *storage.Store, srv *web.Server, reg *prometheus.Registry, log *slog.Logger) (*bots.Service, error) {
	wakeups, err := storage.ListenOutbox(ctx, db.dsn, log)
	if err != nil {
		return nil, fmt.Errorf("listen for outbox work: %w", err)
	}
	useConsole := consoleChat(cfg)
	owners := ownerAccounts(cfg)
	if useConsole {
		owners = append(owners, community.Account{Platform: community.Console, UserID: console.OwnerID})
	}
	tokens, err := linkTokens(cfg)
	if err != nil && cfg.Link.Secret != "" {
		return nil, err
	}
	rules := bots.CommunityOptionsFrom(cfg)
	domain := compose.Parts{Store: store, Rules: rules, Name: cfg.Community.Name, Owners: owners, Tokens: tokens, Log: log}
	svc, err := bots.NewService(bots.ServiceOptions{
		Store: store, Domain: domain.Domain, CommunityName: cfg.Community.Name, DefaultLanguage: cfg.Community.DefaultLanguage,
		Log: log, Wakeups: wakeups, MaxAttempts: cfg.Outbox.MaxAttempts, InOrder: useConsole,
		CLVHorizonMonths: cfg.CLV.HorizonMonths, Community: rules,
		DeadLettered: deadLetterCounter(reg), Capabilities: platformFacts(),
	})
	if err != nil {
		return nil, err
	}
	if cfg.Telegram.Token != "" {
		if err := addTelegram(ctx, svc, store, cfg, srv, log); err != nil {
			return nil, err
		}
	}
	if cfg.Discord.Token != "" {
		if err := addDiscord(svc, store, cfg, log); err != nil {
			return nil, err
		}
	}
	if useConsole {
		log.Info("no telegram.token or discord.token: starting the console chat (see README)")
		svc.Add(console.New(console.Options{
			In: c.stdin, Out: c.stdout, Script: !isTerminal(c.stdin),
			CommunityName: cfg.Community.Name, Flush: svc.Dispatcher.DeliverPending,
			Files: filepath.Join(cfg.Database.DataDir, "files"), Media: store,
		}))
	}
	svc.Start()
	return svc, nil
}

// addTelegram connects the Telegram bot: long polling, or webhook mode
// with the endpoint on Hearth's HTTP server.
func addTelegram(ctx context.Context, svc *bots.Service, store *storage.Store, cfg config.Config, srv *web.Server, log *slog.Logger) error {
	o := telegram.Options{
		Token: cfg.Telegram.Token.Value(), APIURL: cfg.Telegram.APIURL, AdminCacheTTL: cfg.Community.AdminCacheTTL,
		OwnerIDs: ownerIDs(cfg, community.Telegram), Catalog: svc.Catalog, Log: log.With("platform", "telegram"),
		Groups: telegramGroups(cfg), Media: store,
	}
	if cfg.Telegram.Mode == config.ModeWebhook {
		o.WebhookURL, o.WebhookSecret = cfg.Telegram.WebhookURL, cfg.Telegram.WebhookSecret.Value()
	}
	a, err := telegram.New(ctx, o)
	if err != nil {
		return err
	}
	if o.WebhookURL != "" {
		srv.Handle("POST "+telegram.WebhookPath, a.WebhookHandler())
	}
	svc.Add(a)
	return nil
}

// addDiscord connects the Discord bot.
func addDiscord(svc *bots.Service, store *storage.Store, cfg config.Config, log *slog.Logger) error {
	a, err := discord.New(discord.Options{
		Token: cfg.Discord.Token.Value(), APIURL: cfg.Discord.APIURL, GuildIDs: cfg.Discord.GuildIDs,
		StaffRoleIDs: cfg.Discord.StaffRoleIDs, ShardID: cfg.Discord.ShardID, ShardCount: cfg.Discord.ShardCount,
		AdminCacheTTL: cfg.Community.AdminCacheTTL, Catalog: svc.Catalog, Log: log.With("platform", "discord"),
		TierRoles: cfg.DiscordTierRoles(), LeaveUnknownGuilds: cfg.Discord.LeaveUnknownGuilds, Media: store,
	})
	if err != nil {
		return err
	}
	svc.Add(a)
	return nil
}

// telegramGroups are the Telegram groups the configuration makes the
// community's: telegram.groups and the VIP group.
func telegramGroups(cfg config.Config) []string {
	groups := slices.Clone(cfg.Telegram.Groups)
	if id := cfg.Telegram.VIPChatID; id != "" && !slices.Contains(groups, id) {
		groups = append(groups, id)
	}
	return groups
}

// deadLetterCounter counts the updates Hearth gave up on, by platform and
// stage, as hearth_inbound_dead_letters_total.
func deadLetterCounter(reg *prometheus.Registry) func(inbox.DeadUpdate) {
	dead := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hearth_inbound_dead_letters_total",
		Help: "Updates Hearth gave up recording or handling (see /outbox), by platform and stage.",
	}, []string{"platform", "stage"})
	reg.MustRegister(dead)
	return func(d inbox.DeadUpdate) { dead.WithLabelValues(string(d.Platform), d.Stage).Inc() }
}

func ownerIDs(cfg config.Config, p community.Platform) []string {
	var out []string
	for _, o := range ownerAccounts(cfg) {
		if o.Platform == p {
			out = append(out, o.UserID)
		}
	}
	return out
}

func ownerAccounts(cfg config.Config) []community.Account {
	var out []community.Account
	for _, o := range cfg.OwnerAccounts() {
		out = append(out, community.Account{Platform: community.Platform(strings.ToLower(o.Platform)), UserID: o.UserID})
	}
	return out
}

// platformFacts are every platform's capabilities, so that a replica that
// does not run a platform still decides about its members as one that
// does.
func platformFacts() map[community.Platform]community.Capabilities {
	return map[community.Platform]community.Capabilities{
		community.Telegram: telegram.Capabilities(), community.Discord: discord.Capabilities(), community.Console: console.Capabilities(),
	}
}
