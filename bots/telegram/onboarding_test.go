package telegram_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

var (
	carol      = telegramtest.User(300, "Carol")
	dave       = telegramtest.User(400, "Dave")
	staffGroup = telegramtest.Supergroup(-1002, "Tea Staff")
	enGroup    = telegramtest.Supergroup(-1003, "Tea Talk")
)

// onboardingWorld is Hearth on Telegram with onboarding set up as ob, link
// codes, a clock the test moves and a staff group.
type onboardingWorld struct {
	*hearth
	ahead  atomic.Int64 // how far Hearth's clock is ahead of the real one
	tokens *community.LinkTokens
}

func startOnboarding(t *testing.T, ob bots.OnboardingOptions) *onboardingWorld {
	t.Helper()
	tokens, err := community.NewLinkTokens(linkSecret, 24*time.Hour, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	w := &onboardingWorld{tokens: tokens}
	w.hearth = startCustom(t, custom{setup: setup{linkTokens: tokens}, service: func(so *bots.ServiceOptions) {
		so.Community = bots.DefaultCommunityOptions()
		so.Community.Onboarding = ob
		so.Now = func() time.Time { return time.Now().Add(time.Duration(w.ahead.Load())) }
	}})
	w.push(t, w.tg.BotAddedUpdate(staffGroup, owner))
	w.push(t, w.tg.MessageUpdate(staffGroup, owner, "/setstaff"))
	w.tg.WaitCalls(t, "sendMessage", 1, 10*time.Second)
	return w
}

// join has u join chat, and waits until Hearth has handled it.
func (w *onboardingWorld) join(t *testing.T, chat models.Chat, u models.User) {
	t.Helper()
	w.push(t, w.tg.ChatMemberUpdate(chat, u, telegramtest.Left(u), telegramtest.Member(u)))
}

// sentTo waits for the n-th message sent to chat and returns its call.
func (w *onboardingWorld) sentTo(t *testing.T, chat models.Chat, n int) telegramtest.Call {
	t.Helper()
	var calls []telegramtest.Call
	storagetest.Await(t, func() bool {
		calls = nil
		for _, c := range w.tg.Calls("sendMessage") {
			if c.Params["chat_id"] == strconv.FormatInt(chat.ID, 10) {
				calls = append(calls, c)
			}
		}
		return len(calls) >= n
	}, func() string { return fmt.Sprintf("message %d to chat %d; calls: %v", n, chat.ID, w.tg.Calls("")) })
	return calls[n-1]
}

// job runs the feature job called name once, as a replica would.
func (w *onboardingWorld) job(t *testing.T, name string) {
	t.Helper()
	botstest.RunJob(t, w.svc, name)
}

func buttons(t *testing.T, c telegramtest.Call) []models.InlineKeyboardButton {
	t.Helper()
	var kb models.InlineKeyboardMarkup
	if err := c.JSON("reply_markup", &kb); err != nil {
		t.Fatalf("%s: %v", c, err)
	}
	var out []models.InlineKeyboardButton
	for _, row := range kb.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

func callbackData(bs []models.InlineKeyboardButton) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.CallbackData+b.URL)
	}
	return out
}

