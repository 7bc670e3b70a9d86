package discordtest

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes, https://discord.com/developers/docs/topics/opcodes-and-status-codes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresence       = 3
	opVoiceState     = 4
	opResume         = 6
	opReconnect      = 7
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
)

// frame is one gateway payload.
type frame struct {
	Op int     `json:"op"`
	D  any     `json:"d"`
	S  *int64  `json:"s"`
	T  *string `json:"t"`
}

// gatewayConn is one websocket connection to the gateway.
type gatewayConn struct {
	ws       *websocket.Conn
	wmu      sync.Mutex // one writer at a time
	version  int
	compress bool            // IDENTIFY asked for compressed payloads
	sess     *gatewaySession // guarded by Server.mu
}

// gatewaySession outlives its connections so that a client can RESUME it.
type gatewaySession struct {
	id       string
	identify discordgo.Identify
	shard    [2]int

	mu   sync.Mutex // orders sequence numbers and their writes
	seq  int64
	sent []sentFrame
	conn *gatewayConn // nil while disconnected
}

type sentFrame struct {
	seq   int64
	frame []byte
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "fake Discord closed", http.StatusServiceUnavailable)
		return
	}
	s.conns.Add(1)
	s.mu.Unlock()
	defer s.conns.Done()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &gatewayConn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.gateways[c] = struct{}{}
	s.notifyLocked()
	s.mu.Unlock()
	s.dropConn(c, s.runGateway(c, r.URL.Query()))
}

// runGateway serves one connection and returns the close code the client
// sent (1006 when it just went away, 0 when the fake closed it).
func (s *Server) runGateway(c *gatewayConn, q url.Values) int {
	v, err := strconv.Atoi(q.Get("v"))
	if err != nil || v < 9 || v > 10 {
		c.closeWith(4012, "Invalid API version")
		return 0
	}
	if enc := q.Get("encoding"); enc != "" && enc != "json" {
		c.closeWith(4002, "Decode error.")
		return 0
	}
	c.version = v
	hello := map[string]int64{"heartbeat_interval": s.cfg.heartbeat.Milliseconds()}
	if c.send(opHello, hello) != nil {
		return websocket.CloseAbnormalClosure
	}
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			return websocket.CloseAbnormalClosure
		}
		if !s.handleOp(c, data) {
			return 0
		}
	}
}

