package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/hearthbot/hearth/config"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/web"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// shutdownHTTP bounds how long in-flight requests may finish at shutdown;
// with the database's own stop it keeps a clean stop under 10 seconds.
const shutdownHTTP = 4 * time.Second

func (c *cli) run(ctx context.Context, args []string) error {
	fs := c.flags("run", "[--config FILE]",
		"Start Hearth: open the database (or start the local PostgreSQL when database.url\n"+
			"is empty), apply pending migrations, serve HTTP (/healthz, /readyz, /metrics) and\n"+
			"run the Telegram and Discord bots until SIGINT or SIGTERM. With neither token set,\n"+
			"it starts the console chat on the terminal instead; piped input is read as a\n"+
			"script and Hearth stops when it ends.")
	cfg, err := c.parseConfig(fs, args)
	if err != nil {
		return err
	}
	logs, closeLogs, err := c.logDestination(cfg, isTerminal(c.stdout))
	if err != nil {
		return err
	}
	defer closeLogs()
	log := newLogger(cfg.Log, logs)
	log.Info("starting Hearth", "version", versionString(), "community", cfg.Community.Name)

	db, err := openDatabase(ctx, cfg.Database, log)
	if err != nil {
		return err
	}
	defer func() {
		db.Close()
		log.Info("stopped")
	}()
	migrator, _, err := migrate(ctx, db.DB, log)
	if err != nil {
		return err
	}

	return c.serve(ctx, cfg, db, migrator, log)
}

// logDestination is where run logs: standard error, except while the
// console chat runs on a terminal, where log lines would land in the
// middle of the conversation; they go to <data_dir>/hearth.log then.
func (c *cli) logDestination(cfg config.Config, terminal bool) (io.Writer, func(), error) {
	if !consoleChat(cfg) || !terminal {
		return c.stderr, func() {}, nil
	}
	if err := os.MkdirAll(cfg.Database.DataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("database.data_dir %s: %w", cfg.Database.DataDir, err)
	}
	path := filepath.Join(cfg.Database.DataDir, "hearth.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open the log file: %w", err)
	}
	fmt.Fprintf(c.stderr, "Hearth logs to %s while the console chat runs.\n", path)
	return f, func() { f.Close() }, nil
}

// consoleChat reports whether run chats on the console: no platform token.
func consoleChat(cfg config.Config) bool { return cfg.Telegram.Token == "" && cfg.Discord.Token == "" }

// serve runs Hearth on an open, migrated database: HTTP, the order
// webhooks, the chat layer and the scheduler, until ctx ends or one of
// them stops; it returns the first failure.
func (c *cli) serve(ctx context.Context, cfg config.Config, db *database, migrator *storage.Migrator, log *slog.Logger) error {
	reg := web.NewRegistry(versionString())
	reg.MustRegister(collectors.NewDBStatsCollector(db.DB.DB, "hearth"))
	srv, err := web.Listen(cfg.HTTP.Addr, migrator.Ready, reg, log)
	if err != nil {
		return err
	}
	store := storage.New(db.DB)
	(&web.OrderWebhooks{Sink: store, Log: log.With("part", "webhooks"), HearthSecret: cfg.Shop.WebhookSecret.Value(),
		ShopifySecret: cfg.Shop.ShopifySecret.Value(), WooCommerceSecret: cfg.Shop.WooCommerceSecret.Value()}).Mount(srv)
	chatCtx, stopChat := context.WithCancel(ctx)
	defer stopChat()
	chat, err := c.chatLayer(chatCtx, cfg, db, store, srv, reg, log)
	if err != nil {
		return err
	}
	clvOptions, err := clvScoreOptions(cfg)
	if err != nil {
		return err
	}
	jobs := append(hearthJobs(cfg, store, clvOptions, log), chat.Jobs()...)
	scheduled, err := (&scheduler{slots: store, clock: systemClock{}, log: log}).start(chatCtx, jobs)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	chatting := make(chan error, 1)
	go func() { chatting <- chat.Run(chatCtx) }()
	log.Info("Hearth is running; stop it with Ctrl-C", "http", "http://"+srv.Addr(), "platforms", chat.Platforms())

	return waitForStop(ctx, stopChat, running{served, chatting, scheduled}, db, srv, log)
}

// running is what serve started: HTTP, the chat layer and the scheduler.
type running struct {
	served, chatting <-chan error
	scheduled        <-chan struct{} // closed when every job has stopped
}

// waitForStop waits until ctx ends, HTTP or the chat stops, or the local
// PostgreSQL dies; then it stops the chat and the jobs under way (which
// get shutdownHTTP to finish) and HTTP (in-flight requests get
// shutdownHTTP), and returns the first failure.
func waitForStop(ctx context.Context, stopChat func(), r running, db *database, srv *web.Server, log *slog.Logger) error {
	var failure error
	chatDone := false
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-r.served:
		failure = err
	case err := <-r.chatting:
		chatDone, failure = true, err // nil: the console's input ended
	case <-db.localStopped():
		failure = errors.New("the local PostgreSQL stopped unexpectedly (see its log next to database.data_dir/pg)")
	}
	stopChat()
	if !chatDone {
		if err := <-r.chatting; err != nil && failure == nil {
			failure = err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownHTTP)
	defer cancel()
	select {
	case <-r.scheduled:
	case <-shutdownCtx.Done():
		log.Warn("scheduled jobs did not finish in time")
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http server did not finish in time", "error", err)
	}
	if failure != nil {
		return fmt.Errorf("run: %w", failure)
	}
	return nil
}
