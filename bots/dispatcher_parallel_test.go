package bots_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// heldSender holds every message until released, counting the chats it
// is sending to at once.
type heldSender struct {
	mu       sync.Mutex
	inFlight int
	most     int
	release  chan struct{}
}

func (s *heldSender) Send(ctx context.Context, d outbox.Delivery) ([]string, error) {
	s.mu.Lock()
	s.inFlight++
	s.most = max(s.most, s.inFlight)
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.inFlight--; s.mu.Unlock() }()
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return []string{"ok"}, nil
}

func (s *heldSender) counts() (inFlight, most int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight, s.most
}

// TestDispatcherSendsTo32ChatsAtOnce: by default a dispatcher sends to 32
// chats at once and no more, enough to reach Telegram's 30 messages a
// second when each chat is paced at one a second.
func TestDispatcherSendsTo32ChatsAtOnce(t *testing.T) {
	store := storage.New(storagetest.New(t))
	var out []outbox.Outgoing
	for i := range 40 {
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: community.Telegram, UserID: fmt.Sprint(100 + i)},
			Message: bots.Reply{Text: "news"}})
	}
	if err := store.QueueMessages(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	sender := &heldSender{release: make(chan struct{})}
	d := bots.NewDispatcher(bots.DispatcherOptions{Store: store})
	d.AddSender(community.Telegram, sender)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	storagetest.Eventually(t, "32 chats being sent to", func() bool { n, _ := sender.counts(); return n == 32 })
	close(sender.release)
	storagetest.WaitCount(t, store.DB(), 40, `SELECT count(*) FROM deliveries WHERE status = 'sent'`)
	if _, most := sender.counts(); most != 32 {
		t.Errorf("at most %d chats at once, want 32", most)
	}
}
