package telegram_test

import (
	"cmp"
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// custom is what a test changes in the Hearth that start builds: service
// options (attempts, clock) and commands of its own, registered before
// Hearth runs so that the router never sees the registry change.
type custom struct {
	setup
	service  func(*bots.ServiceOptions)
	commands []bots.Command
}

// startCustom is start with the test's own options and commands; /ping
// (staff) is registered as start does.
func startCustom(t testing.TB, c custom) *hearth {
	t.Helper()
	s := c.setup
	if s.store == nil {
		s.store = storage.New(storagetest.New(t))
		if !s.strangers {
			storagetest.EveryGroupConnected(t, s.store.DB())
		}
	}
	if s.tg == nil {
		s.tg = telegramtest.New(t, token)
	}
	so := bots.ServiceOptions{Store: s.store, CommunityName: "Tea Lovers", DefaultLanguage: "en",
		CLVHorizonMonths: 12}
	so.Wakeups = storagetest.OutboxWakeups(t, s.store.DB())
	if c.service != nil {
		c.service(&so)
	}
	svc, err := botstest.NewService(so, botstest.Setup{Owners: []community.Account{{Platform: community.Telegram, UserID: "1"}}, Tokens: s.linkTokens})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	apiURL := cmp.Or(s.apiURL, s.tg.URL())
	o := telegram.Options{Token: token, APIURL: apiURL, Catalog: svc.Catalog, OwnerIDs: []string{"1"}, PollTimeout: time.Second, Media: s.store}
	if !s.realLimits {
		o.Limits = unpaced
	}
	if s.webhookSecret != "" {
		o.WebhookURL, o.WebhookSecret = "https://hearth.example/api/telegram/webhook", s.webhookSecret
	}
	a, err := telegram.New(ctx, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	svc.Add(a)
	svc.Start()
	svc.Router.Registry().Add(bots.Command{Name: "ping", Permission: community.RoleStaff, Where: bots.Anywhere,
		Run: func(context.Context, *bots.Request) (bots.Reply, error) { return bots.Reply{Text: "pong"}, nil }})
	for _, cmd := range c.commands {
		svc.Router.Registry().Add(cmd)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	h := &hearth{store: s.store, tg: s.tg, svc: svc, bot: a}
	h.stop = func() { cancel(); <-done }
	t.Cleanup(h.stop)
	return h
}

// unpaced lets the tests that are not about Telegram's rate limits send
// without waiting a second between two messages to one chat.
var unpaced = telegram.Limits{PerSecond: 10000, ChatPerSecond: 10000, GroupPerMinute: 100000}

// replies returns the command's answer, whatever the update.
func replies(reply bots.Reply) bots.Handler {
	return func(context.Context, *bots.Request) (bots.Reply, error) { return reply, nil }
}

// waitCount waits until query counts want rows, failing the test after a
// generous timeout.
func (h *hearth) waitCount(t testing.TB, query string, want int, args ...any) {
	t.Helper()
	storagetest.WaitCount(t, h.store.DB(), want, query, args...)
}

// middayZone is a community time zone in which it is midday now, whatever
// the hour the test runs at: a test lasting less than twelve hours sees
// one community day, so figures computed "today" show the time of day,
// never a date, and no quiet hours or midnight fall inside the test.
func middayZone() *time.Location {
	now := time.Now().UTC()
	offset := 12*time.Hour - now.Sub(now.Truncate(24*time.Hour))
	return time.FixedZone("midday", int(offset.Seconds()))
}

// asOf is how /me, /top and /whois say that figures computed at at (in
// the community zone loc, on the test's one day) are as of: the time of
// day alone.
func asOf(at time.Time, loc *time.Location) string {
	return "as of " + at.In(loc).Format("15:04") + "."
}
