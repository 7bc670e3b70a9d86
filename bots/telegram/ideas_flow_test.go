package telegram_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// boris speaks Russian: Hearth writes to him privately in Russian.
var boris = func() models.User {
	u := telegramtest.User(500, "Boris")
	u.LanguageCode = "ru"
	return u
}()

// ideasHearth is Hearth on Telegram with no quiet hours, on a clock the
// test moves by ahead, over s (a database and a fake Bot API of its own
// where s names none), with more changes to its options.
func ideasHearth(t *testing.T, s setup, ahead *atomic.Int64, more ...func(*bots.ServiceOptions)) *hearth {
	t.Helper()
	return startCustom(t, custom{setup: s, service: func(so *bots.ServiceOptions) {
		so.Community = bots.DefaultCommunityOptions()
		so.Community.Location = time.UTC
		so.Community.Announce = bots.AnnounceOptions{WeeklyCap: 2}
		so.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
		for _, f := range more {
			f(so)
		}
	}})
}

// botMessage waits for a message of the bot's in chat containing part and
// returns its id.
func (h *hearth) botMessage(t *testing.T, chat int64, part string) int {
	t.Helper()
	id := 0
	storagetest.Await(t, func() bool {
		for _, m := range h.tg.Messages(chat) {
			if strings.Contains(m.Text, part) {
				id = m.ID
			}
		}
		return id != 0
	}, func() string {
		return fmt.Sprintf("a message in %d with %q; calls %v", chat, part, h.tg.Calls("sendMessage"))
	})
	return id
}

// sentTo counts every message Hearth sent to chat.
func (h *hearth) sentTo(chat string) int {
	n := 0
	for _, c := range h.tg.Calls("sendMessage") {
		if c.Params["chat_id"] == chat {
			n++
		}
	}
	return n
}

// armedProxy stands between Hearth and the fake Bot API; once armed, it
// holds every sendMessage call until the caller gives up on it: the
// message is on its way and never arrives, as when the process dies
// while Telegram is slow to answer.
type armedProxy struct {
	srv   *httptest.Server
	armed atomic.Bool
	gone  chan struct{} // closed when the test ends

	mu      sync.Mutex
	held    int
	changed chan struct{} // closed and replaced when a call is held
}

func newArmedProxy(t *testing.T, tg *telegramtest.Server) *armedProxy {
	t.Helper()
	target, err := url.Parse(tg.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &armedProxy{gone: make(chan struct{}), changed: make(chan struct{})}
	forward := httputil.NewSingleHostReverseProxy(target)
	forward.ErrorLog = log.New(io.Discard, "", 0) // a stopped Hearth's long poll, cut short
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.armed.Load() || !strings.HasSuffix(r.URL.Path, "/sendMessage") {
			forward.ServeHTTP(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client hang up
		p.mu.Lock()
		p.held++
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		select {
		case <-r.Context().Done():
		case <-p.gone:
		}
	}))
	t.Cleanup(p.srv.Close)
	t.Cleanup(func() { close(p.gone) }) // runs first: let held calls go
	return p
}

// waitHeld waits until n calls are held.
func (p *armedProxy) waitHeld(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(storagetest.Patience)
	for {
		p.mu.Lock()
		held, changed := p.held, p.changed
		p.mu.Unlock()
		if held >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%d sendMessage calls held; want %d", held, n)
		}
	}
}

// dyingStore is the database as a process that may die sees it: once its
// outbox is killed, its dispatcher reaches the database no more (no
// claim, renewal, mark or release), as after a kill -9; the rest of the
// process still decides and records.
type dyingStore struct {
	*storage.Store
	outbox *botstest.DyingOutbox
}

func (s dyingStore) ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]outbox.Event, error) {
	return s.outbox.ClaimEvents(ctx, limit, lease)
}

func (s dyingStore) ClaimDeliveries(ctx context.Context, p []community.Platform, chats, perChat int, lease time.Duration) ([]outbox.Delivery, error) {
	return s.outbox.ClaimDeliveries(ctx, p, chats, perChat, lease)
}

func (s dyingStore) RenewClaims(ctx context.Context, events, deliveries []outbox.ClaimRef, lease time.Duration) error {
	return s.outbox.RenewClaims(ctx, events, deliveries, lease)
}

func (s dyingStore) ReleaseDeliveries(ctx context.Context, dels []outbox.Delivery) error {
	return s.outbox.ReleaseDeliveries(ctx, dels)
}

