// Package discord connects Hearth to Discord with
// github.com/bwmarrin/discordgo: the gateway for messages, members and
// interactions; slash commands with typed options in every language;
// buttons and modals; and server administrators as staff.
package discord

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// Intents are the gateway events Hearth asks for. GuildMembers and
// MessageContent are privileged: turn them on in the developer portal.
const Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMembers | discordgo.IntentsGuildMessages |
	discordgo.IntentMessageContent | discordgo.IntentsGuildMessageReactions | discordgo.IntentsDirectMessages

// Options configures the adapter.
type Options struct {
	Token  string
	APIURL string // https://discord.com, or a test server
	// HTTPClient, when set, is used as is (tests); else one reaching
	// APIURL is built.
	HTTPClient *http.Client
	// GuildIDs are the servers to register slash commands in; none means
	// global commands. They are the community's servers too (connected
	// by the configuration).
	GuildIDs []string
	// LeaveUnknownGuilds makes Hearth leave a server it is added to that
	// is not the community's, instead of staying silent there.
	LeaveUnknownGuilds bool
	StaffRoleIDs       []string
	ShardID            int
	ShardCount         int
	// AdminCacheTTL is how long a member's permissions are trusted.
	AdminCacheTTL time.Duration
	Catalog       *catalog.Catalog
	Log           *slog.Logger
	// TierRoles are the roles members of each tier get (see
	// GrantTierRole): a role's id, or a role's name to use the role of
	// that name in every server that has one.
	TierRoles map[community.Tier]string
	// Media reads the stored files messages carry (Message.Media).
	Media outbox.MediaOpener
}

// Adapter is the Discord platform.
type Adapter struct {
	o       Options
	session *discordgo.Session
	files   *http.Client // attachment downloads (FetchMedia)
	catalog *catalog.Catalog
	log     *slog.Logger
	admins  *adminCache
	router  atomic.Pointer[bots.Router]
	ctx     atomic.Pointer[context.Context]
	ready   chan struct{}
	once    sync.Once
	dmMu    sync.Mutex
	dms     map[string]string // user id -> DM channel id
}

