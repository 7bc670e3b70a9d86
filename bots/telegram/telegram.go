// Package telegram connects Hearth to Telegram through the Bot API, with
// github.com/go-telegram/bot: updates by long polling or by webhook, each
// handled once and acknowledged only once handled; messages in HTML parse
// mode with inline keyboards, under Telegram's rate limits; command menus
// per scope and language; group administrators as staff.
package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// Options configures the adapter.
type Options struct {
	Token  string
	APIURL string // https://api.telegram.org, or a self-hosted Bot API server
	// Webhook mode: Telegram calls WebhookURL (which must reach Hearth's
	// WebhookPath) with WebhookSecret; empty WebhookURL means long polling.
	WebhookURL    string
	WebhookSecret string
	// Groups are the group ids telegram.groups lists: the community's
	// whoever added Hearth to them.
	Groups []string
	// AdminCacheTTL is how long the lists of the community's groups'
	// administrators (who are staff) are trusted.
	AdminCacheTTL time.Duration
	// OwnerIDs are the owners' Telegram user ids, whose private chats get
	// the owner commands in their menu.
	OwnerIDs []string
	Catalog  *catalog.Catalog
	Log      *slog.Logger
	// PollTimeout is how long one getUpdates call waits (default 30s).
	PollTimeout time.Duration
	// Limits paces sending; zero means Telegram's limits. Only tests
	// that are not about pacing set it.
	Limits Limits
	// Media reads the stored files messages carry (Message.Media).
	Media outbox.MediaOpener
}

// WebhookPath is where Hearth's HTTP server takes Telegram's webhook calls.
const WebhookPath = "/api/telegram/webhook"

// Adapter is the Telegram platform.
type Adapter struct {
	o       Options
	bot     *bot.Bot
	gate    *ackGate
	files   *http.Client // file downloads (FetchMedia)
	limits  *limits
	admins  *adminCache
	catalog *catalog.Catalog
	log     *slog.Logger
	botName string
	router  atomic.Pointer[bots.Router] // set by Run
}

// New connects to the Bot API (getMe checks the token) and returns the
// adapter.
func New(ctx context.Context, o Options) (*Adapter, error) {
	if o.PollTimeout <= 0 {
		o.PollTimeout = 30 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{o: o, limits: newLimits(o.Limits), catalog: o.Catalog, log: o.Log}
	a.gate = newAckGate(&http.Client{Timeout: o.PollTimeout + 15*time.Second})
	a.files = &http.Client{Timeout: downloadTimeout}
	b, err := bot.New(o.Token,
		bot.WithServerURL(o.APIURL),
		bot.WithHTTPClient(o.PollTimeout+time.Second, a.gate),
		bot.WithAllowedUpdates(AllowedUpdates),
		bot.WithNotAsyncHandlers(),
		bot.WithWorkers(1), // updates are handed over in their order; recording them does not wait

		bot.WithDefaultHandler(a.onUpdate),
		bot.WithErrorsHandler(func(err error) { a.log.Warn("telegram", "error", err) }),
		bot.WithCheckInitTimeout(30*time.Second),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	me, err := b.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("telegram getMe: %w", err)
	}
	a.bot, a.botName = b, me.Username
	a.admins = newAdminCache(b, a.connectedGroups, o.AdminCacheTTL, o.Log)
	return a, nil
}

// connectedGroups lists the community's groups on Telegram.
func (a *Adapter) connectedGroups(ctx context.Context) ([]string, error) {
	r := a.router.Load()
	if r == nil {
		return nil, nil
	}
	return r.Groups().Connected(ctx, community.Telegram)
}

// ConfiguredGroups implements bots.ConfiguredGroups.
func (a *Adapter) ConfiguredGroups() []community.Group {
	out := make([]community.Group, len(a.o.Groups))
	for i, id := range a.o.Groups {
		out[i] = community.Group{Platform: community.Telegram, ID: id}
	}
	return out
}

// Platform implements bots.Adapter.
func (a *Adapter) Platform() community.Platform { return community.Telegram }

// Bot returns the library's client, for features beyond chat (moderation).
func (a *Adapter) Bot() *bot.Bot { return a.bot }

// IsAdmin implements community.PlatformAdmins.
func (a *Adapter) IsAdmin(ctx context.Context, userID string) (bool, error) {
	return a.admins.isAdmin(ctx, userID)
}

// Run implements bots.Adapter: it registers the command menus, then polls
// for updates, or in webhook mode registers the webhook and waits while
// WebhookHandler serves.
func (a *Adapter) Run(ctx context.Context, r *bots.Router) error {
	a.router.Store(r)
	if err := a.registerMenus(ctx, r.Registry(), r.DefaultLanguage()); err != nil {
		a.log.Warn("telegram: command menus not registered", "error", err)
	}
	if a.o.WebhookURL != "" {
		if _, err := a.bot.SetWebhook(ctx, &bot.SetWebhookParams{URL: a.o.WebhookURL, SecretToken: a.o.WebhookSecret,
			AllowedUpdates: AllowedUpdates, MaxConnections: 100}); err != nil {
			return fmt.Errorf("set webhook: %w", err)
		}
		a.log.Info("telegram webhook set", "url", a.o.WebhookURL)
		<-ctx.Done()
		return nil
	}
	// getUpdates fails while a webhook is set; pending updates are kept.
	if _, err := a.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("delete webhook before polling: %w", err)
	}
	a.log.Info("telegram polling for updates", "bot", a.botName)
	a.bot.Start(ctx)
	return nil
}

// onUpdate hands one polled update over for recording, in the order
// Telegram sent it, without waiting. Once it is recorded (or, refused by
// the database every time, moved to the dead letters) the gate lets the
// next getUpdates acknowledge it; handling follows from the inbox. An
// update Hearth stops before recording stays unacknowledged and Telegram
// delivers it again.
func (a *Adapter) onUpdate(ctx context.Context, _ *bot.Bot, u *models.Update) {
	upd, ok := a.convert(u)
	if !ok {
		a.gate.handled(u.ID)
		return
	}
	recorded := a.router.Load().Accept(ctx, upd)
	go func() {
		if <-recorded == nil {
			a.gate.handled(u.ID)
		}
	}()
}

// convert turns an update into Hearth's terms, forgetting the
// administrators of a group whose members' rights may have changed.
func (a *Adapter) convert(u *models.Update) (bots.Update, bool) {
	switch {
	case u.ChatMember != nil:
		a.admins.forgetGroup(strconv.FormatInt(u.ChatMember.Chat.ID, 10))
	case u.MyChatMember != nil:
		a.admins.forgetGroup(strconv.FormatInt(u.MyChatMember.Chat.ID, 10))
	}
	upd, ok := convert(u, a.botName)
	upd.Seq = u.ID
	return upd, ok
}

// receive records one update (the webhook).
func (a *Adapter) receive(ctx context.Context, r *bots.Router, u *models.Update) error {
	upd, ok := a.convert(u)
	if !ok {
		return nil
	}
	return r.Receive(ctx, upd)
}

// ownerChats returns the owners' private chat ids.
func (a *Adapter) ownerChats() []int64 {
	var out []int64
	for _, id := range a.o.OwnerIDs {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			out = append(out, n)
		}
	}
	return out
}