func (s dyingStore) PartsSent(ctx context.Context, d outbox.Delivery, ids []string) error {
	return s.outbox.PartsSent(ctx, d, ids)
}

func (s dyingStore) Delivered(ctx context.Context, id int64, ids []string) error {
	return s.outbox.Delivered(ctx, id, ids)
}

func (s dyingStore) FailedDelivery(ctx context.Context, d outbox.Delivery, ids []string, f outbox.Failure) error {
	return s.outbox.FailedDelivery(ctx, d, ids, f)
}

// TestIdeaStatusToldOnceThoughKilledBeforeSending: the owner plans
// Alice's idea, which Boris voted for, with a comment. Before the settle
// time nobody is told. After it the notices job decides to tell them
// both, and Hearth ends before either message reaches Telegram: stopped
// while both are on their way, killed while both are on their way (its
// claims lapse), or killed before the decision is rendered into
// messages. A fresh Hearth on the same database delivers each once, in
// its reader's language, and running the job again tells nobody more.
// Cleo, who neither wrote nor voted, is told nothing.
func TestIdeaStatusToldOnceThoughKilledBeforeSending(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		sending bool // the messages are on their way when Hearth ends
		killed  bool // Hearth is killed, not stopped
	}{
		{"stopped while sending", true, false},
		{"killed while sending", true, true},
		{"killed before rendering", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			toldOnceAfterTheEnd(t, tc.sending, tc.killed)
		})
	}
}

