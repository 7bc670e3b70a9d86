package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// deleteCalls counts the deleteMessage and deleteMessages calls to chat.
func (w *showcaseWorld) deleteCalls(chat string) int {
	n := 0
	for _, c := range w.tg.Calls("") {
		if (c.Method == "deleteMessage" || c.Method == "deleteMessages") && c.Params["chat_id"] == chat {
			n++
		}
	}
	return n
}

// withdraw has Alice withdraw her consent to post id with /mycontent.
func (w *showcaseWorld) withdraw(t *testing.T, id int) {
	t.Helper()
	w.sayHandled(t, telegramtest.Private(alice), alice, "/mycontent")
	list := w.shown(t, alice.ID, "Your showcase posts")
	line := fmt.Sprintf("#%d (%s): reshared with your permission until %s", id, w.svc.Options().Now().Format("2006-01-02"),
		w.svc.Options().Now().AddDate(1, 0, 0).Format("2006-01-02"))
	if !strings.Contains(list.Text, line) {
		t.Errorf("/mycontent lacks %q:\n%s", line, list.Text)
	}
	button := fmt.Sprintf("mycontent:r:%d", id)
	if !slices.Contains(dataOf(list), button) {
		t.Fatalf("/mycontent buttons %v; want %s", dataOf(list), button)
	}
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, list.ID, button))
	w.edited(t, fmt.Sprintf("You withdrew your permission for post #%d.", id))
}

// TestShowcaseWithdrawalDeletesTheReshare: Alice withdraws her consent to
// post #1 with /mycontent; its reshare is deleted from the showcase topic
// and staff are told, and asked to stop other uses. Her reshare of post
// #2 is older than Telegram lets a bot delete (48 hours, by the
// database's record of when it was sent): withdrawn, it is not deleted,
// not even tried, and staff are told which could not be deleted. Telegram
// (the fake, by its own record of when it sent the message) would have
// refused.
func TestShowcaseWithdrawalDeletesTheReshare(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	first := w.reshared(t, 1, "tea-1", jpegBytes(t, 20))
	w.withdraw(t, 1)
	told := sent(t, w.sentMatching(t, "-1002", "The author withdrew their permission for post #1 (consent #1)."))
	for _, part := range []string{"I deleted 1 reshare.", "Please also stop using this post outside the community"} {
		if !strings.Contains(told, part) {
			t.Errorf("staff were told %q; want %q", told, part)
		}
	}
	storagetest.Await(t, func() bool {
		return !slices.ContainsFunc(w.tg.Messages(teaForum.ID), func(m models.Message) bool { return m.ID == first.ID })
	}, func() string {
		return fmt.Sprintf("reshare %d deleted; deletes %v", first.ID, w.tg.Calls("deleteMessages"))
	})
	if c := w.tg.Calls("deleteMessages"); len(c) != 1 || c[0].Params["chat_id"] != "-1004" || c[0].Params["message_ids"] != fmt.Sprintf("[%d]", first.ID) {
		t.Errorf("deleteMessages calls %v; want one of the reshare, %d", c, first.ID)
	}
	w.waitCount(t, `SELECT count(*) FROM showcase_consents WHERE id = 1 AND revoked_at IS NOT NULL`, 1)
	w.waitCount(t, `SELECT count(*) FROM showcase_withdrawals WHERE consent_id = 1 AND reason = 'revoked'`, 1)

	second := w.reshared(t, 2, "tea-2", jpegBytes(t, 90))
	if _, err := w.store.DB().Exec(`UPDATE deliveries SET sent_at = now() - interval '49 hours'
		WHERE event_id = (SELECT r.event_id FROM showcase_reshares r JOIN showcase_consents c ON c.id = r.consent_id WHERE c.submission_id = 2)`); err != nil {
		t.Fatal(err)
	}
	w.tg.SetNow(func() time.Time { return time.Now().Add(49 * time.Hour) })
	deletes := w.deleteCalls("-1004")
	w.withdraw(t, 2)
	told = sent(t, w.sentMatching(t, "-1002", "The author withdrew their permission for post #2 (consent #2)."))
	for _, part := range []string{"I deleted 0 reshares.", "I could not delete the reshares in: Telegram -1004", "Please delete them by hand."} {
		if !strings.Contains(told, part) {
			t.Errorf("staff were told %q; want %q", told, part)
		}
	}
	w.settled(t)
	if n := w.deleteCalls("-1004") - deletes; n != 1 {
		t.Errorf("%d deletes tried of a reshare 49 hours old; want one, which Telegram refuses", n)
	}
	if !slices.ContainsFunc(w.tg.Messages(teaForum.ID), func(m models.Message) bool { return m.ID == second.ID }) {
		t.Errorf("the old reshare %d is gone from the topic", second.ID)
	}
	err := w.bot.DeleteMessages(context.Background(), "-1004", []string{strconv.Itoa(second.ID)})
	if err == nil || !strings.Contains(err.Error(), "message can't be deleted") {
		t.Errorf("deleting the old reshare anyway: %v; want Telegram's refusal", err)
	}
}