// New prepares a session; Run connects it.
func New(o Options) (*Adapter, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.ShardCount < 1 {
		o.ShardCount = 1
	}
	s, err := discordgo.New("Bot " + o.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	if o.HTTPClient != nil {
		s.Client = o.HTTPClient
	} else if s.Client, err = apiClient(o.APIURL); err != nil {
		return nil, fmt.Errorf("discord.api_url: %w", err)
	}
	s.Identify.Intents = Intents
	s.ShardID, s.ShardCount = o.ShardID, o.ShardCount
	// Hearth keeps guilds, channels and roles; members, presences,
	// messages, voice and emojis are not cached.
	s.State.TrackMembers, s.State.TrackPresences, s.State.TrackVoice = false, false, false
	s.State.TrackEmojis, s.State.TrackStickers, s.State.TrackThreadMembers = false, false, false
	s.State.MaxMessageCount = 0
	s.LogLevel = discordgo.LogWarning
	a := &Adapter{o: o, session: s, files: fileClient(o, s.Client), catalog: o.Catalog, log: o.Log, ready: make(chan struct{}), dms: map[string]string{}}
	a.admins = newAdminCache(s, a.connectedGroups, o.StaffRoleIDs, o.AdminCacheTTL)
	s.AddHandler(a.onReady)
	s.AddHandler(a.onMessage)
	s.AddHandler(a.onMessageUpdate)
	s.AddHandler(a.onInteraction)
	s.AddHandler(a.onReaction)
	s.AddHandler(a.onThreadCreate)
	s.AddHandler(a.onGuildCreate)
	s.AddHandler(a.onGuildDelete)
	s.AddHandler(a.onMemberAdd)
	s.AddHandler(a.onMemberRemove)
	s.AddHandler(a.onMemberUpdate)
	return a, nil
}

// connectedGroups lists the community's servers.
func (a *Adapter) connectedGroups(ctx context.Context) ([]string, error) {
	r := a.router.Load()
	if r == nil {
		return nil, nil
	}
	return r.Groups().Connected(ctx, community.Discord)
}

// ConfiguredGroups implements bots.ConfiguredGroups: discord.guild_ids.
func (a *Adapter) ConfiguredGroups() []community.Group {
	out := make([]community.Group, len(a.o.GuildIDs))
	for i, id := range a.o.GuildIDs {
		out[i] = community.Group{Platform: community.Discord, ID: id}
	}
	return out
}

// Platform implements bots.Adapter.
func (a *Adapter) Platform() community.Platform { return community.Discord }

// Session returns the discordgo session, for features beyond chat.
func (a *Adapter) Session() *discordgo.Session { return a.session }

// IsAdmin implements community.PlatformAdmins.
func (a *Adapter) IsAdmin(ctx context.Context, userID string) (bool, error) {
	return a.admins.isAdmin(ctx, userID)
}

// Run implements bots.Adapter: it connects to the gateway, registers the
// slash commands and handles events until ctx ends.
func (a *Adapter) Run(ctx context.Context, r *bots.Router) error {
	a.router.Store(r)
	a.ctx.Store(&ctx)
	if err := a.session.Open(); err != nil {
		return fmt.Errorf("connect to the gateway: %w", err)
	}
	defer a.session.Close()
	select {
	case <-a.ready:
	case <-ctx.Done():
		return nil
	}
	if err := a.registerCommands(r.Registry(), r.DefaultLanguage()); err != nil {
		a.log.Warn("discord: slash commands not registered", "error", err)
	}
	<-ctx.Done()
	return nil
}

func (a *Adapter) onReady(_ *discordgo.Session, e *discordgo.Ready) {
	a.log.Info("discord connected", "user", e.User.Username, "guilds", len(e.Guilds), "shard", a.o.ShardID, "shards", a.o.ShardCount)
	a.once.Do(func() { close(a.ready) })
}

// receiveAfterStop bounds how long an event that arrives as Hearth stops
// waits to be recorded.
const receiveAfterStop = 5 * time.Second

// handle records an update; handling follows from the inbox. The router
// keeps trying while the database is away (the gateway does not deliver
// an event twice on its own) and gives up only on an update the database
// refuses, which goes to the dead letters.
func (a *Adapter) handle(u bots.Update) {
	r, ctxp := a.router.Load(), a.ctx.Load()
	if r == nil || ctxp == nil {
		return
	}
	// The gateway sends an event once: one arriving as Hearth stops is
	// still recorded (the router stops after the gateway), within
	// receiveAfterStop of the stop.
	ctx, cancel := context.WithCancel(context.WithoutCancel(*ctxp))
	defer cancel()
	stop := context.AfterFunc(*ctxp, func() { time.AfterFunc(receiveAfterStop, cancel) })
	defer stop()
	if err := r.Receive(ctx, u); err != nil {
		a.log.Error("discord update not recorded", "update", u.ID, "error", err)
	}
}

func (a *Adapter) onMessage(_ *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Author == nil || m.Author.ID == a.session.State.User.ID {
		return
	}
	a.handle(a.fromMessage(m.Message, messageKind(m.Type), "message:"+m.ID))
}

// messageKind tells a member's message from Discord's system messages
// (joins, pins, boosts, "started a thread", a thread's copy of its starter
// message...), which are nobody's words and count for no engagement.
func messageKind(t discordgo.MessageType) bots.UpdateKind {
	switch t {
	case discordgo.MessageTypeDefault, discordgo.MessageTypeReply:
		return bots.KindMessage
	}
	return bots.KindNotice
}

// onThreadCreate records a thread or forum post a member started, in the
// thread's own channel, where its messages are recorded too. Discord
// also sends THREAD_CREATE when Hearth is added to an existing private
// thread: that one is not new.
func (a *Adapter) onThreadCreate(_ *discordgo.Session, t *discordgo.ThreadCreate) {
	if !t.NewlyCreated || t.OwnerID == "" || t.OwnerID == a.session.State.User.ID {
		return
	}
	at, err := discordgo.SnowflakeTimestamp(t.ID)
	if err != nil {
		at = time.Now()
	}
	u := bots.Update{Platform: community.Discord, ID: "thread:" + t.ID, Seq: snowflake(t.ID), Kind: bots.KindThread, At: at,
		Chat: a.chatOf(t.GuildID, t.ID), ThreadID: t.ID, Text: t.Name, From: bots.User{ID: t.OwnerID}}
	if ctx := a.ctx.Load(); ctx != nil {
		// The event names the owner by id; their profile comes from the
		// member cache, or the update names them by id alone.
		if m, err := a.admins.member(*ctx, t.GuildID, t.OwnerID); err == nil && m != nil && m.User != nil {
			u.From = userOf(m.User, m, "")
		}
	}
	if u.From.IsBot {
		return
	}
	a.handle(u)
}

func (a *Adapter) onMessageUpdate(_ *discordgo.Session, m *discordgo.MessageUpdate) {
	if m.Author == nil || m.Author.ID == a.session.State.User.ID || m.EditedTimestamp == nil {
		return
	}
	a.handle(a.fromMessage(m.Message, bots.KindEdited, "edit:"+m.ID+":"+strconv.FormatInt(m.EditedTimestamp.UnixMilli(), 10)))
}

func (a *Adapter) onInteraction(_ *discordgo.Session, i *discordgo.InteractionCreate) {
	if u, ok := a.fromInteraction(i.Interaction); ok {
		a.admins.seen(i.GuildID, i.Member)
		a.handle(u)
	}
}

func (a *Adapter) onReaction(_ *discordgo.Session, r *discordgo.MessageReactionAdd) {
	if r.UserID == a.session.State.User.ID {
		return
	}
	u := bots.Update{Platform: community.Discord, ID: "reaction:" + r.MessageID + ":" + r.UserID + ":" + r.Emoji.APIName(),
		Kind: bots.KindReaction, At: time.Now(), Chat: a.chatOf(r.GuildID, r.ChannelID), MessageID: r.MessageID, Reaction: r.Emoji.Name}
	u.From = userOf(nil, r.Member, "")
	if u.From.ID == "" {
		u.From = bots.User{ID: r.UserID}
	}
	a.handle(u)
}

// onGuildCreate records each server Hearth is in (sent for every server at
// connection, and when Hearth is added to a new one).
func (a *Adapter) onGuildCreate(_ *discordgo.Session, g *discordgo.GuildCreate) {
	if g.Unavailable {
		return
	}
	a.handle(bots.Update{Platform: community.Discord, ID: "joined:" + g.ID + ":" + strconv.FormatInt(g.JoinedAt.Unix(), 10),
		Kind: bots.KindBotAdded, At: time.Now(), Chat: bots.Chat{ID: g.ID, Kind: community.ChatGroup, Title: g.Name}})
}

func (a *Adapter) onGuildDelete(_ *discordgo.Session, g *discordgo.GuildDelete) {
	if g.Unavailable { // an outage, not a removal
		return
	}
	a.admins.forget()
	a.handle(bots.Update{Platform: community.Discord, ID: "left:" + g.ID + ":" + strconv.FormatInt(time.Now().UnixNano(), 10),
		Kind: bots.KindBotRemoved, At: time.Now(), Chat: bots.Chat{ID: g.ID, Kind: community.ChatGroup}})
}

func (a *Adapter) onMemberAdd(_ *discordgo.Session, m *discordgo.GuildMemberAdd) {
	if m.User == nil || m.User.Bot {
		return
	}
	a.handle(bots.Update{Platform: community.Discord, ID: "join:" + m.GuildID + ":" + m.User.ID + ":" + strconv.FormatInt(m.JoinedAt.Unix(), 10),
		Kind: bots.KindJoin, At: m.JoinedAt, From: userOf(m.User, m.Member, ""), Chat: a.guildChat(m.GuildID)})
}

func (a *Adapter) onMemberRemove(_ *discordgo.Session, m *discordgo.GuildMemberRemove) {
	if m.User == nil || m.User.Bot {
		return
	}
	a.admins.drop(m.GuildID, m.User.ID)
	a.handle(bots.Update{Platform: community.Discord, ID: "leave:" + m.GuildID + ":" + m.User.ID + ":" + strconv.FormatInt(time.Now().UnixNano(), 10),
		Kind: bots.KindLeave, At: time.Now(), From: userOf(m.User, m.Member, ""), Chat: a.guildChat(m.GuildID)})
}

// onMemberUpdate forgets a member's cached permissions when their roles
// change.
func (a *Adapter) onMemberUpdate(_ *discordgo.Session, m *discordgo.GuildMemberUpdate) {
	if m.User != nil {
		a.admins.drop(m.GuildID, m.User.ID)
	}
}

func (a *Adapter) guildChat(guildID string) bots.Chat {
	c := bots.Chat{ID: guildID, Kind: community.ChatGroup}
	if g, err := a.session.State.Guild(guildID); err == nil {
		c.Title = g.Name
	}
	return c
}
