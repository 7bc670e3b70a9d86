package telegram_test

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// npsWorld is Hearth on Telegram asking everyone it may write to (100%)
// with no quiet hours, on a clock the test moves, with teaStaff as the
// staff chat.
type npsWorld struct {
	*hearth
	ahead atomic.Int64
}

func startNPS(t testing.TB) *npsWorld {
	t.Helper()
	return startNPSWith(t, setup{})
}

// startNPSWith is startNPS as s describes: another Hearth's database and
// Bot API to start again on, Telegram's rate limits.
func startNPSWith(t testing.TB, s setup) *npsWorld {
	t.Helper()
	w := &npsWorld{}
	w.hearth = startCustom(t, custom{setup: s, service: func(so *bots.ServiceOptions) {
		so.Community = bots.DefaultCommunityOptions()
		so.Community.Location = time.UTC
		so.Community.Announce = bots.AnnounceOptions{WeeklyCap: 2}
		so.Community.NPS = bots.NPSOptions{Schedule: "0 11 * * TUE", AnswerWindow: 7 * 24 * time.Hour,
			Wave: feedback.WaveRules{SamplePercent: 100, MinInterval: 90 * 24 * time.Hour}}
		so.Now = func() time.Time { return time.Now().Add(time.Duration(w.ahead.Load())) }
	}})
	w.tg.PushUpdate(w.tg.MessageUpdate(teaStaff, owner, "/setstaff"))
	w.waitCount(t, `SELECT count(*) FROM chats WHERE is_staff AND platform_chat_id = '-1002'`, 1)
	return w
}

// wave runs the NPS job once, as the scheduler would.
func (w *npsWorld) wave(t *testing.T) {
	t.Helper()
	botstest.RunJob(t, w.svc, "nps.wave")
	w.svc.Dispatcher.Wake()
}

// question waits for the NPS question in u's private chat and returns its
// message id and button data.
func (w *npsWorld) question(t *testing.T, u models.User) (int, []string) {
	t.Helper()
	var id int
	var data []string
	storagetest.Await(t, func() bool {
		for _, c := range w.tg.Calls("sendMessage") {
			if c.Params["chat_id"] == fmt.Sprint(u.ID) && strings.Contains(c.Params["text"], "How likely are you to recommend") {
				data = callbackData(buttons(t, c))
				for _, m := range w.tg.Messages(u.ID) {
					if strings.Contains(m.Text, "How likely") {
						id = m.ID
					}
				}
				return id != 0
			}
		}
		return false
	}, func() string { return fmt.Sprintf("the NPS question to %d; calls %v", u.ID, w.tg.Calls("sendMessage")) })
	return id, data
}

// edited waits for an edit of a message containing part.
func (w *npsWorld) edited(t *testing.T, part string) {
	t.Helper()
	storagetest.Await(t, func() bool {
		return slices.ContainsFunc(w.tg.Calls("editMessageText"), func(c telegramtest.Call) bool { return strings.Contains(c.Params["text"], part) })
	}, func() string { return fmt.Sprintf("an edit with %q; edits %v", part, w.tg.Calls("editMessageText")) })
}