// TestShowcaseExpiredConsentIsNeverUsed: Alice allows post #1, and before
// the reshare is sent her consent expires (the dispatcher was held back
// while the clock passed the twelve months): at delivery the consent is
// checked again, the reshare is refused and nothing is sent. The expiry
// job then withdraws the consent (there is nothing to delete) and asks
// her whether to renew it.
func TestShowcaseExpiredConsentIsNeverUsed(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	w.tg.AddFile("tea", jpegBytes(t, 30))
	w.postPhoto(t, alice, "tea", "Evening tea #showcase")
	w.approve(t, 1)
	ask := w.consentRequest(t, 1)

	w.held.Store(true)
	w.tg.PushUpdate(w.tg.CallbackUpdate(telegramtest.Private(alice), alice, ask.ID, choice(t, ask, "a")))
	w.waitCount(t, `SELECT count(*) FROM deliveries WHERE message->>'guard' = 'showcase.consent:1:1' AND status = 'pending'`, 1)
	w.ahead.Store(int64(400 * 24 * time.Hour))
	w.held.Store(false)
	w.svc.Dispatcher.Wake()
	w.waitCount(t, `SELECT count(*) FROM deliveries WHERE message->>'guard' = 'showcase.consent:1:1' AND status = 'dead'
		AND last_error LIKE 'will not retry: refused at delivery (showcase.consent:1:1): %consent expired'`, 1)
	w.settled(t)
	for _, m := range []string{"sendPhoto", "sendMediaGroup", "sendMessage"} {
		if n := len(w.filesTo(m, "-1004")); n > map[string]int{"sendMessage": 1}[m] { // the answer to /setshowcase
			t.Errorf("%d %s calls to the showcase place; want no reshare", n, m)
		}
	}

	botstest.RunJob(t, w.svc, "showcase.expiry")
	w.svc.Dispatcher.Wake()
	told := sent(t, w.sentMatching(t, "-1002", "The permission for post #1 has expired (consent #1)."))
	if !strings.Contains(told, "I deleted 0 reshares.") || strings.Contains(told, "could not delete") {
		t.Errorf("staff were told %q; want nothing deleted, nothing failed", told)
	}
	renew := w.shown(t, alice.ID, "Your permission for post #1 has expired")
	if got := dataOf(renew); len(got) != 3 || !strings.HasPrefix(got[0], "mycontent:c:") {
		t.Errorf("the renewal's buttons %v; want Allow", got)
	}
}