// TestWelcomeOnTelegram: a join posts the welcome in the group's language
// with Rules, Link and Ask buttons; the next join replaces it (the first
// is deleted); staff's own text for a language is used in that language's
// groups only; each welcome is audited.
func TestWelcomeOnTelegram(t *testing.T) {
	t.Parallel()
	w := startOnboarding(t, bots.OnboardingOptions{Welcome: true, Rules: "Be *kind*. No spam."})
	w.push(t, w.tg.BotAddedUpdate(group, owner))
	if _, err := w.store.DB().Exec(`UPDATE chats SET language = 'ru' WHERE platform_chat_id = '-1001'`); err != nil {
		t.Fatal(err)
	}

	w.join(t, group, alice)
	first := w.sentTo(t, group, 1)
	if text := sent(t, first); !strings.Contains(text, "Добро пожаловать в <b>Tea Lovers</b>") ||
		!strings.Contains(text, `<a href="tg://user?id=100">Alice</a>`) {
		t.Errorf("welcome = %q; want Russian, naming the community and mentioning Alice", text)
	}
	if got := callbackData(buttons(t, first)); !slices.Equal(got, []string{"rules:show", "guide:link", "guide:ask"}) {
		t.Errorf("welcome buttons = %v", got)
	}
	w.waitCount(t, `SELECT count(*) FROM deliveries WHERE event_id IS NOT NULL AND status = 'sent'`, 1)

	w.join(t, group, bob)
	second := w.sentTo(t, group, 2)
	if !strings.Contains(sent(t, second), "tg://user?id=200") {
		t.Errorf("second welcome = %q", sent(t, second))
	}
	del := w.tg.WaitCalls(t, "deleteMessages", 1, 10*time.Second)[0]
	if del.Params["chat_id"] != "-1001" {
		t.Errorf("deleted in chat %s", del.Params["chat_id"])
	}
	if msgs := w.tg.Messages(group.ID); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Bob") {
		t.Errorf("bot messages left in the group: %+v; want only Bob's welcome", msgs)
	}

	w.push(t, w.tg.MessageUpdate(staffGroup, owner, "/welcome set ru Привет, {name}! Это *{group}*."))
	if text := sent(t, w.sentTo(t, staffGroup, 2)); !strings.Contains(text, "Привет, ") || !strings.Contains(text, "<b>Tea Lovers</b>") {
		t.Errorf("/welcome set answer = %q; want the saved text previewed", text)
	}
	w.push(t, w.tg.MessageUpdate(staffGroup, owner, "/welcome set ru Привет, {имя}!"))
	if text := sent(t, w.sentTo(t, staffGroup, 3)); !strings.Contains(text, "{имя}") || !strings.Contains(text, "{name}") {
		t.Errorf("a bad variable = %q; want it named with the known ones", text)
	}
	w.push(t, w.tg.MessageUpdate(staffGroup, owner, "/welcome set ru Привет, *{name}!"))
	if text := sent(t, w.sentTo(t, staffGroup, 4)); !strings.Contains(text, "9") {
		t.Errorf("unclosed bold = %q; want the character it is at", text)
	}

	w.join(t, group, carol)
	if text := sent(t, w.sentTo(t, group, 3)); !strings.HasPrefix(text, `Привет, <a href="tg://user?id=300">Carol</a>! Это <b>Tea Lovers</b>.`) {
		t.Errorf("welcome with staff's Russian text = %q", text)
	}
	w.push(t, w.tg.BotAddedUpdate(enGroup, owner))
	w.join(t, enGroup, dave)
	if text := sent(t, w.sentTo(t, enGroup, 1)); !strings.Contains(text, "Welcome to <b>Tea Lovers</b>") {
		t.Errorf("welcome in an English group = %q; want the English default", text)
	}
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'onboarding.welcomed'`, 4)
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'onboarding.welcome_set'`, 1)
}

// TestRulesAndQuestionsOnTelegram: the Rules button shows the rules in a
// pop-up; Ask a question prompts for the question, which reaches the
// staff chat with the member's tier and priority, and the member is
// thanked.
func TestRulesAndQuestionsOnTelegram(t *testing.T) {
	t.Parallel()
	w := startOnboarding(t, bots.OnboardingOptions{Welcome: true, Rules: "Be kind. No spam."})
	w.join(t, group, alice)
	var welcome []models.Message
	storagetest.Eventually(t, "a message in the group", func() bool { welcome = w.tg.Messages(group.ID); return len(welcome) > 0 })
	if len(welcome) != 1 {
		t.Fatalf("group messages = %+v", welcome)
	}

	w.push(t, w.tg.CallbackUpdate(group, alice, welcome[0].ID, "rules:show"))
	answer := w.tg.WaitCalls(t, "answerCallbackQuery", 1, 10*time.Second)[0]
	if answer.Params["show_alert"] != "true" || !strings.Contains(answer.Params["text"], "Be kind. No spam.") {
		t.Errorf("rules pop-up = %v", answer.Params)
	}

	w.push(t, w.tg.CallbackUpdate(group, alice, welcome[0].ID, "guide:ask"))
	prompt := w.sentTo(t, group, 2)
	if !strings.Contains(prompt.Params["reply_markup"], `"force_reply":true`) || !strings.Contains(sent(t, prompt), "Ask the team") {
		t.Fatalf("question prompt = %v", prompt.Params)
	}
	msgs := w.tg.Messages(group.ID)
	reply := w.tg.MessageUpdate(group, alice, "Do you ship oolong to Crete?")
	reply.Message.ReplyToMessage = &msgs[len(msgs)-1]
	w.push(t, reply)

	thanks := w.sentTo(t, group, 3)
	if !strings.Contains(sent(t, thanks), "Thank you, Alice") {
		t.Errorf("answer to the question = %q", sent(t, thanks))
	}
	alert := w.sentTo(t, staffGroup, 2)
	question := sent(t, alert)
	for _, want := range []string{"Question #1 from Alice", "Telegram, Tea Lovers", "Tier: Newcomer", "priority 0 of 100", "Do you ship oolong to Crete?"} {
		if !strings.Contains(question, want) {
			t.Errorf("question in the staff chat = %q; want %q", question, want)
		}
	}

	// The question is a ticket: open in /tickets and on Alice's card until
	// staff mark it answered.
	w.answerQuestionTicket(t, alert)
}

