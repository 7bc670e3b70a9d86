package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/lib/pq"
)

// inbound is the whole inbound path of a webhook update: JSON decoding, the
// secret check, deduplication, member and chat resolution and recording
// the activity in PostgreSQL, until the handler answers 200.
type inbound struct {
	handler http.Handler
	next    atomic.Int64
	groups  []models.Chat
}

const benchSecret = "bench-secret"

func newInbound(b *testing.B) *inbound {
	h := start(b, setup{webhookSecret: benchSecret})
	h.tg.WaitCalls(b, "setWebhook", 1, 10*time.Second)
	in := &inbound{handler: h.bot.WebhookHandler()}
	for g := range 10 {
		in.groups = append(in.groups, telegramtest.Supergroup(-1000-int64(g), fmt.Sprintf("Group %d", g)))
	}
	return in
}

// post sends update n: a message from one of 10,000 members in one of 10
// groups.
func (in *inbound) post(b *testing.B, n int64) {
	user := telegramtest.User(1000+n%10000, fmt.Sprintf("Member %d", n%10000))
	user.Username = fmt.Sprintf("member%d", n%10000)
	u := models.Update{ID: n, Message: &models.Message{ID: int(n), Date: int(time.Now().Unix()), Chat: in.groups[n%10], From: &user, Text: "I love this tea"}}
	body, _ := json.Marshal(u)
	req := httptest.NewRequest(http.MethodPost, "/api/telegram/webhook", bytes.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", benchSecret)
	rec := httptest.NewRecorder()
	in.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Errorf("update %d: status %d: %s", n, rec.Code, rec.Body)
	}
}

// BenchmarkInboundThroughput handles updates as fast as 100 concurrent
// webhook connections (Telegram's maximum for one bot) or 200 (two
// replicas) deliver them.
func BenchmarkInboundThroughput(b *testing.B) {
	for _, inFlight := range []int{100, 200} {
		b.Run(fmt.Sprintf("in-flight=%d", inFlight), func(b *testing.B) {
			in := newInbound(b)
			b.SetParallelism(max(1, inFlight/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					in.post(b, in.next.Add(1))
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
		})
	}
}

// BenchmarkInboundLatencyAt1000PerSecond sends 3,000 updates at a steady
// 1,000 a second and reports the handling latency percentiles.
func BenchmarkInboundLatencyAt1000PerSecond(b *testing.B) {
	in := newInbound(b)
	b.ResetTimer()
	for range b.N {
		const total = 3000
		latencies := make([]time.Duration, total)
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Millisecond)
		for i := range total {
			<-tick.C
			wg.Go(func() {
				t0 := time.Now()
				in.post(b, in.next.Add(1))
				latencies[i] = time.Since(t0)
			})
		}
		tick.Stop()
		wg.Wait()
		slices.Sort(latencies)
		b.ReportMetric(ms(latencies[total/2]), "p50-ms")
		b.ReportMetric(ms(latencies[total*99/100]), "p99-ms")
		b.ReportMetric(ms(latencies[total-1]), "max-ms")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkPollingThroughput measures the polling path end to end: b.N
// members' messages (one in ten a command) queued at the fake Bot API are
// fetched by getUpdates, recorded and acknowledged (the confirmed offset
// passes the last one). Handling the commands follows from the inbox.
func BenchmarkPollingThroughput(b *testing.B) {
	h := startCustom(b, custom{})
	h.tg.WaitCalls(b, "getUpdates", 1, 10*time.Second)
	groups := make([]models.Chat, 10)
	for g := range groups {
		groups[g] = telegramtest.Supergroup(-1000-int64(g), fmt.Sprintf("Group %d", g))
	}
	b.ResetTimer()
	start := time.Now()
	var last int64
	for n := range b.N {
		user := telegramtest.User(1000+int64(n%10000), fmt.Sprintf("Member %d", n%10000))
		text := "I love this tea"
		if n%10 == 0 {
			text = "/ping"
		}
		last = h.tg.PushUpdate(h.tg.MessageUpdate(groups[n%10], user, text))
	}
	h.tg.WaitConfirmed(b, last+1, 5*time.Minute)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "updates/s")
}

// BenchmarkSlowHandlerDelay runs a command that takes 2 s in one group
// and, while it runs, a fast command in each of 20 other groups, and
// reports how long those waited from reaching the Bot API to handled
// (their replies queued; sending them is the outbox's, under Telegram's
// rate limits): a slow handler must add nothing to the other chats' waits
// (compare with slow-handler=false).
func BenchmarkSlowHandlerDelay(b *testing.B) {
	for _, slow := range []bool{false, true} {
		b.Run(fmt.Sprintf("slow-handler=%t", slow), func(b *testing.B) {
			var running atomic.Int32 // slow handlers running now
			sleep := bots.Command{Name: "slow", Permission: community.RoleMember, Where: bots.Anywhere,
				Run: func(ctx context.Context, _ *bots.Request) (bots.Reply, error) {
					running.Add(1)
					defer running.Add(-1)
					select {
					case <-time.After(2 * time.Second):
					case <-ctx.Done():
					}
					return bots.Reply{Text: "done"}, nil
				}}
			h := startCustom(b, custom{commands: []bots.Command{sleep}})
			h.tg.WaitCalls(b, "getUpdates", 1, 10*time.Second)
			var latencies []float64
			b.ResetTimer()
			for round := range b.N {
				if slow {
					h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "/slow"))
					storagetest.Eventually(b, "the slow handler running", func() bool { return running.Load() > 0 })
				}
				var keys []string
				pushed := map[string]time.Time{}
				for g := range 20 {
					chat := telegramtest.Supergroup(-3000-int64(round*20+g), fmt.Sprintf("Other %d", g))
					key := fmt.Sprint(h.tg.PushUpdate(h.tg.MessageUpdate(chat, bob, "/ping")))
					keys, pushed[key] = append(keys, key), time.Now()
				}
				h.waitCount(b, `SELECT count(*) FROM inbound_updates WHERE update_key = ANY($1) AND handled_at IS NOT NULL`, 20, pq.Array(keys))
				var handled []struct {
					Key string    `db:"update_key"`
					At  time.Time `db:"handled_at"`
				}
				if err := h.store.DB().Select(&handled, `SELECT update_key, handled_at FROM inbound_updates WHERE update_key = ANY($1)`, pq.Array(keys)); err != nil {
					b.Fatal(err)
				}
				for _, u := range handled {
					latencies = append(latencies, ms(u.At.Sub(pushed[u.Key])))
				}
				h.waitCount(b, `SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL`, 0)
			}
			slices.Sort(latencies)
			b.ReportMetric(latencies[len(latencies)/2], "p50-ms")
			b.ReportMetric(latencies[len(latencies)-1], "max-ms")
		})
	}
}
