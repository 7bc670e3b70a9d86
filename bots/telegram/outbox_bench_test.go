package telegram_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/lib/pq"
)

// BenchmarkTakeover measures how long the work a dispatcher held when it
// went away waits for its replacement: 300 replies to 300 members are
// queued, the first dispatcher (default options, Telegram's rate limits,
// the fake Bot API) sends until 50 are out, then goes away holding the
// claims of the chats it was sending to, and a replacement starts at once.
// "kill" is a crash (kill -9): nothing more reaches the database from the
// first process, and its claims wait for their lease to run out. "stop" is
// a clean stop (SIGTERM): the first process gives back what it did not
// send. Reported: orphans (replies claimed and unsent when the first
// process went away), takeover-s (from then until the last of them was
// delivered) and all-s (until all 300 were).
func BenchmarkTakeover(b *testing.B) {
	for _, crash := range []bool{true, false} {
		name := "stop"
		if crash {
			name = "kill"
		}
		b.Run(name, func(b *testing.B) {
			var orphans, untilOrphans, untilAll float64
			for range b.N {
				o, t, a := runTakeover(b, crash)
				orphans, untilOrphans, untilAll = orphans+float64(o), untilOrphans+t.Seconds(), untilAll+a.Seconds()
			}
			n := float64(b.N)
			b.ReportMetric(orphans/n, "orphans")
			b.ReportMetric(untilOrphans/n, "takeover-s")
			b.ReportMetric(untilAll/n, "all-s")
		})
	}
}

func runTakeover(b *testing.B, crash bool) (orphans int, untilOrphans, untilAll time.Duration) {
	b.Helper()
	store := storage.New(storagetest.New(b))
	tg := telegramtest.New(b, token)
	var out []bots.Outgoing
	for i := range 300 {
		out = append(out, bots.Outgoing{Target: bots.Target{Platform: community.Telegram, UserID: fmt.Sprint(1000 + i)},
			Message: bots.Reply{Text: fmt.Sprintf("Thank you for your question, member %d.", i)}})
	}
	if err := store.QueueMessages(context.Background(), out); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	firstStore := &crashingStore{OutboxStore: store}
	first := bots.NewDispatcher(bots.DispatcherOptions{Store: firstStore})
	first.AddSender(community.Telegram, &crashingSender{Sender: newSender(b, tg.URL(), telegram.Limits{}), store: firstStore})
	firstCtx, stopFirst := context.WithCancel(ctx)
	firstDone := make(chan struct{})
	go func() { defer close(firstDone); first.Run(firstCtx) }()
	tg.WaitCalls(b, "sendMessage", 50, time.Minute)

	b.ResetTimer()
	if crash {
		firstStore.dead.Store(true)
	} else {
		stopFirst()
		<-firstDone
	}
	gone := time.Now()
	var held pq.Int64Array
	if err := store.DB().Get(&held, `SELECT COALESCE(array_agg(id), '{}') FROM deliveries WHERE status = 'pending' AND locked_until > now()`); err != nil {
		b.Fatal(err)
	}
	second := bots.NewDispatcher(bots.DispatcherOptions{Store: store})
	second.AddSender(community.Telegram, newSender(b, tg.URL(), telegram.Limits{}))
	go second.Run(ctx)
	for untilAll == 0 {
		var orphansSent, sent int
		err := store.DB().QueryRow(`SELECT count(*) FILTER (WHERE id = ANY($1)), count(*) FROM deliveries WHERE status = 'sent'`, held).Scan(&orphansSent, &sent)
		if err != nil {
			b.Fatal(err)
		}
		if orphansSent == len(held) && untilOrphans == 0 {
			untilOrphans = time.Since(gone)
		}
		if sent == 300 {
			untilAll = time.Since(gone)
		}
		if time.Since(gone) > 5*time.Minute {
			b.Fatalf("after 5 minutes %d of 300 sent, %d of the %d orphans", sent, orphansSent, len(held))
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.StopTimer()
	stopFirst()
	return len(held), untilOrphans, untilAll
}

// crashingStore is the first dispatcher's store: once dead (the process
// was killed), nothing it does reaches the database.
type crashingStore struct {
	bots.OutboxStore
	dead atomic.Bool
}

var errKilled = errors.New("killed")

func (s *crashingStore) ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]bots.OutboxEvent, error) {
	if s.dead.Load() {
		return nil, errKilled
	}
	return s.OutboxStore.ClaimEvents(ctx, limit, lease)
}

func (s *crashingStore) ClaimDeliveries(ctx context.Context, p []community.Platform, chats, perChat int, lease time.Duration) ([]bots.Delivery, error) {
	if s.dead.Load() {
		return nil, errKilled
	}
	return s.OutboxStore.ClaimDeliveries(ctx, p, chats, perChat, lease)
}

func (s *crashingStore) RenewClaims(ctx context.Context, events, deliveries []bots.ClaimRef, lease time.Duration) error {
	if s.dead.Load() {
		return errKilled
	}
	return s.OutboxStore.RenewClaims(ctx, events, deliveries, lease)
}

func (s *crashingStore) ReleaseDeliveries(ctx context.Context, dels []bots.Delivery) error {
	if s.dead.Load() {
		return errKilled
	}
	return s.OutboxStore.ReleaseDeliveries(ctx, dels)
}

func (s *crashingStore) PartsSent(ctx context.Context, d bots.Delivery, ids []string) error {
	if s.dead.Load() {
		return errKilled
	}
	return s.OutboxStore.PartsSent(ctx, d, ids)
}

func (s *crashingStore) Delivered(ctx context.Context, id int64, ids []string) error {
	if s.dead.Load() {
		return errKilled
	}
	return s.OutboxStore.Delivered(ctx, id, ids)
}

func (s *crashingStore) FailedDelivery(ctx context.Context, d bots.Delivery, ids []string, f bots.Failure) error {
	if s.dead.Load() {
		return errKilled
	}
	return s.OutboxStore.FailedDelivery(ctx, d, ids, f)
}

// crashingSender is the first dispatcher's Telegram: once the process is
// dead it sends nothing more.
type crashingSender struct {
	bots.Sender
	store *crashingStore
}

func (s *crashingSender) Send(ctx context.Context, d bots.Delivery) ([]string, error) {
	if s.store.dead.Load() {
		<-ctx.Done()
		return d.SentIDs, errKilled
	}
	return s.Sender.Send(ctx, d)
}