// TestNPSOnTelegram: the wave asks the members Hearth may write to (not
// Cleo, who never opened a private chat) with 0-10 buttons; Alice's 9 and
// her reason count; Bob, a VIP, gives 3 and staff are alerted at once
// with an Open a ticket button that opens his ticket; Cleo's press is
// refused; /nps shows the hand-computed scores to staff and not to a
// member; Dave's press after the window is thanked, not counted.
func TestNPSOnTelegram(t *testing.T) {
	t.Parallel()
	w := startNPS(t)
	for _, u := range []models.User{alice, bob, dave} {
		w.sayHandled(t, telegramtest.Private(u), u, "/start")
	}
	w.sayHandled(t, group, cleo, "hello")
	storagetest.SetValues(t, w.store.DB(), map[int64]float64{w.memberID(t, "100"): 100, w.memberID(t, "200"): 300})
	w.writeTier(t, bob, community.TierVIP)
	w.wave(t)

	msg, data := w.question(t, alice)
	want := []string{}
	for s := range 11 {
		want = append(want, fmt.Sprintf("survey:s:1:%d", s))
	}
	if !slices.Equal(data, want) {
		t.Errorf("buttons %v; want %v", data, want)
	}
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, msg, "survey:s:1:9"))
	w.edited(t, "You gave us 9")
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, msg, "survey:why:1"))
	msgs := w.tg.Messages(alice.ID)
	reply := w.tg.MessageUpdate(telegramtest.Private(alice), alice, "The oolong is superb")
	reply.Message.ReplyToMessage = &msgs[len(msgs)-1]
	w.push(t, reply)
	w.waitCount(t, `SELECT count(*) FROM nps_answers WHERE reason = 'The oolong is superb' AND score = 9`, 1)

	bobMsg, _ := w.question(t, bob)
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(bob), bob, bobMsg, "survey:s:1:3"))
	alert := w.sentMatching(t, "-1002", "NPS detractor")
	if text := sent(t, alert); !strings.Contains(text, "Bob") || !strings.Contains(text, "VIP") || !strings.Contains(text, "CLV 300.00") {
		t.Errorf("alert %q", text)
	}
	var answer int64
	if err := w.store.DB().Get(&answer, `SELECT id FROM nps_answers WHERE score = 3`); err != nil {
		t.Fatal(err)
	}
	if got := callbackData(buttons(t, alert)); !slices.Equal(got, []string{fmt.Sprintf("nps:ticket:%d", answer)}) {
		t.Errorf("alert buttons %v", got)
	}
	w.push(t, w.tg.CallbackUpdate(teaStaff, owner, 1, fmt.Sprintf("nps:ticket:%d", answer)))
	w.waitCount(t, `SELECT count(*) FROM tickets t JOIN nps_answers a ON a.ticket_id = t.id WHERE t.text = 'NPS 3/10.'`, 1)

	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(cleo), cleo, 1, "survey:s:1:5"))
	if !slices.ContainsFunc(w.tg.Calls("answerCallbackQuery"), func(c telegramtest.Call) bool {
		return strings.Contains(c.Params["text"], "not sent to you")
	}) {
		t.Errorf("Cleo's press was not refused: %v", w.tg.Calls("answerCallbackQuery"))
	}

	w.sayHandled(t, teaStaff, owner, "/nps")
	report := sent(t, w.sentMatching(t, "-1002", "NPS of the last 12 weeks"))
	// Alice 9 (promoter, CLV 100), Bob 3 (detractor, CLV 300): NPS 0 with
	// the whole range; weighted (100-300)/400 = -50, n_eff 400²/100000 =
	// 1.6, high end -50 + 196·√(0.75/1.6) = 84.2; 2 of 3 asked.
	for _, part := range []string{"NPS: <b>0.0 (95% interval -100.0 to 100.0)</b>", "promoters 1, passives 0, detractors 1",
		"Weighted by CLV: -50.0 (95% interval -100.0 to 84.2), effective answers 1.6", "2 answers of 3 asked (66.7%)",
		"VIP: -100.0 (1 answer)"} {
		if !strings.Contains(report, part) {
			t.Errorf("report lacks %q:\n%s", part, report)
		}
	}
	w.sayHandled(t, telegramtest.Private(alice), alice, "/nps")
	if n := w.sentCount("100", "NPS of the last"); n != 0 {
		t.Errorf("a member saw the report")
	}

	daveMsg, _ := w.question(t, dave)
	w.ahead.Store(int64(8 * 24 * time.Hour))
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(dave), dave, daveMsg, "survey:s:1:10"))
	w.edited(t, "This survey has closed")
	w.waitCount(t, `SELECT count(*) FROM nps_answers`, 2)
}

// sentMatching waits for a message to chat containing part.
func (w *npsWorld) sentMatching(t *testing.T, chat, part string) telegramtest.Call {
	t.Helper()
	var out telegramtest.Call
	storagetest.Await(t, func() bool {
		for _, c := range w.tg.Calls("sendMessage") {
			if c.Params["chat_id"] == chat && strings.Contains(c.Params["text"], part) {
				out = c
				return true
			}
		}
		return false
	}, func() string {
		return fmt.Sprintf("a message to %s with %q; calls %v", chat, part, w.tg.Calls("sendMessage"))
	})
	return out
}
