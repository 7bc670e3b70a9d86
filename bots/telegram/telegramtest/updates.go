package telegramtest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// queued is an update waiting for getUpdates, kept as JSON so later changes
// to the pushed value cannot race with its delivery.
type queued struct {
	id        int64
	kind      string // "message", "callback_query", ...
	raw       json.RawMessage
	delivered bool
}

// optInKinds are the update types Telegram only sends when allowed_updates
// names them; an empty or missing list means "everything else".
var optInKinds = []string{"chat_member", "message_reaction", "message_reaction_count"}

const (
	conflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictPoller  = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

// PushUpdate queues u for getUpdates and returns its update_id. When u.ID is
// 0 it gets the next id. Pushing an id twice delivers it twice, and an
// update pushed with an id the client has already confirmed is still
// delivered once: that is how tests simulate Telegram redelivering.
func (s *Server) PushUpdate(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stamp(&u)
	raw, kind := encodeUpdate(&u)
	s.updates = append(s.updates, queued{id: u.ID, kind: kind, raw: raw})
	s.notify()
	return u.ID
}

// stamp gives u an id when it has none and learns the chats, callback
// queries and join requests it carries; the caller holds s.mu.
func (s *Server) stamp(u *models.Update) {
	if u.ID == 0 {
		u.ID = s.nextUpdate
	}
	s.nextUpdate = max(s.nextUpdate, u.ID+1)
	s.observe(u)
}

// encodeUpdate marshals u and names its type, the one field besides
// update_id, which allowed_updates filters on.
func encodeUpdate(u *models.Update) (json.RawMessage, string) {
	raw, err := json.Marshal(u)
	if err != nil {
		panic("telegramtest: update does not marshal: " + err.Error())
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(raw, &fields)
	for k := range fields {
		if k != "update_id" {
			return raw, k
		}
	}
	return raw, ""
}

// ConfirmedOffset is the highest offset a getUpdates call has sent: every
// update below it is confirmed as handled.
func (s *Server) ConfirmedOffset() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmed
}

// WaitConfirmed waits until a getUpdates call has confirmed every update
// below offset (ConfirmedOffset() >= offset), and fails the test when
// timeout passes first. Pass the last pushed update_id + 1 to wait until
// the client has taken all pushed updates. Call it from the test's
// goroutine.
func (s *Server) WaitConfirmed(t testing.TB, offset int64, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		confirmed, wake := s.confirmed, s.changed
		s.mu.Unlock()
		if confirmed >= offset {
			return
		}
		select {
		case <-wake:
		case <-deadline.C:
			t.Fatalf("telegramtest: waited %v for offset %d to be confirmed, got %d", timeout, offset, confirmed)
			return
		}
	}
}

// Pending is the number of queued updates not yet confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// AllowedUpdates is the allowed_updates list the bot last sent with
// getUpdates or setWebhook; nil means Telegram's default set.
func (s *Server) AllowedUpdates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.allowed)
}

func (s *Server) getUpdates(ctx context.Context, c Call) reply {
	offset, err := intParam(c, "offset")
	if err != nil {
		return badRequest("%v", err)
	}
	limit, err := intParam(c, "limit")
	if err != nil {
		return badRequest("%v", err)
	}
	timeout, err := intParam(c, "timeout")
	if err != nil {
		return badRequest("%v", err)
	}
	allowed, hasAllowed, err := listParam(c, "allowed_updates")
	if err != nil {
		return badRequest("%v", err)
	}
	if limit <= 0 || limit > 100 {
		limit = 100 // Telegram clamps rather than refuses
	}

	s.mu.Lock()
	if s.webhook.URL != "" {
		s.mu.Unlock()
		return failure(http.StatusConflict, conflictWebhook)
	}
	mine := s.startPoll()
	if hasAllowed {
		s.allowed = allowed
	}
	s.confirm(offset)
	s.mu.Unlock()
	defer s.endPoll(mine)
	return s.longPoll(ctx, mine, int(limit), time.Duration(timeout)*time.Second)
}

// longPoll answers updates as soon as there are some, or an empty list when
// wait passes, the client goes away or the test ends.
func (s *Server) longPoll(ctx context.Context, mine chan struct{}, limit int, wait time.Duration) reply {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		batch, wake := s.takeBatch(limit)
		if len(batch) > 0 || wait <= 0 {
			return ok(batch)
		}
		select {
		case <-wake:
		case <-mine:
			return failure(http.StatusConflict, conflictPoller)
		case <-ctx.Done():
			return ok(batch)
		case <-s.done:
			return ok(batch)
		case <-timer.C:
			return ok(batch)
		}
	}
}

// startPoll ends the running getUpdates, as Telegram does when a second
// poller appears; the caller holds s.mu.
func (s *Server) startPoll() chan struct{} {
	if s.poller != nil {
		close(s.poller)
	}
	s.poller = make(chan struct{})
	return s.poller
}

func (s *Server) endPoll(mine chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.poller == mine {
		s.poller = nil
	}
}

// confirm forgets what offset confirms; the caller holds s.mu. Updates
// never delivered stay, so a re-pushed old id still reaches the client.
func (s *Server) confirm(offset int64) {
	switch {
	case offset < 0:
		if n := int(-offset); n < len(s.updates) {
			s.updates = slices.Clone(s.updates[len(s.updates)-n:])
		}
	case offset > 0:
		s.updates = slices.DeleteFunc(s.updates, func(q queued) bool {
			return q.delivered && q.id < offset
		})
		if offset > s.confirmed {
			s.confirmed = offset
			s.notify()
		}
	}
}

// takeBatch returns up to limit queued updates of allowed types, dropping
// the others as Telegram would never have sent them, and a channel closed
// when something changes.
func (s *Server) takeBatch(limit int) ([]json.RawMessage, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	batch := []json.RawMessage{}
	s.updates = slices.DeleteFunc(s.updates, func(q queued) bool { return !s.allows(q.kind) })
	for i := range s.updates {
		if len(batch) == limit {
			break
		}
		s.updates[i].delivered = true
		batch = append(batch, s.updates[i].raw)
	}
	return batch, s.changed
}

// allows reports whether the bot asked for updates of kind; the caller
// holds s.mu.
func (s *Server) allows(kind string) bool {
	if len(s.allowed) == 0 {
		return !slices.Contains(optInKinds, kind)
	}
	return slices.Contains(s.allowed, kind)
}
