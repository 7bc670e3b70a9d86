package telegram_test

import (
	"bytes"
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
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
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
