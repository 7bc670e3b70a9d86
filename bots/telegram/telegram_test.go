package telegram_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.MainParallel(m, 8) }

const token = "123456:TEST-token_for-hearth"

var (
	owner = telegramtest.User(1, "Olga")
	alice = telegramtest.User(100, "Alice")
	bob   = telegramtest.User(200, "Bob")
	group = telegramtest.Supergroup(-1001, "Tea Lovers")
)

// hearth is Hearth on Telegram against the fake Bot API: the real client
// library, a real database, the whole chat layer.
type hearth struct {
	store *storage.Store
	tg    *telegramtest.Server
	svc   *bots.Service
	bot   *telegram.Adapter
	stop  func()
}

type setup struct {
	// strangers: groups join the community only when connected, as in
	// production; else every group the tests use is born connected.
	strangers     bool
	webhookSecret string
	linkTokens    *community.LinkTokens
	store         *storage.Store
	tg            *telegramtest.Server
	// realLimits paces sending at Telegram's own limits (one message a
	// second per chat): for the tests of the pacing itself. The others
	// send at once, as fast as the fake answers.
	realLimits bool
	// apiURL is where Hearth finds the Bot API (empty: the fake server
	// itself), for tests that put a proxy between them.
	apiURL string
}

// start runs Hearth on Telegram against the fake Bot API, as s describes.
func start(t testing.TB, s setup) *hearth {
	t.Helper()
	return startCustom(t, custom{setup: s})
}

// settled waits until every recorded update is handled (a copy queued
// again too) and every message queued is sent: once an update was
// recorded, acknowledged and handled, what it caused is all in the
// outbox, so nothing more will follow.
func (h *hearth) settled(t *testing.T) {
	t.Helper()
	storagetest.WaitSettled(t, h.store.DB())
}

func (h *hearth) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.store.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func sent(t *testing.T, c telegramtest.Call) string {
	t.Helper()
	if c.Params["parse_mode"] != "HTML" {
		t.Errorf("%s sent without HTML parse mode", c.Method)
	}
	return c.Params["text"]
}

// TestMemberHelpReachesTelegram: a member's /help in the group is answered
// in the group, in HTML, as a reply, listing only member commands.
func TestMemberHelpReachesTelegram(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	msg := h.tg.MessageUpdate(group, alice, "/help")
	h.tg.PushUpdate(msg)
	calls := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	text := sent(t, calls[0])
	if !strings.Contains(text, "<b>Tea Lovers</b>") || !strings.Contains(text, "/help") || strings.Contains(text, "/setstaff") {
		t.Errorf("help = %q: want the community's name and member commands only", text)
	}
	var reply models.ReplyParameters
	if err := calls[0].JSON("reply_parameters", &reply); err != nil || reply.MessageID != msg.Message.ID {
		t.Errorf("reply_parameters = %+v, %v; want a reply to message %d", reply, err, msg.Message.ID)
	}
	if got := calls[0].Params["chat_id"]; got != "-1001" {
		t.Errorf("chat_id = %s", got)
	}
	if n := h.count(t, `SELECT count(*) FROM identities WHERE platform = 'telegram' AND platform_user_id = '100' AND display_name = 'Alice'`); n != 1 {
		t.Errorf("alice recorded %d times", n)
	}
}

// TestMemberCannotUseOwnerCommand: /setstaff from a member is refused
// politely and audited, and nothing else happens.
func TestMemberCannotUseOwnerCommand(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "/setstaff"))
	calls := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	if text := sent(t, calls[0]); !strings.Contains(text, "for the community") {
		t.Errorf("refusal = %q", text)
	}
	h.stop()
	for query, want := range map[string]int{
		`SELECT count(*) FROM chats WHERE is_staff`:                             0,
		`SELECT count(*) FROM audit_log WHERE action = 'command.refused'`:       1,
		`SELECT count(*) FROM audit_log`:                                        1,
		`SELECT count(*) FROM outbox_events`:                                    0,
		`SELECT count(*) FROM deliveries`:                                       1,
		`SELECT count(*) FROM staff`:                                            0,
		`SELECT count(*) FROM audit_log WHERE details->>'command' = 'setstaff'`: 1,
	} {
		if n := h.count(t, query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	if n := len(h.tg.Calls("sendMessage")); n != 1 {
		t.Errorf("%d messages sent, want only the refusal", n)
	}
}

// TestOwnerSetsStaffChatAndAdminsAreStaff: the owner's /setstaff makes the
// group the staff chat; a group administrator may use a staff command, a
// member may not.
func TestOwnerSetsStaffChatAndAdminsAreStaff(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.tg.SetChatAdministrators(group.ID, telegramtest.Owner(owner), telegramtest.Admin(bob))
	h.tg.PushUpdate(h.tg.MessageUpdate(group, owner, "/setstaff"))
	calls := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	if text := sent(t, calls[0]); !strings.Contains(text, "staff chat for Telegram") {
		t.Fatalf("setstaff reply = %q", text)
	}
	if n := h.count(t, `SELECT count(*) FROM chats WHERE is_staff AND platform_chat_id = '-1001'`); n != 1 {
		t.Fatalf("staff chat not set")
	}
	h.tg.PushUpdate(h.tg.MessageUpdate(group, bob, "/ping"))
	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "/ping"))
	calls = h.tg.WaitCalls(t, "sendMessage", 3, 10*time.Second)
	var texts []string
	for _, c := range calls[1:] {
		texts = append(texts, sent(t, c))
	}
	joined := strings.Join(texts, "|")
	if !strings.Contains(joined, "pong") || !strings.Contains(joined, "is for the community") {
		t.Errorf("replies = %q: want pong for the administrator and a refusal for the member", joined)
	}
	if n := len(h.tg.Calls("getChatAdministrators")); n != 1 {
		t.Errorf("getChatAdministrators called %d times; the list should be cached", n)
	}
}