// answerQuestionTicket follows the ticket that alert, the staff chat's
// alert of Alice's question #1, opened: it is open in /tickets and on
// Alice's card until staff mark it answered, which they can do once.
func (w *onboardingWorld) answerQuestionTicket(t *testing.T, alert telegramtest.Call) {
	t.Helper()
	if got := callbackData(buttons(t, alert)); !slices.Equal(got, []string{"tickets:answered:1"}) {
		t.Errorf("the question's buttons = %v", got)
	}
	w.push(t, w.tg.MessageUpdate(staffGroup, owner, "/tickets"))
	if list := sent(t, w.sentTo(t, staffGroup, 3)); !strings.Contains(list, "#1 ⚪ low Alice · due in 8 hours: Do you ship oolong to Crete?") {
		t.Errorf("/tickets = %q", list)
	}
	w.push(t, w.tg.MessageUpdate(staffGroup, owner, "/whois 100"))
	if card := sent(t, w.sentTo(t, staffGroup, 4)); !strings.Contains(card, "Open questions:") || !strings.Contains(card, ": Do you ship oolong to Crete?") {
		t.Errorf("/whois = %q", card)
	}
	var alertID int
	for _, m := range w.tg.Messages(staffGroup.ID) {
		if strings.Contains(m.Text, "Question #1") {
			alertID = m.ID
		}
	}
	w.push(t, w.tg.CallbackUpdate(staffGroup, owner, alertID, "tickets:answered:1"))
	edit := w.tg.WaitCalls(t, "editMessageText", 1, 10*time.Second)[0]
	if text := edit.Params["text"]; !strings.Contains(text, "Answered (marked by Olga)") || !strings.Contains(text, "Do you ship oolong to Crete?") {
		t.Errorf("the answered question = %q", text)
	}
	w.push(t, w.tg.MessageUpdate(staffGroup, owner, "/tickets"))
	if list := sent(t, w.sentTo(t, staffGroup, 5)); !strings.Contains(list, "No open questions") {
		t.Errorf("/tickets once answered = %q", list)
	}
	w.push(t, w.tg.CallbackUpdate(staffGroup, owner, alertID, "tickets:answered:1"))
	if got := w.tg.WaitCalls(t, "answerCallbackQuery", 4, 10*time.Second)[3].Params["text"]; !strings.Contains(got, "already marked answered") {
		t.Errorf("pressing Answered twice = %q", got)
	}
}

// captchaOptions ask newcomers to prove they are human within 2 minutes.
var captchaOptions = bots.OnboardingOptions{Welcome: true, Captcha: true, CaptchaTimeout: 2 * time.Minute}

