package telegramtest_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

const (
	token = "123456:TEST-secret"
	wait  = 5 * time.Second // only reached when a test is about to fail
)

var (
	alice = telegramtest.User(1001, "Alice")
	bob   = telegramtest.User(1002, "Bob")
	carol = telegramtest.User(1003, "Carol")
	group = telegramtest.Supergroup(-1001234567890, "Hearth Club")
)

// newBot is the real client pointed at srv, skipping getMe unless opts
// say otherwise.
// startBot starts a fake server and a bot that talks to it.
func startBot(t *testing.T) (*telegramtest.Server, *bot.Bot) {
	t.Helper()
	srv := telegramtest.New(t, token)
	return srv, newBot(t, srv)
}

func newBot(t *testing.T, srv *telegramtest.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{bot.WithServerURL(srv.URL()), bot.WithSkipGetMe()}, opts...)
	b, err := bot.New(token, opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

// collect returns a default handler that hands every update to the test.
func collect() (bot.Option, chan *models.Update) {
	got := make(chan *models.Update, 16)
	return bot.WithDefaultHandler(func(_ context.Context, _ *bot.Bot, u *models.Update) { got <- u }), got
}

// run runs start (b.Start or b.StartWebhook) until the test ends.
func run(t *testing.T, start func(context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		start(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

func next(t *testing.T, got chan *models.Update) *models.Update {
	t.Helper()
	select {
	case u := <-got:
		return u
	case <-time.After(wait):
		t.Fatal("no update delivered")
		return nil
	}
}

func TestPollingDeliversPushedUpdatesAndConfirmsThem(t *testing.T) {
	srv := telegramtest.New(t, token)
	handler, got := collect()
	b, err := bot.New(token, bot.WithServerURL(srv.URL()), handler, bot.WithNotAsyncHandlers(),
		bot.WithAllowedUpdates(bot.AllowedUpdates{"message", "callback_query", "chat_member"}))
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	if n := len(srv.Calls("getMe")); n != 1 {
		t.Fatalf("getMe calls: got %d, want 1", n)
	}
	run(t, b.Start)
	srv.WaitConfirmed(t, 1, wait) // the first poll is waiting: pushes must wake it

	first := srv.PushUpdate(srv.MessageUpdate(telegramtest.Private(alice), alice, "/start@hearth_test_bot join"))
	srv.PushUpdate(srv.ReactionUpdate(group, alice, 7, nil, []string{"👍"})) // not allowed: dropped
	srv.PushUpdate(srv.ChatMemberUpdate(group, bob, telegramtest.Left(bob), telegramtest.Member(bob)))
	last := srv.PushUpdate(srv.CallbackUpdate(group, bob, 7, "vote:1"))

	u := next(t, got)
	if u.ID != first || u.Message == nil || u.Message.Text != "/start@hearth_test_bot join" {
		t.Fatalf("first update: got %+v", u)
	}
	want := []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: 22}}
	if !reflect.DeepEqual(u.Message.Entities, want) {
		t.Fatalf("entities: got %+v, want %+v", u.Message.Entities, want)
	}
	if u = next(t, got); u.ChatMember == nil || u.ChatMember.NewChatMember.Member.User.ID != bob.ID {
		t.Fatalf("second update: got %+v, want bob's chat_member", u)
	}
	if u = next(t, got); u.ID != last || u.CallbackQuery == nil || u.CallbackQuery.Data != "vote:1" {
		t.Fatalf("third update: got %+v, want the callback query", u)
	}
	srv.WaitConfirmed(t, last+1, wait)
	if got, want := srv.AllowedUpdates(), []string{"message", "callback_query", "chat_member"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("allowed updates: got %v, want %v", got, want)
	}
	if n := srv.Pending(); n != 0 {
		t.Fatalf("pending updates: got %d, want 0", n)
	}
}

func TestSendMessageRecordsHTMLAndKeyboard(t *testing.T) {
	srv, b := startBot(t)
	keyboard := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: "Yes", CallbackData: "rsvp:yes"},
		{Text: "Site", URL: "https://example.org/?a=1&b=2"},
	}}}
	msg, err := b.SendMessage(context.Background(), &bot.SendMessageParams{
		ChatID: group.ID, Text: `<b>Board games</b> &amp; <a href="https://example.org/?a=1&amp;b=2">tea</a> &lt;3`,
		ParseMode: models.ParseModeHTML, ReplyMarkup: keyboard,
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if want := "Board games & tea <3"; msg.Text != want {
		t.Fatalf("answered text: got %q, want %q", msg.Text, want)
	}
	wantEntities := []models.MessageEntity{{Type: models.MessageEntityTypeBold, Offset: 0, Length: 11},
		{Type: models.MessageEntityTypeTextLink, Offset: 14, Length: 3, URL: "https://example.org/?a=1&b=2"}}
	if !reflect.DeepEqual(msg.Entities, wantEntities) {
		t.Fatalf("answered entities: got %+v, want %+v", msg.Entities, wantEntities)
	}
	if msg.ID != 1 || msg.Chat.ID != group.ID || msg.From == nil || msg.From.ID != 123456 {
		t.Fatalf("answered message: got %+v", msg)
	}

	calls := srv.Calls("sendMessage")
	if len(calls) != 1 || calls[0].Params["parse_mode"] != "HTML" || !strings.HasPrefix(calls[0].Params["text"], "<b>Board") {
		t.Fatalf("recorded calls: got %v", calls)
	}
	var sent models.InlineKeyboardMarkup
	if err := calls[0].JSON("reply_markup", &sent); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&sent, keyboard) || !reflect.DeepEqual(msg.ReplyMarkup, keyboard) {
		t.Fatalf("keyboard: sent %+v, answered %+v, want %+v", sent, msg.ReplyMarkup, keyboard)
	}
	if got := srv.Messages(group.ID); len(got) != 1 || got[0].Text != msg.Text {
		t.Fatalf("messages in chat: got %+v", got)
	}
}

