package discord_test

import (
	"context"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// scene is the Discord a test starts Hearth in, and what the test changes
// in Hearth: adapter options and commands of its own, registered before
// Hearth runs.
type scene struct {
	fake     []discordtest.Option
	prepare  func(dc *discordtest.Server) // guilds and members, before Hearth connects
	owner    string                       // the owner's user id
	adapter  func(*discord.Options)
	service  func(*bots.ServiceOptions)
	tokens   *community.LinkTokens // nil: no linking
	commands []bots.Command
	// messages, when set, sees every member's message (a hook on the
	// router).
	messages bots.Hook
	// strangers: servers join the community only when connected, as in
	// production; else every server the test uses is born connected.
	strangers bool
}

// world is Hearth running against a fake Discord.
type world struct {
	store    *storage.Store
	dc       *discordtest.Server
	svc      *bots.Service
	identify discordgo.Identify // the first IDENTIFY Hearth sent
}

// startScene starts Hearth on Discord as sc describes and waits until it
// has identified and registered its slash commands.
func startScene(t *testing.T, sc scene) *world {
	t.Helper()
	w := &world{store: storage.New(storagetest.New(t)), dc: discordtest.New(t, token, sc.fake...)}
	if !sc.strangers {
		storagetest.EveryGroupConnected(t, w.store.DB())
	}
	if sc.prepare != nil {
		sc.prepare(w.dc)
	}
	so := bots.ServiceOptions{Store: w.store, CommunityName: "Tea Lovers", DefaultLanguage: "en"}
	so.Wakeups = storagetest.OutboxWakeups(t, w.store.DB())
	if sc.service != nil {
		sc.service(&so)
	}
	svc, err := botstest.NewService(so, botstest.Setup{Owners: []community.Account{{Platform: community.Discord, UserID: sc.owner}}, Tokens: sc.tokens})
	if err != nil {
		t.Fatal(err)
	}
	o := discord.Options{Token: token, HTTPClient: w.dc.HTTPClient(), Catalog: svc.Catalog, Media: w.store}
	if sc.adapter != nil {
		sc.adapter(&o)
	}
	a, err := discord.New(o)
	if err != nil {
		t.Fatal(err)
	}
	svc.Add(a)
	svc.Start()
	for _, c := range sc.commands {
		svc.Router.Registry().Add(c)
	}
	if sc.messages != nil {
		svc.Router.On(bots.KindMessage, sc.messages)
	}
	w.svc = svc
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	w.identify = w.dc.WaitIdentify(t, 10*time.Second)
	w.dc.WaitRequests(t, "PUT", "/api/v9/applications/", 1, 10*time.Second)
	return w
}

// waitCount waits until query counts want rows, failing the test after a
// generous timeout.
func (w *world) waitCount(t *testing.T, want int, query string, args ...any) {
	t.Helper()
	storagetest.WaitCount(t, w.store.DB(), want, query, args...)
}

// waitGuild waits until the guild is recorded, so that updates find it.
func (w *world) waitGuild(t *testing.T, guildID string) {
	t.Helper()
	w.waitCount(t, 1, `SELECT count(*) FROM chats WHERE platform = 'discord' AND platform_chat_id = $1 AND removed_at IS NULL`, guildID)
}

// slash runs /name as user in a guild channel and returns Hearth's answer.
func (w *world) slash(t *testing.T, guildID, channelID string, user discordgo.User, name string) discordtest.InteractionReply {
	t.Helper()
	i := w.dc.SlashCommand(guildID, channelID, user, name)
	if n := w.dc.Dispatch(t, "INTERACTION_CREATE", i); n != 1 {
		t.Fatalf("/%s reached %d gateway connections, want 1", name, n)
	}
	return w.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
}

// textGuild is a guild with one text channel, owned by ownerID.
func textGuild(name, ownerID string, roles ...*discordgo.Role) (g *discordgo.Guild, channelID string) {
	channelID = discordtest.NewID()
	g = &discordgo.Guild{ID: discordtest.NewID(), Name: name, OwnerID: ownerID, Roles: roles,
		Channels: []*discordgo.Channel{{ID: channelID, Name: "general", Type: discordgo.ChannelTypeGuildText}}}
	return g, channelID
}

func reply(r bots.Reply) bots.Handler {
	return func(context.Context, *bots.Request) (bots.Reply, error) { return r, nil }
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