// TestShowcaseExpiryDeletesTheReshareAndAsksToRenew: a year after Alice
// allowed post #1, the expiry job deletes its reshare, tells staff and
// asks her whether to renew; running again it does nothing more. She
// allows it again and it is reshared again. (Only Hearth's clock moves:
// to the database and to Telegram the reshare is young enough to delete,
// which on the real Telegram a year-old message never is; staff are then
// told it could not be deleted, as TestShowcaseWithdrawalDeletesTheReshare
// shows.)
func TestShowcaseExpiryDeletesTheReshareAndAsksToRenew(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	photo := jpegBytes(t, 60)
	shared := w.reshared(t, 1, "tea", photo)

	w.ahead.Store(int64(400 * 24 * time.Hour))
	botstest.RunJob(t, w.svc, "showcase.expiry")
	w.svc.Dispatcher.Wake()
	told := sent(t, w.sentMatching(t, "-1002", "The permission for post #1 has expired (consent #1)."))
	if !strings.Contains(told, "I deleted 1 reshare.") {
		t.Errorf("staff were told %q; want the reshare deleted", told)
	}
	storagetest.Await(t, func() bool {
		return !slices.ContainsFunc(w.tg.Messages(teaForum.ID), func(m models.Message) bool { return m.ID == shared.ID })
	}, func() string {
		return fmt.Sprintf("reshare %d deleted; deletes %v", shared.ID, w.tg.Calls("deleteMessages"))
	})
	renew := w.shown(t, alice.ID, "Your permission for post #1 has expired, so I am taking my reshares down. Would you like to renew it?")
	w.settled(t)
	botstest.RunJob(t, w.svc, "showcase.expiry")
	w.settled(t)
	if n := w.sentCount("-1002", "has expired"); n != 1 {
		t.Errorf("staff were told %d times of the expiry; want once", n)
	}

	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, renew.ID, choice(t, renew, "a")))
	again := w.reshareOf(t, 2)
	if up := again.Uploads["photo"]; up.SHA256 != botstest.SHA256(photo) {
		t.Errorf("the renewed reshare uploaded %+v; want Alice's photo", up)
	}
	w.waitCount(t, `SELECT count(*) FROM showcase_consents WHERE submission_id = 1 AND decision = 'allow' AND revoked_at IS NULL`, 2)
	if n := w.count(t, `SELECT count(*) FROM activities WHERE kind = 'ugc_approved'`); n != 1 {
		t.Errorf("%d showcase activities; want the first consent's only", n)
	}
}

// uploadGate stands between Hearth and the fake Bot API; once armed, it
// holds each call of its method until the test opens it, then passes it
// on: an upload on its way for as long as the test needs.
type uploadGate struct {
	srv     *httptest.Server
	method  string
	armed   atomic.Bool
	arrived chan struct{} // a value for each call held
	open    chan struct{} // closed to let the held calls through
}

func newUploadGate(t *testing.T, tg *telegramtest.Server, method string) *uploadGate {
	t.Helper()
	target, err := url.Parse(tg.URL())
	if err != nil {
		t.Fatal(err)
	}
	g := &uploadGate{method: method, arrived: make(chan struct{}, 16), open: make(chan struct{})}
	forward := httputil.NewSingleHostReverseProxy(target)
	forward.ErrorLog = log.New(io.Discard, "", 0) // a stopped Hearth's long poll, cut short
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.armed.Load() && strings.HasSuffix(r.URL.Path, "/"+g.method) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			g.arrived <- struct{}{}
			select {
			case <-g.open:
			case <-r.Context().Done():
				return
			}
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	t.Cleanup(g.let) // runs first: no call stays held
	return g
}