// handleOp answers one payload; false means the fake closed the connection.
func (s *Server) handleOp(c *gatewayConn, data []byte) bool {
	var p struct {
		Op int             `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		c.closeWith(4002, "Decode error.")
		return false
	}
	switch p.Op {
	case opHeartbeat:
		s.mu.Lock()
		s.heartbeats++
		s.notifyLocked()
		s.mu.Unlock()
		return c.send(opHeartbeatAck, nil) == nil
	case opIdentify:
		return s.identify(c, p.D)
	case opResume:
		return s.resume(c, p.D)
	}
	if s.sessionOf(c) == nil {
		c.closeWith(4003, "Not authenticated.")
		return false
	}
	switch p.Op {
	case opPresence, opVoiceState:
		return true
	case opRequestMembers:
		return s.requestMembers(c, p.D)
	}
	c.closeWith(4001, "Unknown opcode.")
	return false
}

func (s *Server) sessionOf(c *gatewayConn) *gatewaySession {
	s.mu.Lock()
	defer s.mu.Unlock()
	return c.sess
}

func (s *Server) tokenOK(token string) bool {
	return token == s.token || token == "Bot "+s.token
}

// identifyError is the close code and reason Discord gives for a bad IDENTIFY.
func (s *Server) identifyError(id *discordgo.Identify) (int, string) {
	switch {
	case !s.tokenOK(id.Token):
		return 4004, "Authentication failed."
	case id.Shard != nil && (id.Shard[1] < 1 || id.Shard[0] < 0 || id.Shard[0] >= id.Shard[1]):
		return 4010, "Invalid shard."
	case id.Intents < 0 || id.Intents >= 1<<26:
		return 4013, "Invalid intent(s)."
	case id.Intents&PrivilegedIntents&^s.cfg.privileged != 0:
		return 4014, "Disallowed intent(s)."
	}
	return 0, ""
}

// identify starts a session: READY, then a GUILD_CREATE per guild.
func (s *Server) identify(c *gatewayConn, d json.RawMessage) bool {
	id, err := decodeIdentify(d)
	if err != nil {
		c.closeWith(4002, "Decode error.")
		return false
	}
	if s.sessionOf(c) != nil {
		c.closeWith(4005, "Already authenticated.")
		return false
	}
	if code, reason := s.identifyError(&id); code != 0 {
		c.closeWith(code, reason)
		return false
	}
	c.compress = id.Compress
	sess := &gatewaySession{id: newSessionID(), identify: id, shard: [2]int{0, 1}, conn: c}
	if id.Shard != nil {
		sess.shard = *id.Shard
	}
	sess.mu.Lock() // nothing reaches the session before READY
	defer sess.mu.Unlock()
	s.mu.Lock()
	s.idents = append(s.idents, id)
	c.sess = sess
	s.sessions[sess.id] = sess
	ready := s.readyLocked(sess, c.version)
	var guilds []json.RawMessage
	for _, gid := range s.guildOrder {
		if id.Intents&discordgo.IntentsGuilds != 0 && onShard(gid, sess.shard) {
			guilds = append(guilds, s.withThreadsLocked(gid, guildWire(s.guilds[gid].guild)))
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	sess.sendLocked("READY", ready, true)
	for _, g := range guilds {
		sess.sendLocked("GUILD_CREATE", g, true)
	}
	return true
}

// decodeIdentify reads an IDENTIFY payload. The presence is read leniently:
// discordgo sends its activity's created_at as a date where it would read a
// number, and Discord ignores it.
func decodeIdentify(d json.RawMessage) (discordgo.Identify, error) {
	var p struct {
		Token          string                       `json:"token"`
		Properties     discordgo.IdentifyProperties `json:"properties"`
		Compress       bool                         `json:"compress"`
		LargeThreshold int                          `json:"large_threshold"`
		Shard          *[2]int                      `json:"shard"`
		Intents        discordgo.Intent             `json:"intents"`
		Presence       json.RawMessage              `json:"presence"`
	}
	if err := json.Unmarshal(d, &p); err != nil {
		return discordgo.Identify{}, err
	}
	id := discordgo.Identify{Token: p.Token, Properties: p.Properties, Compress: p.Compress,
		LargeThreshold: p.LargeThreshold, Shard: p.Shard, Intents: p.Intents}
	if len(p.Presence) > 0 {
		var presence struct {
			Status string `json:"status"`
			AFK    bool   `json:"afk"`
			Since  int    `json:"since"`
		}
		_ = json.Unmarshal(p.Presence, &presence) // best effort, as above
		id.Presence.Status, id.Presence.AFK, id.Presence.Since = presence.Status, presence.AFK, presence.Since
	}
	return id, nil
}

// Application flags for the privileged intents an unverified bot may use.
const (
	flagPresenceLimited       = 1 << 13
	flagGuildMembersLimited   = 1 << 15
	flagMessageContentLimited = 1 << 19
)

func (s *Server) readyLocked(sess *gatewaySession, version int) json.RawMessage {
	guilds := []map[string]any{}
	for _, gid := range s.guildOrder {
		if onShard(gid, sess.shard) {
			guilds = append(guilds, map[string]any{"id": gid, "unavailable": true})
		}
	}
	flags := 0
	for intent, flag := range map[discordgo.Intent]int{
		discordgo.IntentsGuildPresences: flagPresenceLimited,
		discordgo.IntentsGuildMembers:   flagGuildMembersLimited,
		discordgo.IntentsMessageContent: flagMessageContentLimited,
	} {
		if s.cfg.privileged&intent != 0 {
			flags |= flag
		}
	}
	d := map[string]any{
		"v":                  version,
		"user":               s.bot,
		"session_id":         sess.id,
		"session_type":       "normal",
		"resume_gateway_url": s.gatewayURL(),
		"guilds":             guilds,
		"private_channels":   []any{},
		"application":        map[string]any{"id": s.ApplicationID(), "flags": flags},
		"_trace":             []string{`["discordtest",{"micros":0}]`},
	}
	if sess.identify.Shard != nil {
		d["shard"] = sess.shard
	}
	b, _ := json.Marshal(d)
	return b
}

// resume reattaches a session to c and replays what it missed.
func (s *Server) resume(c *gatewayConn, d json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(d, &r); err != nil {
		c.closeWith(4002, "Decode error.")
		return false
	}
	if !s.tokenOK(r.Token) {
		c.closeWith(4004, "Authentication failed.")
		return false
	}
	s.mu.Lock()
	sess := s.sessions[r.SessionID]
	s.mu.Unlock()
	if sess == nil {
		return c.send(opInvalidSession, false) == nil
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if old := sess.conn; old != nil && old != c {
		old.ws.Close()
	}
	sess.conn = c
	s.mu.Lock()
	c.sess = sess
	s.notifyLocked()
	s.mu.Unlock()
	for _, f := range sess.sent {
		if f.seq > r.Seq && c.write(f.frame, false) != nil {
			return false
		}
	}
	sess.sendLocked("RESUMED", json.RawMessage(`{"_trace":["discordtest"]}`), false)
	return true
}

// requestMembers answers REQUEST_GUILD_MEMBERS with one chunk per guild.
func (s *Server) requestMembers(c *gatewayConn, d json.RawMessage) bool {
	var q struct {
		GuildID json.RawMessage `json:"guild_id"`
		Query   string          `json:"query"`
		Limit   int             `json:"limit"`
		UserIDs []string        `json:"user_ids"`
		Nonce   string          `json:"nonce"`
	}
	if err := json.Unmarshal(d, &q); err != nil {
		c.closeWith(4002, "Decode error.")
		return false
	}
	var ids []string
	if json.Unmarshal(q.GuildID, &ids) != nil {
		ids = []string{""}
		_ = json.Unmarshal(q.GuildID, &ids[0])
	}
	sess := s.sessionOf(c)
	for _, gid := range ids {
		members, notFound := s.chunk(gid, q.Query, q.Limit, q.UserIDs)
		b, _ := json.Marshal(map[string]any{
			"guild_id": gid, "members": members, "chunk_index": 0, "chunk_count": 1,
			"not_found": notFound, "nonce": q.Nonce,
		})
		sess.dispatch("GUILD_MEMBERS_CHUNK", b)
	}
	return true
}

func (s *Server) chunk(guildID, query string, limit int, userIDs []string) ([]*discordgo.Member, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	members := []*discordgo.Member{}
	notFound := []string{}
	if userIDs != nil {
		for _, id := range userIDs {
			if _, m := s.memberLocked(guildID, id); m != nil {
				members = append(members, m)
			} else {
				notFound = append(notFound, id)
			}
		}
		return members, notFound
	}
	if gs, ok := s.guilds[guildID]; ok {
		for _, m := range gs.guild.Members {
			if (limit == 0 || len(members) < limit) && m.User != nil && hasPrefixFold(m.User.Username, query) {
				members = append(members, m)
			}
		}
	}
	var cp []*discordgo.Member
	mustCopy(members, &cp)
	return cp, notFound
}

// dropConn forgets a finished connection. A client that closed with 1000 or
// 1001 ends its session; any other end leaves it resumable, as on Discord.
func (s *Server) dropConn(c *gatewayConn, code int) {
	c.ws.Close()
	s.mu.Lock()
	delete(s.gateways, c)
	sess := c.sess
	s.notifyLocked()
	s.mu.Unlock()
	if sess == nil {
		return
	}
	sess.mu.Lock()
	if sess.conn == c {
		sess.conn = nil
	}
	detached := sess.conn == nil
	sess.mu.Unlock()
	if detached && (code == websocket.CloseNormalClosure || code == websocket.CloseGoingAway) {
		s.mu.Lock()
		delete(s.sessions, sess.id)
		s.notifyLocked()
		s.mu.Unlock()
	}
}

// sendLocked sends a dispatch with the session's next sequence number, or
// keeps it for a RESUME while disconnected; sess.mu must be held.
func (sess *gatewaySession) sendLocked(eventType string, d json.RawMessage, compressible bool) bool {
	sess.seq++
	seq := sess.seq
	b, _ := json.Marshal(frame{Op: opDispatch, D: d, S: &seq, T: &eventType})
	sess.sent = append(sess.sent, sentFrame{seq: seq, frame: b})
	if sess.conn == nil {
		return false
	}
	return sess.conn.write(b, compressible && sess.conn.compress) == nil
}

func (sess *gatewaySession) dispatch(eventType string, d json.RawMessage) bool {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.sendLocked(eventType, d, false)
}

func (c *gatewayConn) send(op int, d any) error {
	b, err := json.Marshal(frame{Op: op, D: d})
	if err != nil {
		return err
	}
	return c.write(b, false)
}

// write sends one payload, zlib-compressed in a binary frame if asked.
func (c *gatewayConn) write(b []byte, compressed bool) error {
	kind := websocket.TextMessage
	if compressed {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		b, kind = buf.Bytes(), websocket.BinaryMessage
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(kind, b)
}

// closeWith sends a close frame and waits briefly for the client's answer,
// so that the client reads the code before the connection goes.
func (c *gatewayConn) closeWith(code int, reason string) {
	c.wmu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.ws.SetReadDeadline(time.Now().Add(time.Second))
	for {
		if _, _, err := c.ws.ReadMessage(); err != nil {
			return
		}
	}
}

// onShard reports whether a guild's events go to the shard [id, count].
func onShard(guildID string, shard [2]int) bool {
	if shard[1] <= 1 || guildID == "" {
		return shard[0] == 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return shard[0] == 0
	}
	return int((id>>22)%uint64(shard[1])) == shard[0]
}