// TestRetryAfterIsHonoured: a 429 with retry_after=1 on the first send
// delivers the reply exactly once, no sooner than a second later.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.tg.FailNext("sendMessage", 429, "", 1)
	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "/help"))
	calls := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)
	if calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("statuses = %d, %d; want 429 then 200", calls[0].Status, calls[1].Status)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %s, want at least 1s", gap)
	}
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'sent'`, 1) // nothing left to retry
	if n := len(h.tg.Messages(group.ID)); n != 1 {
		t.Errorf("%d messages in the group, want 1", n)
	}
}

// TestDuplicateWebhookUpdateHasOneEffect: Telegram retrying a webhook call
// gets 200 both times and one reply; a wrong secret gets 401.
func TestDuplicateWebhookUpdateHasOneEffect(t *testing.T) {
	t.Parallel()
	h := start(t, setup{webhookSecret: "s3cret-token"})
	srv := httptest.NewServer(h.bot.WebhookHandler())
	defer srv.Close()
	h.tg.WaitCalls(t, "setWebhook", 1, 10*time.Second)
	if wh := h.tg.Webhook(); wh.URL != "https://hearth.example/api/telegram/webhook" || wh.SecretToken != "s3cret-token" {
		t.Errorf("webhook = %+v", wh)
	}
	u := h.tg.MessageUpdate(group, alice, "/help")
	u.ID = 555
	if resp := h.tg.PostWebhook(t, srv.URL, "wrong", u); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong secret: status %d, want 401", resp.StatusCode)
	}
	for i := range 2 {
		if resp := h.tg.PostWebhook(t, srv.URL, "s3cret-token", u); resp.StatusCode != http.StatusOK {
			t.Fatalf("delivery %d: status %d, want 200", i+1, resp.StatusCode)
		}
	}
	h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	h.settled(t)
	if n := len(h.tg.Calls("sendMessage")); n != 1 {
		t.Errorf("%d replies to one update delivered twice, want 1", n)
	}
}

// TestRedeliveredPolledUpdateHasOneEffect: the same update polled twice
// (Telegram resending after a restart) is answered once, and the offset
// moves past it.
func TestRedeliveredPolledUpdateHasOneEffect(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	u := h.tg.MessageUpdate(group, alice, "/help")
	id := h.tg.PushUpdate(u)
	h.tg.WaitConfirmed(t, id+1, 10*time.Second)
	u.ID = id
	h.tg.PushUpdate(u)
	h.tg.WaitConfirmed(t, id+1, 10*time.Second)
	h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	h.settled(t)
	if n := len(h.tg.Calls("sendMessage")); n != 1 {
		t.Errorf("%d replies, want 1", n)
	}
}

// TestPendingMessagesAreSentAfterRestart: messages queued while Hearth was
// stopped go out when it starts.
func TestPendingMessagesAreSentAfterRestart(t *testing.T) {
	t.Parallel()
	store := storage.New(storagetest.New(t))
	err := store.QueueMessages(context.Background(), []outbox.Outgoing{
		{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"}, Message: bots.Reply{Text: "queued *before* the restart"}},
		{Target: outbox.Target{Platform: community.Telegram, UserID: "100"}, Message: bots.Reply{Text: "a private note"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, setup{store: store})
	calls := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)
	got := map[string]string{}
	for _, c := range calls {
		got[c.Params["chat_id"]] = sent(t, c)
	}
	if got["-1001"] != "queued <b>before</b> the restart" || got["100"] != "a private note" {
		t.Errorf("sent = %v", got)
	}
}

// TestButtonsFormsAndMenus: the owner's /staff list has buttons; pressing
// one asks for a member with a reply prompt; the reply adds the member.
// Command menus are registered per scope and language.
func TestButtonsFormsAndMenus(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	dm := telegramtest.Private(owner)
	h.tg.PushUpdate(h.tg.MessageUpdate(group, alice, "hello everyone"))
	h.tg.PushUpdate(h.tg.MessageUpdate(dm, owner, "/staff"))
	list := h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)[0]
	var kb models.InlineKeyboardMarkup
	if err := list.JSON("reply_markup", &kb); err != nil || len(kb.InlineKeyboard) != 1 || kb.InlineKeyboard[0][0].CallbackData != "staff:add" {
		t.Fatalf("keyboard = %+v, %v", kb, err)
	}
	listMsg := h.tg.Messages(owner.ID)[0]
	h.tg.PushUpdate(h.tg.CallbackUpdate(dm, owner, listMsg.ID, "staff:add"))
	h.tg.WaitCalls(t, "answerCallbackQuery", 1, 10*time.Second)
	prompt := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)[1]
	if !strings.Contains(prompt.Params["reply_markup"], `"force_reply":true`) {
		t.Fatalf("form prompt markup = %s", prompt.Params["reply_markup"])
	}
	msgs := h.tg.Messages(owner.ID)
	answer := h.tg.MessageUpdate(dm, owner, "@"+alice.Username)
	if alice.Username == "" {
		answer = h.tg.MessageUpdate(dm, owner, "100")
	}
	answer.Message.ReplyToMessage = &msgs[len(msgs)-1]
	h.tg.PushUpdate(answer)
	calls := h.tg.WaitCalls(t, "sendMessage", 4, 10*time.Second)
	var texts []string
	for _, c := range calls[2:] {
		texts = append(texts, c.Params["chat_id"]+": "+c.Params["text"])
	}
	if !strings.Contains(strings.Join(texts, "\n"), "1: Alice is now staff.") {
		t.Errorf("after the form: %q", texts)
	}
	if n := h.count(t, `SELECT count(*) FROM staff`); n != 1 {
		t.Errorf("staff rows = %d", n)
	}

	private := h.tg.Commands(&models.BotCommandScopeAllPrivateChats{}, "")
	if len(private) == 0 || private[0].Command != "start" {
		t.Errorf("private menu = %+v", private)
	}
	ru := h.tg.Commands(&models.BotCommandScopeAllPrivateChats{}, "ru")
	if len(ru) != len(private) || ru[0].Description == private[0].Description {
		t.Errorf("Russian menu = %+v, want translated descriptions", ru)
	}
	owners := h.tg.Commands(&models.BotCommandScopeChat{ChatID: int64(1)}, "")
	if !hasCommand(owners, "outbox") || hasCommand(private, "outbox") {
		t.Errorf("owner menu = %+v; want /outbox only for owners", owners)
	}
	if got := h.tg.AllowedUpdates(); !strings.Contains(strings.Join(got, ","), "chat_join_request") {
		t.Errorf("allowed_updates = %v", got)
	}
}

func hasCommand(cmds []models.BotCommand, name string) bool {
	for _, c := range cmds {
		if c.Command == name {
			return true
		}
	}
	return false
}

// TestRefusedMessageBecomesADeadLetterOwnersCanRetry: a message Telegram
// refuses for good (the member blocked the bot) is not retried; the owner
// sees it in /outbox and can queue it again.
func TestRefusedMessageBecomesADeadLetterOwnersCanRetry(t *testing.T) {
	t.Parallel()
	h := start(t, setup{})
	h.tg.FailNext("sendMessage", 403, "Forbidden: bot was blocked by the user", 0)
	err := h.store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, UserID: "100"}, Message: bots.Reply{Text: "hello"}}})
	if err != nil {
		t.Fatal(err)
	}
	h.svc.Dispatcher.Wake()
	h.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	// Telegram refused it; the dispatcher records the refusal just after.
	storagetest.WaitCount(t, h.store.DB(), 1, `SELECT count(*) FROM deliveries WHERE status = 'dead'`)
	dm := telegramtest.Private(owner)
	h.tg.PushUpdate(h.tg.MessageUpdate(dm, owner, "/outbox"))
	report := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)[1]
	if text := report.Params["text"]; !strings.Contains(text, "1 failed") || !strings.Contains(text, "blocked by the user") {
		t.Fatalf("/outbox = %q", text)
	}
	h.tg.PushUpdate(h.tg.MessageUpdate(dm, owner, "/outbox retry all"))
	calls := h.tg.WaitCalls(t, "sendMessage", 4, 10*time.Second)
	var texts []string
	for _, c := range calls[2:] {
		texts = append(texts, c.Params["chat_id"]+": "+c.Params["text"])
	}
	if joined := strings.Join(texts, "\n"); !strings.Contains(joined, "100: hello") || !strings.Contains(joined, "1: Queued 1 message again.") {
		t.Errorf("after retry: %q", texts)
	}
}