func toldOnceAfterTheEnd(t *testing.T, sending, killed bool) {
	var ahead atomic.Int64
	tg := telegramtest.New(t, token)
	proxy := newArmedProxy(t, tg)
	store := storage.New(storagetest.New(t))
	storagetest.EveryGroupConnected(t, store.DB())
	dying := &botstest.DyingOutbox{Store: store}
	w := &npsWorld{hearth: ideasHearth(t, setup{store: store, tg: tg, apiURL: proxy.srv.URL}, &ahead, func(so *bots.ServiceOptions) {
		so.Store = dyingStore{Store: store, outbox: dying}
	})}
	w.tg.PushUpdate(w.tg.MessageUpdate(teaStaff, owner, "/setstaff"))
	w.waitCount(t, `SELECT count(*) FROM chats WHERE is_staff AND platform_chat_id = '-1002'`, 1)
	for _, u := range []models.User{alice, boris, cleo} {
		w.sayHandled(t, telegramtest.Private(u), u, "/start")
	}
	w.sayHandled(t, group, alice, "/idea Dark mode for the mobile app")
	postID := w.botMessage(t, teaStaff.ID, "Dark mode for the mobile app")
	w.push(t, w.tg.CallbackUpdate(teaStaff, boris, postID, "idea:vote:1"))
	w.waitCount(t, `SELECT votes FROM feedback_items WHERE id = 1`, 1)
	w.sayHandled(t, teaStaff, owner, "/status 1 planned Coming in the spring release")
	w.sentMatching(t, "-1002", "#1 is now <b>planned</b>. 2 members will be told privately.")
	w.waitCount(t, `SELECT count(*) FROM feedback_notices WHERE queued_at IS NULL`, 2)

	if err := w.svc.RunJob(context.Background(), "feedback.notices"); err != nil {
		t.Fatal(err)
	}
	if n := w.count(t, `SELECT count(*) FROM feedback_notices WHERE queued_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d notices queued before the settle time", n)
	}

	w.settled(t) // nothing else is on its way: the next messages are the notices
	before := map[string]int{"100": w.sentTo("100"), "500": w.sentTo("500"), "300": w.sentTo("300")}
	ahead.Store(int64(11 * time.Minute))
	if sending {
		proxy.armed.Store(true)
	} else {
		dying.Kill()
	}
	if err := w.svc.RunJob(context.Background(), "feedback.notices"); err != nil {
		t.Fatal(err)
	}
	if sending {
		proxy.waitHeld(t, 2)
		if killed {
			dying.Kill()
		}
	}
	w.stop()
	if n := w.sentCount("100", "News from") + w.sentCount("500", "Новости"); n != 0 {
		t.Fatalf("%d notices reached Telegram before the end; want none", n)
	}
	if n := w.count(t, `SELECT count(*) FROM feedback_notices WHERE queued_at IS NOT NULL AND event_id IS NOT NULL`); n != 2 {
		t.Fatalf("%d notices queued by the job; want Alice's and Boris's", n)
	}
	if n := w.count(t, `SELECT count(*) FROM outbox_events WHERE kind = 'feedback.notices' AND status = 'pending'`); sending == (n != 0) {
		t.Fatalf("%d notices events waiting to be rendered at the end", n)
	}
	if sending {
		// Stopped, Hearth gives its claims back; killed, it leaves them
		// to lapse.
		claimed := w.count(t, `SELECT count(*) FROM deliveries WHERE status = 'pending' AND locked_until > now()`)
		unclaimed := w.count(t, `SELECT count(*) FROM deliveries WHERE status = 'pending' AND (locked_until IS NULL OR locked_until <= now())`)
		if want := map[bool][2]int{false: {0, 2}, true: {2, 0}}[killed]; [2]int{claimed, unclaimed} != want {
			var rows []string
			if err := w.store.DB().Select(&rows, `SELECT format('%s attempts=%s locked=%s next=%s err=%s', id, attempts, locked_until - now(), next_attempt_at - now(), last_error)
FROM deliveries WHERE status = 'pending' ORDER BY id`); err != nil {
				t.Fatal(err)
			}
			t.Fatalf("at the end %d notices are claimed, %d not; want %v: %v", claimed, unclaimed, want, rows)
		}
	}

	again := &npsWorld{hearth: ideasHearth(t, setup{store: store, tg: tg}, &ahead)}
	aliceGot := again.sentMatching(t, "100", "News from Tea Lovers")
	borisGot := again.sentMatching(t, "500", "Новости сообщества Tea Lovers")
	again.settled(t)
	if err := again.svc.RunJob(context.Background(), "feedback.notices"); err != nil {
		t.Fatal(err)
	}
	again.settled(t)

	for _, part := range []string{"<b>#1 Dark mode for the mobile app</b> is now <b>planned</b>.",
		"The team says: “Coming in the spring release”"} {
		if text := sent(t, aliceGot); !strings.Contains(text, part) {
			t.Errorf("Alice's notice lacks %q:\n%s", part, text)
		}
	}
	for _, part := range []string{"<b>#1 Dark mode for the mobile app</b>: новый статус — <b>запланировано</b>.",
		"Комментарий команды: «Coming in the spring release»"} {
		if text := sent(t, borisGot); !strings.Contains(text, part) {
			t.Errorf("Boris's notice lacks %q:\n%s", part, text)
		}
	}
	for chat, want := range map[string]int{"100": 1, "500": 1, "300": 0} {
		if got := again.sentTo(chat) - before[chat]; got != want {
			t.Errorf("chat %s got %d messages after the status change; want %d: %v", chat, got, want, again.tg.Calls("sendMessage"))
		}
	}
	if n := again.count(t, `SELECT count(*) FROM outbox_events WHERE kind = 'feedback.notices'`); n != 1 {
		t.Errorf("%d notices events; want the one queued before the end", n)
	}
}

// teaForum is a forum supergroup of the community: its messages are in
// topics.
var teaForum = models.Chat{ID: -1004, Type: models.ChatTypeSupergroup, Title: "Tea forum", IsForum: true}

// TestIdeasGoToTheForumTopicAnOwnerChose: a member's /setideas in a
// topic of the forum is refused and audited and chooses nothing; the
// owner's makes the topic the ideas place, and the next item is posted
// there, with its Vote button, and not in the staff chat; a vote is
// shown on it.
func TestIdeasGoToTheForumTopicAnOwnerChose(t *testing.T) {
	t.Parallel()
	w := &npsWorld{hearth: announceHearth(t, bots.AnnounceOptions{WeeklyCap: 2}, nil)}
	created := w.tg.MessageUpdate(teaForum, owner, "")
	created.Message.ForumTopicCreated = &models.ForumTopicCreated{Name: "Ideas", IconColor: 7322096}
	created.Message.IsTopicMessage, created.Message.MessageThreadID = true, created.Message.ID
	w.push(t, created)
	topic := created.Message
	inTopic := func(u models.User, text string) models.Update {
		up := w.tg.MessageUpdate(teaForum, u, text)
		up.Message.IsTopicMessage, up.Message.MessageThreadID, up.Message.ReplyToMessage = true, topic.ID, topic
		return up
	}
	thread := fmt.Sprint(topic.ID)

	w.push(t, inTopic(alice, "/setideas"))
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'setideas'`, 1)
	if n := w.count(t, `SELECT count(*) FROM feedback_places`); n != 0 {
		t.Fatalf("a member's /setideas chose %d ideas places", n)
	}
	refusal := w.sentMatching(t, "-1004", "Sorry, /setideas is for the community's owners.")
	if got := refusal.Params["message_thread_id"]; got != thread {
		t.Errorf("the refusal went to topic %q; want %s", got, thread)
	}

	w.push(t, inTopic(owner, "/setideas"))
	set := w.sentMatching(t, "-1004", "New ideas and feedback from now on are posted here")
	if got := set.Params["message_thread_id"]; got != thread {
		t.Errorf("the confirmation went to topic %q; want %s", got, thread)
	}
	w.waitCount(t, `SELECT count(*) FROM feedback_places p JOIN chats c ON c.id = p.chat_id
		WHERE c.platform_chat_id = '-1004' AND p.thread_id = $1`, 1, thread)

	w.sayHandled(t, group, bob, "/idea Oolong tasting evening")
	post := w.sentMatching(t, "-1004", "Oolong tasting evening")
	if got := post.Params["message_thread_id"]; got != thread {
		t.Errorf("the item was posted in topic %q; want %s", got, thread)
	}
	if got := callbackData(buttons(t, post)); !slices.Equal(got, []string{"idea:vote:1"}) {
		t.Errorf("post buttons %v", got)
	}
	w.settled(t)
	if n := w.sentCount("-1002", "Oolong tasting evening"); n != 0 {
		t.Errorf("the item was posted in the staff chat too (%d times)", n)
	}

	// A vote in the topic is shown on the post there.
	postID := w.botMessage(t, teaForum.ID, "Oolong tasting evening")
	w.push(t, w.tg.CallbackUpdate(teaForum, alice, postID, "idea:vote:1"))
	storagetest.Await(t, func() bool {
		for _, m := range w.tg.Messages(teaForum.ID) {
			if m.ID == postID && m.ReplyMarkup != nil && len(m.ReplyMarkup.InlineKeyboard) > 0 &&
				m.ReplyMarkup.InlineKeyboard[0][0].Text == "👍 Vote · 1" {
				return true
			}
		}
		return false
	}, func() string {
		return fmt.Sprintf("the post in the topic to show one vote; edits %v", w.tg.Calls("editMessageText"))
	})
}

