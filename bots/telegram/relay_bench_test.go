package telegram_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// The relay benchmark's load: staff write in the topics of relayMembers
// members' tickets in turn, relayRate messages a second, relayRound
// messages a round (30 s).
const (
	relayMembers = 50
	relayRate    = 50
	relayRound   = 30 * relayRate
)

// BenchmarkRelayLatencyAt50PerSecond: staff write in the forum topics of
// 50 members' open tickets at a steady 50 messages a second, 1,500 a
// round, and each message goes the whole way: the Bot API (the fake) to
// Hearth by polling, the inbox, the relay, the outbox, the Bot API again
// as a sendMessage to the member's private chat. Reported: percentiles of
// the time from the update reaching the Bot API to that sendMessage
// reaching it. telegram-limits=true sends at Telegram's broadcast limits,
// as production does (30 messages a second in all, one a second per
// chat); false measures Hearth alone. Each message must reach its member
// exactly once.
func BenchmarkRelayLatencyAt50PerSecond(b *testing.B) {
	for _, paced := range []bool{false, true} {
		b.Run(fmt.Sprintf("telegram-limits=%t", paced), func(b *testing.B) {
			w := startRelayBench(b, paced)
			var latencies []time.Duration
			b.ResetTimer()
			for round := range b.N {
				latencies = append(latencies, w.round(b, round)...)
			}
			b.StopTimer()
			slices.Sort(latencies)
			n := len(latencies)
			b.ReportMetric(ms(latencies[n/2]), "p50-ms")
			b.ReportMetric(ms(latencies[n*99/100]), "p99-ms")
			b.ReportMetric(ms(latencies[n-1]), "max-ms")
		})
	}
}

// relayBench is a staff supergroup with topics on and relayMembers
// members, each with an open ticket and its topic there.
type relayBench struct {
	*npsWorld
	forum   models.Chat
	members []models.User
	topics  map[int64]int // each member's ticket's topic, by user id
}

// startRelayBench opens the members' tickets on a Hearth without rate
// limits, then, when paced, starts Hearth again on the same database and
// Bot API with Telegram's: opening 50 topics with a card in each would
// take minutes at 20 messages a minute to the group.
func startRelayBench(b *testing.B, paced bool) *relayBench {
	b.Helper()
	w := &relayBench{npsWorld: startNPS(b), topics: map[int64]int{}}
	w.forum = w.tg.AddForum(teaStaff.ID, teaStaff.Title)
	for i := range relayMembers {
		u := telegramtest.User(5000+int64(i), fmt.Sprintf("Member %d", i))
		w.members = append(w.members, u)
		w.tg.PushUpdate(w.tg.MessageUpdate(telegramtest.Private(u), u, "/start"))
		w.tg.PushUpdate(w.tg.MessageUpdate(telegramtest.Private(u), u, "my grinder arrived broken"))
	}
	w.waitCount(b, `SELECT count(*) FROM ticket_threads`, relayMembers)
	storagetest.WaitSettled(b, w.store.DB())
	if paced {
		w.stop()
		w.npsWorld = startNPSWith(b, setup{store: w.store, tg: w.tg, realLimits: true})
		storagetest.WaitSettled(b, w.store.DB())
	}
	var rows []struct {
		User   int64 `db:"user_id"`
		Thread int   `db:"thread_id"`
	}
	err := w.store.DB().Select(&rows, `SELECT i.platform_user_id::bigint AS user_id, th.thread_id::int AS thread_id
		FROM ticket_threads th JOIN tickets t ON t.id = th.ticket_id JOIN identities i ON i.member_id = t.member_id AND i.platform = 'telegram'`)
	if err != nil || len(rows) != relayMembers {
		b.Fatalf("the tickets' topics: %d of %d, %v", len(rows), relayMembers, err)
	}
	for _, r := range rows {
		w.topics[r.User] = r.Thread
	}
	return w
}

// relayedText finds the number of a staff message in what reached a
// member.
var relayedText = regexp.MustCompile(`Answer (\d+): a new one ships today\.`)

// round has the owner write relayRound messages, numbered on from
// round's first, one in each member's topic in turn at relayRate a
// second, waits until each reached its member, and returns how long each
// took. A message that reached no member, the wrong one or its member
// twice fails the benchmark.
func (w *relayBench) round(b *testing.B, round int) []time.Duration {
	b.Helper()
	first := round * relayRound
	posted := make([]time.Time, relayRound)
	tick := time.NewTicker(time.Second / relayRate)
	for i := range relayRound {
		<-tick.C
		u := w.members[i%relayMembers]
		up := w.tg.TopicMessageUpdate(w.forum, owner, w.topics[u.ID], fmt.Sprintf("Answer %d: a new one ships today.", first+i))
		posted[i] = time.Now()
		w.tg.PushUpdate(up)
	}
	tick.Stop()
	w.awaitRelayed(b, first)
	storagetest.WaitSettled(b, w.store.DB()) // a copy sent twice would be out by now
	arrivals := w.relayed(first)
	out := make([]time.Duration, relayRound)
	for i := range relayRound {
		got := arrivals[i]
		if want := fmt.Sprint(w.members[i%relayMembers].ID); len(got) != 1 || got[0].Params["chat_id"] != want {
			b.Fatalf("message %d reached %v, want member %s once", first+i, got, want)
		}
		out[i] = got[0].At.Sub(posted[i])
	}
	return out
}

// awaitRelayed waits until each message of the round starting at first
// reached a member, failing when none arrives for storagetest.Patience.
func (w *relayBench) awaitRelayed(b *testing.B, first int) {
	b.Helper()
	arrived, progress := 0, time.Now()
	for {
		n := 0
		for _, calls := range w.relayed(first) {
			n += min(len(calls), 1)
		}
		switch {
		case n == relayRound:
			return
		case n > arrived:
			arrived, progress = n, time.Now()
		case time.Since(progress) > storagetest.Patience:
			b.Fatalf("%d of %d messages reached their member; none more in %s", arrived, relayRound, storagetest.Patience)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// relayed are the sendMessage calls that carried each message of the
// round starting at first, by its place in the round.
func (w *relayBench) relayed(first int) [][]telegramtest.Call {
	out := make([][]telegramtest.Call, relayRound)
	for _, c := range w.tg.Calls("sendMessage") {
		m := relayedText.FindStringSubmatch(c.Params["text"])
		if m == nil || c.Status != http.StatusOK {
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n >= first && n < first+relayRound {
			out[n-first] = append(out[n-first], c)
		}
	}
	return out
}
