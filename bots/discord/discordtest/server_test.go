package discordtest

import (
	"errors"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

const testToken = "test-token"

// wait bounds every wait in these tests; nothing should take near as long.
const wait = 5 * time.Second

// fixture is a fake Discord with one guild: #general, a Member role, the
// owner and alice.
type fixture struct {
	srv     *Server
	guildID string
	general string
	member  string // role id
	owner   discordgo.User
	alice   discordgo.User
}

func newFixture(t *testing.T, opts ...Option) fixture {
	t.Helper()
	f := fixture{srv: New(t, testToken, opts...), guildID: NewID(), general: NewID(), member: NewID(),
		owner: NewUser("owner"), alice: NewUser("alice")}
	f.srv.AddGuild(&discordgo.Guild{
		ID: f.guildID, Name: "Hearth Test", OwnerID: f.owner.ID, PreferredLocale: "fr",
		Channels: []*discordgo.Channel{{ID: f.general, Name: "general", Type: discordgo.ChannelTypeGuildText}},
		Roles:    []*discordgo.Role{{ID: f.member, Name: "Member", Position: 1}},
		Members: []*discordgo.Member{
			{User: &f.owner},
			{User: &f.alice, Roles: []string{f.member}},
		},
	})
	return f
}

// restSession is a discordgo session that talks to the fake's REST API
// only.
func restSession(t *testing.T, srv *Server) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + testToken)
	if err != nil {
		t.Fatalf("discordgo.New: %v", err)
	}
	dg.Client = srv.HTTPClient()
	dg.MaxRestRetries = 1
	return dg
}

// openSession connects a real discordgo session to the fake's gateway with
// handlers added before it opens; it is closed before the server.
func openSession(t *testing.T, srv *Server, intents discordgo.Intent, handlers ...any) *discordgo.Session {
	t.Helper()
	dg := restSession(t, srv)
	dg.Identify.Intents = intents
	dg.StateEnabled = true
	dg.SyncEvents = true // discordgo's state edits events that async handlers read
	for _, h := range handlers {
		dg.AddHandler(h)
	}
	if err := dg.Open(); err != nil {
		t.Fatalf("open session: %v", err)
	}
	t.Cleanup(func() { closeSession(dg) })
	srv.WaitHeartbeats(t, 1, wait)
	return dg
}

// closeSession closes a session at the end of a test without waiting for
// it: discordgo sends its close frame at once, which is all the server
// waits for, then sleeps a second before it lets go of the socket.
func closeSession(dg *discordgo.Session) {
	dg.ShouldReconnectOnError = false // never come back once closed
	go dg.Close()
}

// recv returns the next value from ch, failing the test after wait.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("no %s within %v", what, wait)
		panic("unreachable")
	}
}

// restCode is the Discord JSON error code of a REST error, 0 otherwise.
func restCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

const intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsMessageContent

// readySeen is what a READY handler saw; discordgo's state changes the
// event's guilds afterwards, so handlers copy what tests check.
type readySeen struct {
	sessionID, appID, userID string
	guildIDs                 []string
	unavailable              bool
}

type guildSeen struct {
	name        string
	channels    int
	unavailable bool
}

func TestOpenSendsReadyThenGuildCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ready := make(chan readySeen, 1)
	guilds := make(chan guildSeen, 1)
	dg := openSession(t, f.srv, intents,
		func(_ *discordgo.Session, e *discordgo.Ready) {
			seen := readySeen{sessionID: e.SessionID, userID: e.User.ID, unavailable: true}
			if e.Application != nil {
				seen.appID = e.Application.ID
			}
			for _, g := range e.Guilds {
				seen.guildIDs = append(seen.guildIDs, g.ID)
				seen.unavailable = seen.unavailable && g.Unavailable
			}
			ready <- seen
		},
		func(_ *discordgo.Session, e *discordgo.GuildCreate) {
			guilds <- guildSeen{name: e.Name, channels: len(e.Channels), unavailable: e.Unavailable}
		})

	id := f.srv.WaitIdentify(t, wait)
	if id.Token != "Bot "+testToken || id.Intents != intents || id.Shard != nil {
		t.Errorf("identify: token %q intents %d shard %v", id.Token, id.Intents, id.Shard)
	}
	r := recv(t, ready, "READY")
	if r.sessionID == "" || r.appID != f.srv.ApplicationID() || r.userID != f.srv.BotUser().ID {
		t.Errorf("ready: %+v", r)
	}
	if len(r.guildIDs) != 1 || r.guildIDs[0] != f.guildID || !r.unavailable {
		t.Errorf("ready guilds: %+v", r)
	}
	if g := recv(t, guilds, "GUILD_CREATE"); g != (guildSeen{name: "Hearth Test", channels: 1}) {
		t.Errorf("guild create: %+v", g)
	}
	if _, err := dg.State.Guild(f.guildID); err != nil {
		t.Errorf("state has no guild after GUILD_CREATE: %v", err)
	}
}

func TestIdentifyRecordsShard(t *testing.T) {
	t.Parallel()
	srv := New(t, testToken)
	dg := restSession(t, srv)
	dg.ShardID, dg.ShardCount = 1, 2
	if err := dg.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { closeSession(dg) })
	srv.WaitHeartbeats(t, 1, wait)
	if got := srv.WaitIdentify(t, wait).Shard; got == nil || *got != [2]int{1, 2} {
		t.Errorf("shard: got %v, want [1 2]", got)
	}
}

func TestPrivilegedIntentsRefusedWith4014(t *testing.T) {
	t.Parallel()
	srv := New(t, testToken, WithPrivilegedIntents(discordgo.IntentsGuildMembers))
	dg := restSession(t, srv)
	dg.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsMessageContent
	err := dg.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4014 {
		t.Fatalf("open: got %v, want close 4014", err)
	}
	srv.WaitConnections(t, 0, wait)
}

func TestDispatchedMessageReachesHandler(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	got := make(chan *discordgo.MessageCreate, 1)
	openSession(t, f.srv, intents, func(_ *discordgo.Session, m *discordgo.MessageCreate) { got <- m })

	f.srv.Dispatch(t, "MESSAGE_CREATE", f.srv.MessageCreate(f.general, f.alice, "hello <@"+f.owner.ID+">"))
	m := recv(t, got, "MESSAGE_CREATE")
	if m.Content != "hello <@"+f.owner.ID+">" || m.GuildID != f.guildID || m.Author.ID != f.alice.ID {
		t.Errorf("message: content %q guild %q author %v", m.Content, m.GuildID, m.Author)
	}
	if m.Member == nil || len(m.Member.Roles) != 1 || len(m.Mentions) != 1 {
		t.Errorf("member %+v, mentions %v", m.Member, m.Mentions)
	}
	if n := len(f.srv.Messages(f.general)); n != 1 {
		t.Errorf("stored messages: got %d, want 1", n)
	}
}

func TestResumeAfterDroppedConnection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	resumed := make(chan *discordgo.Resumed, 1)
	got := make(chan string, 2)
	openSession(t, f.srv, intents,
		func(_ *discordgo.Session, e *discordgo.Resumed) { resumed <- e },
		func(_ *discordgo.Session, m *discordgo.MessageCreate) { got <- m.Content })
	f.srv.WaitIdentify(t, wait)

	f.srv.DropConnections()
	f.srv.Dispatch(t, "MESSAGE_CREATE", f.srv.MessageCreate(f.general, f.alice, "while away"))
	recv(t, resumed, "RESUMED")
	if c := recv(t, got, "missed message"); c != "while away" {
		t.Errorf("replayed message: got %q", c)
	}
	if n := len(f.srv.Identifies()); n != 1 {
		t.Errorf("client sent %d IDENTIFYs, want 1 and a RESUME", n)
	}
}