// TestCaptchaOnTelegram: a newcomer is muted with an "I'm human" button
// only they may press; pressing it unmutes them, deletes the captcha and
// welcomes them.
func TestCaptchaOnTelegram(t *testing.T) {
	t.Parallel()
	w := startOnboarding(t, captchaOptions)
	w.join(t, group, alice)
	mute := w.tg.WaitCalls(t, "restrictChatMember", 1, 10*time.Second)[0]
	if m := w.tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeRestricted || m.Restricted.CanSendMessages {
		t.Fatalf("alice after joining: %+v; want muted", m)
	}
	if until, _ := strconv.ParseInt(mute.Params["until_date"], 10, 64); time.Until(time.Unix(until, 0)) < 2*time.Minute {
		t.Errorf("muted until %v; want past the captcha's deadline", time.Unix(until, 0))
	}
	captcha := w.sentTo(t, group, 1)
	data := callbackData(buttons(t, captcha))
	if len(data) != 1 || !strings.HasPrefix(data[0], "guide:human:") || !strings.Contains(sent(t, captcha), "within 2 minutes") {
		t.Fatalf("captcha = %q with %v", sent(t, captcha), data)
	}
	captchaID := w.tg.Messages(group.ID)[0].ID

	w.push(t, w.tg.CallbackUpdate(group, bob, captchaID, data[0]))
	if a := w.tg.WaitCalls(t, "answerCallbackQuery", 1, 10*time.Second)[0]; a.Params["text"] != "This button is for Alice." {
		t.Errorf("bob pressing alice's button: %v", a.Params)
	}
	if m := w.tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeRestricted {
		t.Errorf("alice after bob pressed: %q; want still muted", m.Type)
	}

	w.push(t, w.tg.CallbackUpdate(group, alice, captchaID, data[0]))
	if a := w.tg.WaitCalls(t, "answerCallbackQuery", 2, 10*time.Second)[1]; !strings.Contains(a.Params["text"], "You can write") {
		t.Errorf("alice pressing her button: %v", a.Params)
	}
	if m := w.tg.ChatMember(group.ID, alice.ID); m.Type != models.ChatMemberTypeMember {
		t.Errorf("alice after solving: %q; want a plain member", m.Type)
	}
	if welcome := sent(t, w.sentTo(t, group, 2)); !strings.Contains(welcome, "Welcome to <b>Tea Lovers</b>") {
		t.Errorf("after the captcha: %q; want the welcome", welcome)
	}
	if msgs := w.tg.Messages(group.ID); len(msgs) != 1 || msgs[0].ID == captchaID {
		t.Errorf("group messages after solving: %+v; want the welcome only", msgs)
	}
}

// sentCaptchas waits until n captcha messages are sent.
func (w *onboardingWorld) sentCaptchas(t *testing.T, n int) {
	t.Helper()
	w.waitCount(t, `SELECT count(*) FROM deliveries d JOIN onboarding_joins j ON j.captcha_event = d.event_id WHERE d.status = 'sent'`, n)
}

// TestCaptchaTimeoutOnTelegram: a newcomer who never presses is removed
// when the time is up (the expiry job, run with the clock moved on), the
// captcha deleted and staff told; one who leaves first has their captcha
// cancelled, deleted and their mute lifted.
func TestCaptchaTimeoutOnTelegram(t *testing.T) {
	t.Parallel()
	w := startOnboarding(t, captchaOptions)
	w.join(t, group, carol)
	w.sentTo(t, group, 1)
	w.sentCaptchas(t, 1)
	w.job(t, "onboarding.captcha")
	if m := w.tg.ChatMember(group.ID, carol.ID); m.Type == models.ChatMemberTypeLeft {
		t.Fatal("carol removed before her time was up")
	}
	w.ahead.Add(int64(3 * time.Minute))
	w.job(t, "onboarding.captcha")
	if m := w.tg.ChatMember(group.ID, carol.ID); m.Type != models.ChatMemberTypeLeft {
		t.Errorf("carol after her captcha ran out: %q; want removed (and free to come back)", m.Type)
	}
	if notice := sent(t, w.sentTo(t, staffGroup, 2)); !strings.Contains(notice, "Carol did not show they are a person in time and was removed from Tea Lovers") {
		t.Errorf("staff notice = %q", notice)
	}
	if msgs := w.tg.Messages(group.ID); len(msgs) != 0 {
		t.Errorf("group messages after the timeout: %+v; want the captcha deleted", msgs)
	}
	w.waitCount(t, `SELECT count(*) FROM audit_log WHERE action = 'onboarding.captcha_failed' AND details->>'removed' = 'true'`, 1)

	w.join(t, group, bob)
	w.sentTo(t, group, 2)
	w.sentCaptchas(t, 2)
	unmutes := len(w.tg.Calls("restrictChatMember"))
	w.push(t, w.tg.ChatMemberUpdate(group, bob, telegramtest.Member(bob), telegramtest.Left(bob)))
	w.waitCount(t, `SELECT count(*) FROM onboarding_joins WHERE user_id = '200' AND captcha = 'cancelled'`, 1)
	if msgs := w.tg.Messages(group.ID); len(msgs) != 0 {
		t.Errorf("group messages after bob left: %+v; want his captcha deleted", msgs)
	}
	if n := len(w.tg.Calls("restrictChatMember")); n != unmutes+1 || w.tg.ChatMember(group.ID, bob.ID).Type != models.ChatMemberTypeLeft {
		t.Errorf("bob after leaving: %d restrictions more, %q; want his mute lifted and him out", n-unmutes, w.tg.ChatMember(group.ID, bob.ID).Type)
	}
}

