package discord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.MainParallel(m, 8) }

const token = "discord-test-token"

// hearth is Hearth on Discord against the fake: the real discordgo client
// over REST and the gateway, a real database, the whole chat layer.
type hearth struct {
	store          *storage.Store
	dc             *discordtest.Server
	guild, channel string
	owner, alice   discordgo.User
	moderator      discordgo.User
	stop           func()
}

func start(t *testing.T, store *storage.Store) *hearth {
	t.Helper()
	if store == nil {
		store = storage.New(storagetest.New(t))
	}
	dc := discordtest.New(t, token)
	h := &hearth{store: store, dc: dc, guild: discordtest.NewID(), channel: discordtest.NewID(),
		owner: discordtest.NewUser("olga"), alice: discordtest.NewUser("alice"), moderator: discordtest.NewUser("mo")}
	modRole := discordtest.NewID()
	dc.AddGuild(&discordgo.Guild{ID: h.guild, Name: "Tea Lovers", OwnerID: h.owner.ID,
		Channels: []*discordgo.Channel{{ID: h.channel, GuildID: h.guild, Name: "general", Type: discordgo.ChannelTypeGuildText}},
		Roles:    []*discordgo.Role{{ID: modRole, Name: "Moderators", Permissions: discordgo.PermissionModerateMembers}}})
	for _, u := range []discordgo.User{h.owner, h.alice} {
		dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(h.guild, u))
	}
	dc.Dispatch(t, "GUILD_MEMBER_ADD", dc.GuildMemberAdd(h.guild, h.moderator, modRole))

	svc, err := botstest.NewService(bots.ServiceOptions{Store: store, CommunityName: "Tea Lovers", DefaultLanguage: "en",
		CLVHorizonMonths: 12, Wakeups: storagetest.OutboxWakeups(t, store.DB())},
		botstest.Setup{Owners: []community.Account{{Platform: community.Discord, UserID: h.owner.ID}}, Tokens: linkTokens(t)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := discord.New(discord.Options{Token: token, HTTPClient: dc.HTTPClient(), GuildIDs: []string{h.guild}, Catalog: svc.Catalog})
	if err != nil {
		t.Fatal(err)
	}
	svc.Add(a)
	svc.Start()
	svc.Router.Registry().Add(bots.Command{Name: "ping", Permission: community.RoleStaff, Where: bots.Anywhere,
		Run: func(context.Context, *bots.Request) (bots.Reply, error) { return bots.Reply{Text: "pong"}, nil }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	h.stop = func() { cancel(); <-done }
	t.Cleanup(h.stop)
	id := dc.WaitIdentify(t, 10*time.Second)
	if id.Intents != discord.Intents {
		t.Errorf("intents = %d, want %d", id.Intents, discord.Intents)
	}
	dc.WaitRequests(t, "PUT", "/api/v9/applications/", 1, 10*time.Second)
	h.waitChat(t)
	return h
}

// waitChat waits until the guild is recorded, so that updates find it.
func (h *hearth) waitChat(t *testing.T) {
	t.Helper()
	storagetest.WaitCount(t, h.store.DB(), 1, `SELECT count(*) FROM chats WHERE platform = 'discord' AND platform_chat_id = $1`, h.guild)
}

func (h *hearth) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.store.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (h *hearth) slash(t *testing.T, user discordgo.User, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.InteractionReply {
	t.Helper()
	i := h.dc.SlashCommand(h.guild, h.channel, user, name, opts...)
	h.dc.Dispatch(t, "INTERACTION_CREATE", i)
	return h.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
}

// TestMemberHelpReachesDiscord: a member's /help is answered in place,
// only to them, with member commands only; the commands were registered in
// the guild with typed options and translations.
func TestMemberHelpReachesDiscord(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	r := h.slash(t, h.alice, "help")
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || !r.Ephemeral() {
		t.Errorf("reply type %d, ephemeral %t; want an ephemeral message", r.Type, r.Ephemeral())
	}
	if c := r.Data.Content; !strings.Contains(c, "**Tea Lovers**") || !strings.Contains(c, "/help") || strings.Contains(c, "/setstaff") {
		t.Errorf("help = %q", c)
	}
	cmds := h.dc.Commands(h.guild)
	byName := map[string]*discordgo.ApplicationCommand{}
	for _, c := range cmds {
		byName[c.Name] = c
	}
	staff := byName["staff"]
	if staff == nil || len(staff.Options) != 2 || staff.Options[1].Type != discordgo.ApplicationCommandOptionUser || len(staff.Options[0].Choices) != 3 {
		t.Fatalf("/staff registered as %+v", staff)
	}
	if staff.DescriptionLocalizations == nil || (*staff.DescriptionLocalizations)[discordgo.Russian] == "" {
		t.Errorf("/staff has no Russian description")
	}
}

// TestMemberCannotUseStaffCommands: a member is refused politely, the
// refusal is audited, nothing else happens; a moderator is staff.
func TestMemberCannotUseStaffCommands(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	r := h.slash(t, h.alice, "setstaff")
	if !strings.Contains(r.Data.Content, "for the community") || !r.Ephemeral() {
		t.Errorf("refusal = %+v", r.Data)
	}
	if r := h.slash(t, h.alice, "ping"); !strings.Contains(r.Data.Content, "for the community") {
		t.Errorf("member /ping = %q", r.Data.Content)
	}
	if r := h.slash(t, h.moderator, "ping"); r.Data.Content != "pong" {
		t.Errorf("moderator /ping = %q, want pong", r.Data.Content)
	}
	storagetest.WaitSettled(t, h.store.DB())
	for query, want := range map[string]int{
		`SELECT count(*) FROM chats WHERE is_staff`:                       0,
		`SELECT count(*) FROM audit_log WHERE action = 'command.refused'`: 2,
		`SELECT count(*) FROM outbox_events`:                              0,
	} {
		if n := h.count(t, query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	if n := len(h.dc.Requests("POST", "/api/v9/channels/")); n != 0 {
		t.Errorf("%d channel messages sent, want none", n)
	}
}

// TestOwnerSetsStaffChatAndAddsStaffWithAModal: /setstaff takes effect;
// the staff list's button opens a modal whose submission adds the member,
// who is told in a direct message.
func TestOwnerSetsStaffChatAndAddsStaffWithAModal(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	if r := h.slash(t, h.owner, "setstaff"); !strings.Contains(r.Data.Content, "staff chat for Discord") {
		t.Fatalf("setstaff = %q", r.Data.Content)
	}
	if n := h.count(t, `SELECT count(*) FROM chats WHERE is_staff AND platform_chat_id = $1`, h.channel); n != 1 {
		t.Fatalf("the channel is not the staff chat")
	}
	h.dc.Dispatch(t, "MESSAGE_CREATE", h.dc.MessageCreate(h.channel, h.alice, "hello there"))
	storagetest.Eventually(t, "alice's message recorded", func() bool {
		return h.count(t, `SELECT count(*) FROM identities WHERE platform_user_id = $1`, h.alice.ID) > 0
	})
	list := h.slash(t, h.owner, "staff")
	if list.Original == nil || len(list.Original.Components) == 0 {
		t.Fatalf("staff list without buttons: %+v", list)
	}
	press := h.dc.ButtonPress(t, list.Original, h.owner, "staff:add")
	h.dc.Dispatch(t, "INTERACTION_CREATE", press)
	shown := h.dc.WaitInteractionReply(t, press.ID, 10*time.Second)
	if shown.Type != discordgo.InteractionResponseModal {
		t.Fatalf("button answered with type %d, want a modal", shown.Type)
	}
	submit := h.dc.ModalSubmit(t, press, map[string]string{"member": "@alice"})
	h.dc.Dispatch(t, "INTERACTION_CREATE", submit)
	if r := h.dc.WaitInteractionReply(t, submit.ID, 10*time.Second); !strings.Contains(r.Data.Content, "is now staff") {
		t.Errorf("modal answer = %q", r.Data.Content)
	}
	dm := h.dc.DMChannel(h.alice)
	reqs := h.dc.WaitRequests(t, "POST", "/api/v9/channels/"+dm+"/messages", 1, 10*time.Second)
	var sent discordgo.MessageSend
	if err := reqs[0].JSON(&sent); err != nil || !strings.Contains(sent.Content, "staff of **Tea Lovers**") {
		t.Errorf("DM = %q, %v", sent.Content, err)
	}
	if sent.AllowedMentions == nil || len(sent.AllowedMentions.Parse) != 0 {
		t.Errorf("allowed_mentions = %+v; want nobody pinged", sent.AllowedMentions)
	}
}

// TestRateLimitedSendIsRetriedOnce: a 429 with retry_after=1 on the first
// channel message is waited out; the message arrives once, a second later.
func TestRateLimitedSendIsRetriedOnce(t *testing.T) {
	t.Parallel()
	store := storage.New(storagetest.New(t))
	h := start(t, store)
	h.dc.FailNext("POST", "/api/v9/channels/", 429, 1)
	if err := store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Discord, ChatID: h.channel}, Message: bots.Reply{Text: "news"}}}); err != nil {
		t.Fatal(err)
	}
	reqs := h.dc.WaitRequests(t, "POST", "/api/v9/channels/"+h.channel+"/messages", 2, 10*time.Second)
	if reqs[0].Status != 429 || reqs[1].Status != 200 {
		t.Fatalf("statuses %d, %d; want 429 then 200", reqs[0].Status, reqs[1].Status)
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < time.Second {
		t.Errorf("retried after %s, want at least 1s", gap)
	}
	storagetest.WaitCount(t, h.store.DB(), 1, `SELECT count(*) FROM deliveries WHERE status = 'sent'`)
	if n := len(h.dc.Messages(h.channel)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// TestDuplicateInteractionHasOneEffect: the same interaction dispatched
// twice (a resumed gateway replaying it) is answered once.
func TestDuplicateInteractionHasOneEffect(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	i := h.dc.SlashCommand(h.guild, h.channel, h.owner, "setstaff")
	h.dc.Dispatch(t, "INTERACTION_CREATE", i)
	h.dc.WaitInteractionReply(t, i.ID, 10*time.Second)
	h.dc.Dispatch(t, "INTERACTION_CREATE", i)
	// An interaction dispatched after the copy is answered: the copy has
	// reached Hearth; once everything is handled and sent, what the copy
	// caused (if anything) is there to count.
	h.slash(t, h.alice, "help")
	storagetest.WaitSettled(t, h.store.DB())
	if n := len(h.dc.Requests("POST", "/api/v9/interactions/"+i.ID)); n != 1 {
		t.Errorf("%d answers to one interaction, want 1", n)
	}
	if n := h.count(t, `SELECT count(*) FROM audit_log WHERE action = 'staffchat.set'`); n != 1 {
		t.Errorf("staff chat set %d times, want 1", n)
	}
}
