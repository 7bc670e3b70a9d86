package discordtest

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// What tests see of the gateway and how they steer it.

// Connections is the number of open gateway connections.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.gateways)
}

// WaitConnections waits until exactly n gateway connections are open.
func (s *Server) WaitConnections(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitUntil(timeout, func() bool { return len(s.gateways) == n }) {
		t.Fatalf("discordtest: waited %v for %d gateway connections, have %d", timeout, n, s.Connections())
	}
}

// WaitHeartbeats waits until clients have sent at least n heartbeats in
// all. discordgo sends its first heartbeat just after Open returns and
// misbehaves if its connection closes before that, so tests that cut or
// close a fresh connection wait for it first.
func (s *Server) WaitHeartbeats(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitUntil(timeout, func() bool { return s.heartbeats >= n }) {
		t.Fatalf("discordtest: waited %v for %d heartbeats", timeout, n)
	}
}

// WaitIdentify returns the next IDENTIFY a client sent (each is returned
// once, oldest first), failing the test if none comes within timeout.
func (s *Server) WaitIdentify(t testing.TB, timeout time.Duration) discordgo.Identify {
	t.Helper()
	var got discordgo.Identify
	ok := s.waitUntil(timeout, func() bool {
		if s.identsTaken >= len(s.idents) {
			return false
		}
		got = s.idents[s.identsTaken]
		s.identsTaken++
		return true
	})
	if !ok {
		t.Fatalf("discordtest: no IDENTIFY within %v", timeout)
	}
	return got
}

// Identifies returns every IDENTIFY received so far, oldest first.
func (s *Server) Identifies() []discordgo.Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]discordgo.Identify(nil), s.idents...)
}

// RequestReconnect sends op 7 RECONNECT on every connection; a well-behaved
// client reconnects and RESUMEs.
func (s *Server) RequestReconnect() {
	for _, c := range s.openConns() {
		c.send(opReconnect, nil)
	}
}

// DropConnections cuts every gateway connection without a close frame, as
// a network failure does; sessions stay resumable.
func (s *Server) DropConnections() {
	for _, c := range s.openConns() {
		c.ws.Close()
	}
}

func (s *Server) openConns() []*gatewayConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*gatewayConn, 0, len(s.gateways))
	for c := range s.gateways {
		out = append(out, c)
	}
	return out
}