// TestVerifiedBuyerSkipsTheCaptchaOnTelegram: a buyer who linked through
// the order e-mail's link (/start with the code) is welcomed at once,
// never muted.
func TestVerifiedBuyerSkipsTheCaptchaOnTelegram(t *testing.T) {
	t.Parallel()
	w := startOnboarding(t, captchaOptions)

	code, _, err := w.tokens.Issue("cust-9")
	if err != nil {
		t.Fatal(err)
	}
	w.push(t, w.tg.MessageUpdate(telegramtest.Private(dave), dave, "/start "+code))
	importPaidOrder(t, w.store, "cust-9")
	if text := sent(t, w.sentTo(t, telegramtest.Private(dave), 1)); !strings.Contains(text, "your shop account is now linked") ||
		!strings.Contains(text, "Getting started, 1 of 4") {
		t.Errorf("/start with a link code = %q; want the link confirmed, then the tour", text)
	}
	w.join(t, group, dave)
	if welcome := sent(t, w.sentTo(t, group, 1)); !strings.Contains(welcome, "tg://user?id=400") || strings.Contains(welcome, "within") {
		t.Errorf("a verified buyer's welcome = %q; want the welcome, no captcha", welcome)
	}
	if n := len(w.tg.Calls("restrictChatMember")); n != 0 {
		t.Errorf("a verified buyer was muted")
	}
}

func importPaidOrder(t *testing.T, s *storage.Store, customer string) {
	t.Helper()
	imp, err := s.BeginImport(context.Background(), storage.SourceCSV)
	if err != nil {
		t.Fatal(err)
	}
	if err := imp.Add(clv.Order{ID: "o-" + customer, CustomerID: customer, OrderedAt: time.Now().Add(-time.Hour), Amount: 30,
		Currency: "EUR", Status: clv.StatusPaid}); err != nil {
		t.Fatal(err)
	}
	if _, err := imp.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestStartTourOnTelegram: /start in a private chat greets the member and
// opens the getting-started tour, whose Next and Back buttons turn its
// pages in place.
func TestStartTourOnTelegram(t *testing.T) {
	t.Parallel()
	w := startOnboarding(t, bots.OnboardingOptions{Welcome: true})
	dm := telegramtest.Private(alice)
	w.push(t, w.tg.MessageUpdate(dm, alice, "/start"))
	start := w.sentTo(t, dm, 1)
	if text := sent(t, start); !strings.Contains(text, "Hi Alice!") || !strings.Contains(text, "Getting started, 1 of 4") ||
		!strings.Contains(text, "What I do for you") {
		t.Errorf("/start = %q; want the greeting and the tour's first page", text)
	}
	if got := callbackData(buttons(t, start)); !slices.Equal(got, []string{"guide:step:2"}) {
		t.Errorf("/start buttons = %v", got)
	}
	msg := w.tg.Messages(alice.ID)[0].ID
	w.push(t, w.tg.CallbackUpdate(dm, alice, msg, "guide:step:2"))
	edit := w.tg.WaitCalls(t, "editMessageText", 1, 10*time.Second)[0]
	if text := edit.Params["text"]; !strings.Contains(text, "2 of 4") || !strings.Contains(text, "/start with your code") {
		t.Errorf("page 2 = %q; want how to link on Telegram", text)
	}
	if got := callbackData(buttons(t, edit)); !slices.Equal(got, []string{"guide:step:1", "guide:step:3"}) {
		t.Errorf("page 2 buttons = %v", got)
	}
	w.push(t, w.tg.CallbackUpdate(dm, alice, msg, "guide:step:4"))
	last := w.tg.WaitCalls(t, "editMessageText", 2, 10*time.Second)[1]
	if got := callbackData(buttons(t, last)); !slices.Equal(got, []string{"guide:step:3", "guide:ask"}) {
		t.Errorf("last page buttons = %v", got)
	}
	w.push(t, w.tg.CallbackUpdate(dm, alice, msg, "guide:step:1"))
	if text := w.tg.WaitCalls(t, "editMessageText", 3, 10*time.Second)[2].Params["text"]; !strings.Contains(text, "1 of 4") || strings.Contains(text, "Hi Alice") {
		t.Errorf("back on page 1 = %q", text)
	}
	if n := len(w.tg.Calls("sendMessage")); n != 2 {
		t.Errorf("%d messages sent; the tour must turn its pages in place", n)
	}
}