// TestIdeasValueRanksByWhatVotersAreWorth: item #1 has three votes from
// members worth 10, 20 and 30; item #2 one vote from Dave, a VIP worth
// 500. /ideas top lists #1 first; staff's /ideas value lists #2 first
// with its voters' CLV, VIPs and revenue; a member's /ideas value is
// refused and audited, staff's in the group too, and no member is ever
// shown a CLV.
func TestIdeasValueRanksByWhatVotersAreWorth(t *testing.T) {
	t.Parallel()
	w := &npsWorld{hearth: announceHearth(t, bots.AnnounceOptions{WeeklyCap: 2}, nil)}
	voters := []models.User{alice, bob, cleo, dave}
	for _, u := range voters {
		w.sayHandled(t, group, u, "hello")
	}
	w.writeTier(t, dave, community.TierVIP)
	storagetest.SetValues(t, w.store.DB(), map[int64]float64{w.memberID(t, "100"): 10, w.memberID(t, "200"): 20,
		w.memberID(t, "300"): 30, w.memberID(t, "400"): 500})
	w.sayHandled(t, group, alice, "/idea Dark mode for the mobile app")
	w.sentMatching(t, "-1002", "Dark mode for the mobile app")
	w.sayHandled(t, group, bob, "/idea Loyalty stamps for oolong")
	w.sentMatching(t, "-1002", "Loyalty stamps for oolong")
	w.waitCount(t, `SELECT count(*) FROM feedback_items`, 2)
	for _, u := range voters[:3] {
		w.push(t, w.tg.CallbackUpdate(group, u, 1, "idea:vote:1"))
	}
	w.push(t, w.tg.CallbackUpdate(group, dave, 1, "idea:vote:2"))
	w.waitCount(t, `SELECT count(*) FROM feedback_votes`, 4)

	first, second := "<b>#1</b> Dark mode for the mobile app", "<b>#2</b> Loyalty stamps for oolong"
	w.sayHandled(t, teaStaff, owner, "/ideas value")
	value := sent(t, w.sentMatching(t, "-1002", "Ranked by the voters' customer value"))
	if i, j := strings.Index(value, second), strings.Index(value, first); i < 0 || j < 0 || i > j {
		t.Errorf("/ideas value does not list #2 before #1:\n%s", value)
	}
	for _, line := range []string{second + " · voters' CLV 500 · VIP voters: 1 · voters' revenue, last 12 months: 500 · 1 vote",
		first + " · voters' CLV 60 · VIP voters: 0 · voters' revenue, last 12 months: 60 · 3 votes"} {
		if !strings.Contains(value, line) {
			t.Errorf("/ideas value lacks %q:\n%s", line, value)
		}
	}

	w.sayHandled(t, group, alice, "/ideas top")
	top := sent(t, w.sentMatching(t, "-1001", "Top ideas and feedback"))
	if i, j := strings.Index(top, first), strings.Index(top, second); i < 0 || j < 0 || i > j {
		t.Errorf("/ideas top does not list #1 before #2:\n%s", top)
	}

	w.sayHandled(t, group, alice, "/ideas value")
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'ideas value'`, 1)
	w.sentMatching(t, "-1001", "Sorry, /ideas value is for the community's staff.")
	// Asked for in the group, the list would show the members there what
	// the voters are worth: staff are sent to the staff chat.
	w.sayHandled(t, group, owner, "/ideas value")
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'command.wrong_place' AND details->>'command' = 'ideas value'`, 1)
	w.sentMatching(t, "-1001", "/ideas value works only here:")
	w.settled(t)
	for _, c := range w.tg.Calls("") {
		if c.Params["chat_id"] == "-1002" {
			continue
		}
		if text := c.Params["text"]; strings.Contains(text, "CLV") || strings.Contains(text, "worth") || strings.Contains(text, "500") {
			t.Errorf("a member was shown what voters are worth: %s", c)
		}
	}
}