// let opens the gate, once.
func (g *uploadGate) let() {
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// held waits until a call is held.
func (g *uploadGate) held(t *testing.T) {
	t.Helper()
	select {
	case <-g.arrived:
	case <-time.After(storagetest.Patience):
		t.Fatalf("no %s call reached the gate", g.method)
	}
}

// TestShowcaseWithdrawalWaitsForAReshareOnItsWay: Alice withdraws her
// consent while the reshare's photo is being uploaded to Telegram (the
// consent was still valid when the delivery was checked). The upload
// then succeeds; the withdrawal does not stop at "nothing reshared yet":
// the reshare is deleted once its message exists, and staff are told it
// was.
func TestShowcaseWithdrawalWaitsForAReshareOnItsWay(t *testing.T) {
	t.Parallel()
	tg := telegramtest.New(t, token)
	gate := newUploadGate(t, tg, "sendPhoto")
	w := startShowcaseOn(t, setup{tg: tg, apiURL: gate.srv.URL}, 0)
	w.tg.AddFile("tea", jpegBytes(t, 50))
	w.postPhoto(t, alice, "tea", "Tea on its way #showcase")
	w.approve(t, 1)
	ask := w.consentRequest(t, 1)

	gate.armed.Store(true)
	w.tg.PushUpdate(w.tg.CallbackUpdate(telegramtest.Private(alice), alice, ask.ID, choice(t, ask, "a")))
	gate.held(t)
	w.tg.PushUpdate(w.tg.MessageUpdate(telegramtest.Private(alice), alice, "/mycontent"))
	list := w.shown(t, alice.ID, "Your showcase posts")
	w.tg.PushUpdate(w.tg.CallbackUpdate(telegramtest.Private(alice), alice, list.ID, "mycontent:r:1"))
	w.edited(t, "You withdrew your permission for post #1.")
	w.waitCount(t, `SELECT count(*) FROM outbox_events WHERE kind = 'showcase.withdrawn' AND attempts > 0`, 1)

	gate.let()
	shared := w.shown(t, teaForum.ID, "“Tea on its way”")
	told := sent(t, w.sentMatching(t, "-1002", "The author withdrew their permission for post #1 (consent #1)."))
	if !strings.Contains(told, "I deleted 1 reshare.") {
		t.Errorf("staff were told %q; want the reshare deleted", told)
	}
	storagetest.Await(t, func() bool {
		return !slices.ContainsFunc(w.tg.Messages(teaForum.ID), func(m models.Message) bool { return m.ID == shared.ID })
	}, func() string {
		return fmt.Sprintf("reshare %d deleted; deletes %v", shared.ID, w.tg.Calls("deleteMessages"))
	})
	w.settled(t)
	if n := w.sentCount("-1002", "withdrew their permission"); n != 1 {
		t.Errorf("staff were told %d times; want once", n)
	}
}

// TestShowcaseRenewedBeforeTheExpiryJobKeepsTheNewReshare: Alice's
// consent to post #1 expires and, before the expiry job notices, she
// allows the post again from /mycontent: it is reshared again. The
// expiry job then takes down the reshare of the consent that expired,
// not the one she has just allowed, and does not ask her to renew again.
func TestShowcaseRenewedBeforeTheExpiryJobKeepsTheNewReshare(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	old := w.reshared(t, 1, "tea", jpegBytes(t, 120))

	w.renewLate(t, "a")
	w.reshareOf(t, 2)
	renewed := w.shown(t, teaForum.ID, "“Tea number 1”")
	if renewed.ID == old.ID {
		t.Fatalf("no second reshare")
	}

	botstest.RunJob(t, w.svc, "showcase.expiry")
	w.svc.Dispatcher.Wake()
	w.settled(t)
	shown := w.tg.Messages(teaForum.ID)
	if slices.ContainsFunc(shown, func(m models.Message) bool { return m.ID == old.ID }) {
		t.Errorf("the reshare of the expired consent, %d, is still up", old.ID)
	}
	if !slices.ContainsFunc(shown, func(m models.Message) bool { return m.ID == renewed.ID }) {
		t.Errorf("the reshare Alice has just allowed, %d, was deleted", renewed.ID)
	}
	if n := w.sentCount("100", "Your permission for post #1 has expired"); n != 0 {
		t.Errorf("Alice was asked %d times to renew a consent she has just renewed", n)
	}
}

// TestShowcaseForgetMeDeletesTheReshareAndKeepsNothingOfIt: Alice asks
// to be forgotten; her reshare is deleted from the showcase topic, staff
// are told, her file is gone and her consent stays only as an anonymous
// ledger row. Once the sent messages Hearth keeps for a while are pruned,
// no message left quotes her caption or credits her by name.
func TestShowcaseForgetMeDeletesTheReshareAndKeepsNothingOfIt(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	shared := w.reshared(t, 1, "tea", jpegBytes(t, 140))
	w.sayHandled(t, telegramtest.Private(alice), alice, "/forgetme")
	confirm := w.shown(t, alice.ID, "Erase everything I store")
	for _, row := range confirm.ReplyMarkup.InlineKeyboard {
		if strings.Contains(row[0].Text, "Erase everything") {
			w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, confirm.ID, row[0].CallbackData))
		}
	}
	told := sent(t, w.sentMatching(t, "-1002", "The author of post #1 asked to be forgotten (consent #1)."))
	if !strings.Contains(told, "I deleted 1 reshare.") {
		t.Errorf("staff were told %q; want the reshare deleted", told)
	}
	storagetest.Await(t, func() bool {
		return !slices.ContainsFunc(w.tg.Messages(teaForum.ID), func(m models.Message) bool { return m.ID == shared.ID })
	}, func() string {
		return fmt.Sprintf("reshare %d deleted; deletes %v", shared.ID, w.tg.Calls("deleteMessages"))
	})
	w.settled(t)
	w.waitCount(t, `SELECT count(*) FROM showcase_consents WHERE member_id IS NULL AND text = '' AND revoked_at IS NOT NULL`, 1)
	if n := w.count(t, `SELECT count(*) FROM showcase_media`); n != 0 {
		t.Errorf("%d files kept; want Alice's gone", n)
	}
	if _, _, err := w.store.PruneOutbox(context.Background(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM deliveries WHERE message::text LIKE '%Tea number 1%' OR message::text LIKE '%Alice%'`); n != 0 {
		t.Errorf("%d messages kept past their time still quote Alice's caption or name her", n)
	}
}

// renewLate moves the clock 400 days on, past post #1's consent, and has
// Alice answer its renewal from /mycontent (code a, n or d) before the
// expiry job notices the old consent ended.
func (w *showcaseWorld) renewLate(t *testing.T, code string) {
	t.Helper()
	w.ahead.Store(int64(400 * 24 * time.Hour))
	w.sayHandled(t, telegramtest.Private(alice), alice, "/mycontent")
	list := w.shown(t, alice.ID, "Your showcase posts")
	if !slices.Contains(dataOf(list), "mycontent:ask:1") {
		t.Fatalf("/mycontent buttons %v; want the renewal", dataOf(list))
	}
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, list.ID, "mycontent:ask:1"))
	ask := w.consentRequest(t, 1)
	w.push(t, w.tg.CallbackUpdate(telegramtest.Private(alice), alice, ask.ID, choice(t, ask, code)))
}

// TestShowcaseDeclinedRenewalIsNotAskedAgain: Alice's consent expires
// and, before the expiry job notices, she declines to renew it; the
// job's withdrawal takes the reshare down and tells staff, and does not
// ask her again.
func TestShowcaseDeclinedRenewalIsNotAskedAgain(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	w.reshared(t, 1, "tea", jpegBytes(t, 120))
	w.renewLate(t, "d")
	w.settled(t)

	botstest.RunJob(t, w.svc, "showcase.expiry")
	w.svc.Dispatcher.Wake()
	w.sentMatching(t, "-1002", "The permission for post #1 has expired (consent #1).")
	w.settled(t)
	if n := w.sentCount("100", "Your permission for post #1 has expired"); n != 0 {
		t.Errorf("Alice was asked %d times to renew after she declined to", n)
	}
}

// TestShowcaseWithdrawalReportsWhatItCouldNotDelete: a reshare on a
// platform this Hearth does not run cannot be deleted here; the
// withdrawal tries again, and on its last attempt tells staff where the
// reshare stays instead of dying silently.
func TestShowcaseWithdrawalReportsWhatItCouldNotDelete(t *testing.T) {
	t.Parallel()
	w := startShowcase(t, 0)
	w.reshared(t, 1, "tea-1", jpegBytes(t, 20))
	db := w.store.DB()
	if _, err := db.Exec(`INSERT INTO deliveries (event_id, platform, target_key, target, message, status, sent_at, sent_ids)
SELECT event_id, 'discord', 'd:1', '{"platform":"discord","chat":"777"}', '{"text":"x"}', 'sent', now(), '{888}' FROM showcase_reshares`); err != nil {
		t.Fatal(err)
	}
	w.sayHandled(t, telegramtest.Private(alice), alice, "/mycontent")
	list := w.shown(t, alice.ID, "Your showcase posts")
	w.tg.PushUpdate(w.tg.CallbackUpdate(telegramtest.Private(alice), alice, list.ID, "mycontent:r:1"))
	w.waitCount(t, `SELECT count(*) FROM outbox_events WHERE kind = 'showcase.withdrawn' AND status = 'pending' AND attempts = 1
		AND last_error LIKE '%discord is not connected%'`, 1)
	// its last attempt comes now
	if _, err := db.Exec(`UPDATE outbox_events SET attempts = 100, next_attempt_at = now() WHERE kind = 'showcase.withdrawn'`); err != nil {
		t.Fatal(err)
	}
	w.svc.Dispatcher.Wake()
	told := sent(t, w.sentMatching(t, "-1002", "The author withdrew their permission for post #1 (consent #1)."))
	for _, part := range []string{"I deleted 1 reshare.", "I could not delete the reshares in: Discord 777"} {
		if !strings.Contains(told, part) {
			t.Errorf("staff were told %q; want %q", told, part)
		}
	}
}