func TestSendMessageRefusesWhatTelegramRefuses(t *testing.T) {
	_, b := startBot(t)
	button := func(data string) models.ReplyMarkup {
		return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Go", CallbackData: data}}}}
	}
	tests := []struct {
		name      string
		params    bot.SendMessageParams
		wantError string // "" means accepted
	}{
		{"unclosed tag", bot.SendMessageParams{Text: "<b>hi", ParseMode: models.ParseModeHTML},
			`can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"crossed tags", bot.SendMessageParams{Text: "<b><i>hi</b></i>", ParseMode: models.ParseModeHTML},
			`Unmatched end tag at byte offset 8, expected "</i>", found "</b>"`},
		{"unsupported tag", bot.SendMessageParams{Text: "<div>hi</div>", ParseMode: models.ParseModeHTML},
			`Unsupported start tag "div" at byte offset 0`},
		{"unescaped less-than", bot.SendMessageParams{Text: "1 < 2", ParseMode: models.ParseModeHTML},
			`Unsupported start tag "" at byte offset 2`},
		{"unescaped ampersand", bot.SendMessageParams{Text: "Tom & Jerry", ParseMode: models.ParseModeHTML},
			`Unescaped "&" at byte offset 4`},
		{"only tags", bot.SendMessageParams{Text: "<b> </b>", ParseMode: models.ParseModeHTML},
			"message text is empty"},
		{"too long", bot.SendMessageParams{Text: strings.Repeat("é", 4097)}, "message is too long"},
		{"longest", bot.SendMessageParams{Text: "<i>" + strings.Repeat("é", 4096) + "</i>", ParseMode: models.ParseModeHTML}, ""},
		{"callback data of 65 bytes", bot.SendMessageParams{Text: "hi", ReplyMarkup: button(strings.Repeat("x", 65))},
			"BUTTON_DATA_INVALID"},
		{"callback data of 64 bytes", bot.SendMessageParams{Text: "hi", ReplyMarkup: button(strings.Repeat("x", 64))}, ""},
		{"text button", bot.SendMessageParams{Text: "hi", ReplyMarkup: button("")},
			"Text buttons are unallowed in the inline keyboard"},
		{"force reply", bot.SendMessageParams{Text: "Your name?", ReplyMarkup: &models.ForceReply{
			ForceReply: true, InputFieldPlaceholder: "Ada"}}, ""},
		{"force reply placeholder too long", bot.SendMessageParams{Text: "Your name?", ReplyMarkup: &models.ForceReply{
			ForceReply: true, InputFieldPlaceholder: strings.Repeat("a", 65)}}, "placeholder is too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := tt.params
			params.ChatID = alice.ID
			_, err := b.SendMessage(context.Background(), &params)
			switch {
			case tt.wantError == "" && err != nil:
				t.Fatalf("SendMessage: %v", err)
			case tt.wantError == "":
			case !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "Bad Request: ") ||
				!strings.Contains(err.Error(), tt.wantError):
				t.Fatalf("SendMessage: got error %v, want a bad request with %q", err, tt.wantError)
			}
		})
	}
}

func TestFailNextAnswersTelegramErrors(t *testing.T) {
	srv, b := startBot(t)
	ctx := context.Background()
	send := &bot.SendMessageParams{ChatID: alice.ID, Text: "hello"}

	srv.FailNext("sendMessage", 429, "", 7)
	_, err := b.SendMessage(ctx, send)
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 7 ||
		!strings.Contains(tooMany.Message, "Too Many Requests: retry after 7") {
		t.Fatalf("SendMessage: got %v, want too many requests, retry after 7", err)
	}
	if _, err := b.SendMessage(ctx, send); err != nil {
		t.Fatalf("SendMessage after the failure: %v", err)
	}

	srv.SetBlocked(alice.ID, true)
	if _, err := b.SendMessage(ctx, send); !errors.Is(err, bot.ErrorForbidden) ||
		!strings.Contains(err.Error(), "Forbidden: bot was blocked by the user") {
		t.Fatalf("SendMessage to a blocking user: got %v", err)
	}
	srv.SetBlocked(alice.ID, false)
	srv.FailNext("sendmessage", 403, "", 0)
	if _, err := b.SendMessage(ctx, send); !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("SendMessage with a scripted 403: got %v", err)
	}

	calls := srv.Calls("sendMessage")
	statuses := make([]int, len(calls))
	for i, c := range calls {
		statuses[i] = c.Status
	}
	if want := []int{429, 200, 403, 403}; !reflect.DeepEqual(statuses, want) {
		t.Fatalf("recorded statuses: got %v, want %v", statuses, want)
	}
}

func TestEditAndDeleteMessages(t *testing.T) {
	srv, b := startBot(t)
	ctx := context.Background()
	keyboard := func(text string) *models.InlineKeyboardMarkup {
		return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: text, CallbackData: "x"}}}}
	}
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "Vote", ReplyMarkup: keyboard("0")})
	if err != nil {
		t.Fatal(err)
	}
	edit := &bot.EditMessageTextParams{ChatID: group.ID, MessageID: msg.ID, Text: "<b>Vote</b>",
		ParseMode: models.ParseModeHTML, ReplyMarkup: keyboard("1")}
	if _, err := b.EditMessageText(ctx, edit); err != nil {
		t.Fatalf("EditMessageText: %v", err)
	}
	if _, err := b.EditMessageText(ctx, edit); err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("same edit twice: got %v, want message is not modified", err)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: group.ID,
		MessageID: msg.ID, ReplyMarkup: keyboard("2")}); err != nil {
		t.Fatalf("EditMessageReplyMarkup: %v", err)
	}
	shown := srv.Messages(group.ID)
	if len(shown) != 1 || shown[0].Text != "Vote" || shown[0].ReplyMarkup.InlineKeyboard[0][0].Text != "2" {
		t.Fatalf("messages after edits: got %+v", shown)
	}

	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: group.ID, MessageID: msg.ID}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: group.ID, MessageID: msg.ID}); err == nil {
		t.Fatal("deleting twice: got no error")
	}
	if _, err := b.EditMessageText(ctx, edit); err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("editing a deleted message: got %v", err)
	}
	if _, err := b.DeleteMessages(ctx, &bot.DeleteMessagesParams{ChatID: group.ID, MessageIDs: []int{msg.ID, 99}}); err != nil {
		t.Fatalf("DeleteMessages: %v", err)
	}
	if got := srv.Messages(group.ID); len(got) != 0 {
		t.Fatalf("messages after delete: got %+v", got)
	}
}

func TestAnswerCallbackQuery(t *testing.T) {
	srv, b := startBot(t)
	ctx := context.Background()
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "Vote",
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "+1", CallbackData: "x"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	pressed := srv.CallbackUpdate(group, bob, msg.ID, "x")
	if m := pressed.CallbackQuery.Message.Message; m.Text != "Vote" || m.ReplyMarkup == nil {
		t.Fatalf("callback carries message %+v, want the bot's with its keyboard", m)
	}
	answer := &bot.AnswerCallbackQueryParams{CallbackQueryID: pressed.CallbackQuery.ID, Text: strings.Repeat("a", 200)}
	if _, err := b.AnswerCallbackQuery(ctx, answer); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("answering a query never pushed: got %v, want a bad request", err)
	}
	srv.PushUpdate(pressed)
	answer.Text = strings.Repeat("a", 201)
	if _, err := b.AnswerCallbackQuery(ctx, answer); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("answer of 201 characters: got %v, want a bad request", err)
	}
	answer.Text = strings.Repeat("a", 200)
	if _, err := b.AnswerCallbackQuery(ctx, answer); err != nil {
		t.Fatalf("AnswerCallbackQuery: %v", err)
	}
	if _, err := b.AnswerCallbackQuery(ctx, answer); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("answering twice: got %v, want a bad request", err)
	}
}

func TestSendPhotoUploadsFile(t *testing.T) {
	srv, b := startBot(t)
	msg, err := b.SendPhoto(context.Background(), &bot.SendPhotoParams{
		ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "card.png", Data: strings.NewReader("PNG...")},
		Caption: "<i>Your card</i>", ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatalf("SendPhoto: %v", err)
	}
	if msg.Caption != "Your card" || len(msg.CaptionEntities) != 1 || len(msg.Photo) != 1 || msg.Photo[0].FileID == "" {
		t.Fatalf("answered message: got %+v", msg)
	}
	if got := string(srv.Calls("sendPhoto")[0].Files["photo"]); got != "PNG..." {
		t.Fatalf("uploaded file: got %q", got)
	}
	again, err := b.SendPhoto(context.Background(), &bot.SendPhotoParams{
		ChatID: alice.ID, Photo: &models.InputFileString{Data: msg.Photo[0].FileID}})
	if err != nil || again.Photo[0].FileID != msg.Photo[0].FileID {
		t.Fatalf("SendPhoto by file_id: got %+v, %v", again, err)
	}
	if got := srv.Calls("sendPhoto")[1].Params["photo"]; got != msg.Photo[0].FileID {
		t.Fatalf("recorded file_id: got %q", got)
	}
}
