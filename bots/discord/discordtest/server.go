// Package discordtest runs a fake Discord for tests: the REST API over HTTP
// and the gateway over a websocket, close enough to the real wire protocol
// that the real discordgo client can be pointed at it.
//
// A client reaches the fake by rewriting the scheme and host of every REST
// request to URL() and keeping the path (/api/v9/...); HTTPClient returns
// such a client. GET /api/v9/gateway answers the fake's own websocket URL,
// so Session.Open dials the fake's gateway.
//
// A test sets the scene, connects, plays a user and checks what the bot did:
//
//	srv := discordtest.New(t, "token")
//	srv.AddGuild(&discordgo.Guild{ID: guildID, Channels: ..., Members: ...})
//	dg, _ := discordgo.New("Bot token")
//	dg.Client = srv.HTTPClient()
//	dg.Open()                            // then t.Cleanup(func() { dg.Close() })
//	in := srv.SlashCommand(guildID, channelID, alice, "idea", discordtest.Arg("text", "more tea"))
//	srv.Dispatch(t, "INTERACTION_CREATE", in)
//	reply := srv.WaitInteractionReply(t, in.ID, time.Second)
//
// Threads started by the bot (POST /channels/{id}/threads) live in the
// same store: Messages(threadID) reads one, Thread and ThreadMembers its
// state, and PostInThread, JoinThread and SetThreadState play the people
// in it.
//
// Requests, WaitRequests and FailNext cover the REST traffic itself.
package discordtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// DefaultHeartbeatInterval is the heartbeat interval HELLO announces unless
// WithHeartbeatInterval sets another one.
const DefaultHeartbeatInterval = 41250 * time.Millisecond

// PrivilegedIntents are the intents an application must be allowed before it
// may ask for them in IDENTIFY.
const PrivilegedIntents = discordgo.IntentsGuildMembers | discordgo.IntentsGuildPresences | discordgo.IntentsMessageContent

// Option changes how New sets up a Server.
type Option func(*config)

type config struct {
	heartbeat   time.Duration
	privileged  discordgo.Intent
	shards      int
	nonceWindow time.Duration
}

// WithHeartbeatInterval sets the heartbeat interval HELLO announces.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeat = d }
}

// WithPrivilegedIntents sets which privileged intents the application is
// allowed (all of them by default); IDENTIFY asking for others is closed
// with 4014, as Discord does.
func WithPrivilegedIntents(allowed discordgo.Intent) Option {
	return func(c *config) { c.privileged = allowed & PrivilegedIntents }
}

// WithRecommendedShards sets the shard count GET /gateway/bot recommends.
func WithRecommendedShards(n int) Option {
	return func(c *config) { c.shards = n }
}

// Server is a fake Discord: REST API, gateway and the data behind them.
// All its methods are safe for concurrent use.
type Server struct {
	t        testing.TB
	cfg      config
	token    string
	bot      discordgo.User
	http     *httptest.Server
	client   *http.Client
	rest     *http.ServeMux
	upgrader websocket.Upgrader
	conns    sync.WaitGroup // gateway connections being served

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change
	closed      bool
	gateways    map[*gatewayConn]struct{}
	sessions    map[string]*gatewaySession
	idents      []discordgo.Identify
	identsTaken int
	heartbeats  int
	requests    []Request
	failures    []failure
	store

	cdnMu sync.Mutex
	cdn   cdn
}

// New starts a fake Discord whose bot token is token: REST calls must carry
// "Authorization: Bot <token>" and IDENTIFY the token. It is closed when the
// test ends; close discordgo sessions before that (register their cleanup
// after calling New).
func New(t testing.TB, token string, opts ...Option) *Server {
	t.Helper()
	cfg := config{heartbeat: DefaultHeartbeatInterval, privileged: PrivilegedIntents, shards: 1, nonceWindow: DefaultNonceWindow}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		t:        t,
		cfg:      cfg,
		token:    token,
		bot:      discordgo.User{ID: NewID(), Username: "Hearth", Discriminator: "0", Bot: true, Verified: true},
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
		changed:  make(chan struct{}),
		gateways: map[*gatewayConn]struct{}{},
		sessions: map[string]*gatewaySession{},
		store:    newStore(),
	}
	s.rest = s.routes()
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway", s.serveGateway)
	mux.HandleFunc("/gateway/", s.serveGateway)
	mux.HandleFunc("/attachments/", s.serveCDN)
	mux.HandleFunc("/", s.serveREST)
	s.http = httptest.NewUnstartedServer(mux)
	s.http.Start() // after the assignment, so handlers see s.http
	target, err := url.Parse(s.http.URL)
	if err != nil {
		t.Fatalf("discordtest: parse own URL: %v", err)
	}
	s.client = &http.Client{
		Transport: &rewriteTransport{target: target, base: &http.Transport{MaxIdleConnsPerHost: 8}},
		Timeout:   20 * time.Second,
	}
	t.Cleanup(s.close)
	return s
}

// URL is the fake's base URL (http://127.0.0.1:PORT), the api_url a client
// rewrites Discord's host to.
func (s *Server) URL() string { return s.http.URL }

// gatewayURL is what GET /gateway answers.
func (s *Server) gatewayURL() string { return "ws" + s.http.URL[len("http"):] + "/gateway" }

// HTTPClient returns a client that sends every request to the fake, keeping
// the path: give it to discordgo as Session.Client.
func (s *Server) HTTPClient() *http.Client { return s.client }

// BotUser is the bot the token belongs to (username "Hearth").
func (s *Server) BotUser() discordgo.User { return s.bot }

// ApplicationID is the bot's application id; as for every modern bot it
// equals the bot user's id.
func (s *Server) ApplicationID() string { return s.bot.ID }

// close stops the fake at the end of the test.
func (s *Server) close() {
	if !s.waitUntil(3*time.Second, func() bool { return len(s.gateways) == 0 }) {
		s.t.Errorf("discordtest: %d gateway connection(s) still open when the test ended; close discordgo sessions before the server", s.Connections())
	}
	s.mu.Lock()
	s.closed = true
	open := make([]*gatewayConn, 0, len(s.gateways))
	for c := range s.gateways {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		c.ws.Close()
	}
	s.http.Close()
	s.conns.Wait()
	s.client.CloseIdleConnections()
}

// notifyLocked wakes everyone waiting for a change; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitUntil waits until cond, evaluated under s.mu, holds or timeout passes.
func (s *Server) waitUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok, changed := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		}
	}
}

// rewriteTransport sends every request to target, keeping path and query,
// as Hearth's adapter does with its api_url.
type rewriteTransport struct {
	target *url.URL
	base   *http.Transport
}

// RoundTrip implements http.RoundTripper.
func (rt *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Scheme = rt.target.Scheme
	out.URL.Host = rt.target.Host
	out.Host = rt.target.Host
	return rt.base.RoundTrip(out)
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the base.
func (rt *rewriteTransport) CloseIdleConnections() { rt.base.CloseIdleConnections() }
