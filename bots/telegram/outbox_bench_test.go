package telegram_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
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
	var out []outbox.Outgoing
	for i := range 300 {
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: community.Telegram, UserID: fmt.Sprint(1000 + i)},
			Message: bots.Reply{Text: fmt.Sprintf("Thank you for your question, member %d.", i)}})
	}
	if err := store.QueueMessages(context.Background(), out); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	firstStore := &botstest.DyingOutbox{Store: store}
	first := bots.NewDispatcher(bots.DispatcherOptions{Store: firstStore})
	first.AddSender(community.Telegram, &crashingSender{Sender: newSender(b, tg.URL(), telegram.Limits{}), store: firstStore})
	firstCtx, stopFirst := context.WithCancel(ctx)
	firstDone := make(chan struct{})
	go func() { defer close(firstDone); first.Run(firstCtx) }()
	tg.WaitCalls(b, "sendMessage", 50, time.Minute)

	b.ResetTimer()
	if crash {
		firstStore.Kill()
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

// crashingSender is the first dispatcher's Telegram: once the process is
// dead it sends nothing more.
type crashingSender struct {
	bots.Sender
	store *botstest.DyingOutbox
}

func (s *crashingSender) Send(ctx context.Context, d outbox.Delivery) ([]string, error) {
	if s.store.Killed() {
		<-ctx.Done()
		return d.SentIDs, botstest.ErrKilled
	}
	return s.Sender.Send(ctx, d)
}

// BenchmarkBroadcastThroughput measures how many messages a second one
// dispatcher sends at Telegram's limits (30 a second in all, one a second
// per chat; the fake Bot API answers at once): 600 messages queued to
// 600 private chats (an announcement), or to 40 chats 15 each (chats with
// a backlog, as in a busy relay), with the dispatcher sending to
// parallel chats at once. Reported: msgs/s, from the start until the
// last is sent.
func BenchmarkBroadcastThroughput(b *testing.B) {
	for _, c := range []struct{ chats, parallel int }{{600, 16}, {40, 16}, {600, 32}, {40, 32}} {
		b.Run(fmt.Sprintf("chats=%d/parallel=%d", c.chats, c.parallel), func(b *testing.B) {
			var perSecond float64
			for range b.N {
				perSecond += runBroadcast(b, c.chats, 600, c.parallel)
			}
			b.ReportMetric(perSecond/float64(b.N), "msgs/s")
		})
	}
}

func runBroadcast(b *testing.B, chats, messages, parallel int) float64 {
	b.Helper()
	b.StopTimer()
	store := storage.New(storagetest.New(b))
	tg := telegramtest.New(b, token)
	var out []outbox.Outgoing
	for i := range messages {
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: community.Telegram, UserID: fmt.Sprint(1000 + i%chats)},
			Message: bots.Reply{Text: fmt.Sprintf("News for everyone (%d).", i)}})
	}
	if err := store.QueueMessages(context.Background(), out); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := bots.NewDispatcher(bots.DispatcherOptions{Store: store, Parallel: parallel})
	d.AddSender(community.Telegram, newSender(b, tg.URL(), telegram.Limits{}))
	b.StartTimer()
	start := time.Now()
	go d.Run(ctx)
	tg.WaitCalls(b, "sendMessage", messages, 5*time.Minute)
	took := time.Since(start)
	b.StopTimer()
	return float64(messages) / took.Seconds()
}