// TestIdeasListTurnsPages: with twelve items, /ideas shows the ten with
// the highest numbers (none has votes: newest first) and a Next button;
// pressing it edits the list into page 2 with the other two and a
// Previous button.
func TestIdeasListTurnsPages(t *testing.T) {
	t.Parallel()
	w := &npsWorld{hearth: announceHearth(t, bots.AnnounceOptions{WeeklyCap: 2}, nil)}
	w.sayHandled(t, group, alice, "hello")
	author := community.MemberID(w.memberID(t, "100"))
	board := feedback.NewBoard(w.store, time.Now).Unpaced()
	ctx := context.Background()
	n := feedback.PageSize + 2
	for i := 1; i <= n; i++ {
		d, err := board.Write(ctx, author, feedback.KindIdea, fmt.Sprintf("Tea number %d", i), "en", community.Telegram)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := board.Post(ctx, d.ID, author); err != nil {
			t.Fatal(err)
		}
	}
	w.waitCount(t, `SELECT count(*) FROM feedback_items`, n)

	w.sayHandled(t, group, bob, "/ideas")
	page1 := w.sentMatching(t, "-1001", "(page 1)")
	if got := callbackData(buttons(t, page1)); !slices.Equal(got, []string{"ideas:top:1"}) {
		t.Errorf("page 1 buttons %v; want Next only", got)
	}
	listed := func(text string) []int {
		var out []int
		for i := 1; i <= n; i++ {
			if strings.Contains(text, fmt.Sprintf("<b>#%d</b> Tea number %d ", i, i)) {
				out = append(out, i)
			}
		}
		return out
	}
	if got, want := listed(sent(t, page1)), []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; !slices.Equal(got, want) {
		t.Errorf("page 1 lists %v; want %v:\n%s", got, want, sent(t, page1))
	}

	id := w.botMessage(t, group.ID, "(page 1)")
	w.push(t, w.tg.CallbackUpdate(group, bob, id, "ideas:top:1"))
	w.edited(t, "(page 2)")
	var page2 telegramtest.Call
	for _, c := range w.tg.Calls("editMessageText") {
		if strings.Contains(c.Params["text"], "(page 2)") {
			page2 = c
		}
	}
	if got := page2.Params["message_id"]; got != fmt.Sprint(id) {
		t.Errorf("page 2 edited message %s; want the list, %d", got, id)
	}
	if got, want := listed(page2.Params["text"]), []int{1, 2}; !slices.Equal(got, want) {
		t.Errorf("page 2 lists %v; want %v:\n%s", got, want, page2.Params["text"])
	}
	if got := callbackData(buttons(t, page2)); !slices.Equal(got, []string{"ideas:top:0"}) {
		t.Errorf("page 2 buttons %v; want Previous only", got)
	}
}
