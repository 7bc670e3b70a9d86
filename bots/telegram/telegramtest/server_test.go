package telegramtest_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
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
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
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
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
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
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
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
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
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
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
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
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
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

func TestCommandsPerScopeAndLanguage(t *testing.T) {
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
	ctx := context.Background()
	admins := &models.BotCommandScopeChatAdministrators{ChatID: group.ID}
	general := []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "help", Description: "Help"}}
	staff := []models.BotCommand{{Command: "ban_user", Description: "Sperren"}}

	for _, p := range []*bot.SetMyCommandsParams{
		{Commands: general},
		{Commands: staff, Scope: admins, LanguageCode: "de"},
	} {
		if _, err := b.SetMyCommands(ctx, p); err != nil {
			t.Fatalf("SetMyCommands: %v", err)
		}
	}
	if got := srv.Commands(nil, ""); !reflect.DeepEqual(got, general) {
		t.Fatalf("default commands: got %+v, want %+v", got, general)
	}
	if got := srv.Commands(admins, "de"); !reflect.DeepEqual(got, staff) {
		t.Fatalf("German admin commands: got %+v, want %+v", got, staff)
	}
	if got := srv.Commands(admins, ""); len(got) != 0 {
		t.Fatalf("admin commands without language: got %+v, want none", got)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{Scope: admins, LanguageCode: "de"})
	if err != nil || !reflect.DeepEqual(got, staff) {
		t.Fatalf("GetMyCommands: got %+v, %v", got, err)
	}
	var scope struct {
		Type   string `json:"type"`
		ChatID int64  `json:"chat_id"`
	}
	call := srv.Calls("setMyCommands")[1]
	if err := call.JSON("scope", &scope); err != nil || scope.Type != "chat_administrators" ||
		scope.ChatID != group.ID || call.Params["language_code"] != "de" {
		t.Fatalf("recorded scope: got %+v, %v, language %q", scope, err, call.Params["language_code"])
	}
	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{Scope: admins, LanguageCode: "de"}); err != nil {
		t.Fatalf("DeleteMyCommands: %v", err)
	}
	if got := srv.Commands(admins, "de"); len(got) != 0 {
		t.Fatalf("commands after delete: got %+v", got)
	}
}

func TestSetMyCommandsRefusesInvalidCommands(t *testing.T) {
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
	tests := []struct {
		name   string
		params bot.SetMyCommandsParams
	}{
		{"capital letter", bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "Start"}}}},
		{"33 characters", bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: strings.Repeat("a", 33), Description: "A"}}}},
		{"dash", bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "dash-ed", Description: "Dash"}}}},
		{"no description", bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "empty", Description: ""}}}},
		{"long description", bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "wordy", Description: strings.Repeat("d", 257)}}}},
		{"three-letter language", bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "start", Description: "Start"}}, LanguageCode: "eng"}},
		{"chat scope without chat", bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "start", Description: "Start"}}, Scope: &models.BotCommandScopeChat{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := b.SetMyCommands(context.Background(), &tt.params); !errors.Is(err, bot.ErrorBadRequest) {
				t.Fatalf("SetMyCommands: got %v, want a bad request", err)
			}
		})
	}
	if got := srv.Commands(nil, ""); len(got) != 0 {
		t.Fatalf("commands after refusals: got %+v", got)
	}
}

func TestChatAdministratorsAndMembers(t *testing.T) {
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SetChatAdministrators(group.ID, telegramtest.Owner(alice), telegramtest.Admin(bob))

	admins, err := b.GetChatAdministrators(ctx, &bot.GetChatAdministratorsParams{ChatID: group.ID})
	if err != nil {
		t.Fatalf("GetChatAdministrators: %v", err)
	}
	if len(admins) != 2 || admins[0].Type != models.ChatMemberTypeOwner || admins[0].Owner.User.ID != alice.ID ||
		admins[1].Type != models.ChatMemberTypeAdministrator || admins[1].Administrator.User.ID != bob.ID ||
		!admins[1].Administrator.CanRestrictMembers {
		t.Fatalf("administrators: got %+v", admins)
	}
	member, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: group.ID, UserID: carol.ID})
	if err != nil || member.Type != models.ChatMemberTypeMember {
		t.Fatalf("GetChatMember(carol): got %+v, %v", member, err)
	}
	chat, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: group.ID})
	if err != nil || chat.ID != group.ID || chat.Type != models.ChatTypeSupergroup {
		t.Fatalf("GetChat: got %+v, %v", chat, err)
	}
	if _, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: -1009999}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("GetChat of an unknown chat: got %v, want chat not found", err)
	}

	srv.SetChatAdministrators(group.ID, telegramtest.Owner(alice))
	admins, err = b.GetChatAdministrators(ctx, &bot.GetChatAdministratorsParams{ChatID: group.ID})
	if err != nil || len(admins) != 1 {
		t.Fatalf("administrators after demoting bob: got %+v, %v", admins, err)
	}
}

func TestModeration(t *testing.T) {
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
	ctx := context.Background()
	srv.SetChatAdministrators(group.ID, telegramtest.Owner(alice))

	if _, err := b.BanChatMember(ctx, &bot.BanChatMemberParams{ChatID: group.ID, UserID: alice.ID}); err == nil ||
		!strings.Contains(err.Error(), "can't remove chat owner") {
		t.Fatalf("banning the owner: got %v", err)
	}
	if _, err := b.BanChatMember(ctx, &bot.BanChatMemberParams{ChatID: group.ID, UserID: bob.ID}); err != nil {
		t.Fatalf("BanChatMember: %v", err)
	}
	if got := srv.ChatMember(group.ID, bob.ID).Type; got != models.ChatMemberTypeBanned {
		t.Fatalf("bob after ban: got %q", got)
	}
	if _, err := b.UnbanChatMember(ctx, &bot.UnbanChatMemberParams{ChatID: group.ID, UserID: bob.ID, OnlyIfBanned: true}); err != nil {
		t.Fatalf("UnbanChatMember: %v", err)
	}
	if got := srv.ChatMember(group.ID, bob.ID).Type; got != models.ChatMemberTypeLeft {
		t.Fatalf("bob after unban: got %q", got)
	}
	until := int(time.Now().Add(48 * time.Hour).Unix())
	if _, err := b.RestrictChatMember(ctx, &bot.RestrictChatMemberParams{ChatID: group.ID, UserID: carol.ID,
		Permissions: &models.ChatPermissions{CanSendMessages: false}, UntilDate: until}); err != nil {
		t.Fatalf("RestrictChatMember: %v", err)
	}
	if m := srv.ChatMember(group.ID, carol.ID); m.Type != models.ChatMemberTypeRestricted || m.Restricted.UntilDate != until {
		t.Fatalf("carol after restrict: got %+v", m)
	}

	srv.PushUpdate(srv.JoinRequestUpdate(group, carol))
	srv.PushUpdate(srv.JoinRequestUpdate(group, bob))
	if _, err := b.ApproveChatJoinRequest(ctx, &bot.ApproveChatJoinRequestParams{ChatID: group.ID, UserID: carol.ID}); err != nil {
		t.Fatalf("ApproveChatJoinRequest: %v", err)
	}
	if _, err := b.DeclineChatJoinRequest(ctx, &bot.DeclineChatJoinRequestParams{ChatID: group.ID, UserID: bob.ID}); err != nil {
		t.Fatalf("DeclineChatJoinRequest: %v", err)
	}
	if _, err := b.ApproveChatJoinRequest(ctx, &bot.ApproveChatJoinRequestParams{ChatID: group.ID, UserID: bob.ID}); err == nil ||
		!strings.Contains(err.Error(), "HIDE_REQUESTER_MISSING") {
		t.Fatalf("approving a settled request: got %v", err)
	}
	if got := srv.ChatMember(group.ID, carol.ID).Type; got != models.ChatMemberTypeMember {
		t.Fatalf("carol after approval: got %q", got)
	}

	link, err := b.CreateChatInviteLink(ctx, &bot.CreateChatInviteLinkParams{ChatID: group.ID, Name: "spring", MemberLimit: 10})
	if err != nil || !strings.HasPrefix(link.InviteLink, "https://t.me/+") || link.Name != "spring" || link.MemberLimit != 10 {
		t.Fatalf("CreateChatInviteLink: got %+v, %v", link, err)
	}
}

func TestBotRemovedFromGroupCannotPost(t *testing.T) {
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
	me := srv.Bot()
	srv.PushUpdate(srv.BotAddedUpdate(group, alice))
	if m := srv.ChatMember(group.ID, me.ID); m.Type != models.ChatMemberTypeMember {
		t.Fatalf("bot after being added: got %q", m.Type)
	}
	srv.PushUpdate(srv.MyChatMemberUpdate(group, alice, telegramtest.Member(me), telegramtest.Banned(me)))
	_, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: group.ID, Text: "still here?"})
	if !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot is not a member of the supergroup chat") {
		t.Fatalf("SendMessage after removal: got %v", err)
	}
}

func TestWebhook(t *testing.T) {
	srv := telegramtest.New(t, token)
	handler, got := collect()
	refused := make(chan error, 4)
	b := newBot(t, srv, handler, bot.WithWebhookSecretToken("s3cret"), bot.WithNotAsyncHandlers(),
		bot.WithErrorsHandler(func(err error) { refused <- err }))
	ctx := context.Background()

	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: "https://hearth.example/tg", SecretToken: "s3cret",
		AllowedUpdates: []string{"message"}}); err != nil {
		t.Fatalf("SetWebhook: %v", err)
	}
	if w := srv.Webhook(); w.URL != "https://hearth.example/tg" || w.SecretToken != "s3cret" {
		t.Fatalf("webhook: got %+v", w)
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != "https://hearth.example/tg" {
		t.Fatalf("GetWebhookInfo: got %+v, %v", info, err)
	}
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: "http://insecure.example"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("SetWebhook over http: got %v, want a bad request", err)
	}

	endpoint := httptest.NewServer(b.WebhookHandler())
	t.Cleanup(endpoint.Close)
	run(t, b.StartWebhook)
	// The handler checks the secret before answering, so the refusal is
	// reported by the time PostWebhook returns.
	srv.PostWebhook(t, endpoint.URL, "wrong", srv.MessageUpdate(telegramtest.Private(alice), alice, "forged"))
	select {
	case err := <-refused:
		if !strings.Contains(err.Error(), "invalid webhook secret token") {
			t.Fatalf("forged update: got error %v", err)
		}
	default:
		t.Fatal("forged update: not refused")
	}
	resp := srv.PostWebhook(t, endpoint.URL, "s3cret", srv.MessageUpdate(telegramtest.Private(alice), alice, "genuine"))
	if resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("webhook answered %d %s", resp.StatusCode, body)
	}
	if u := next(t, got); u.Message == nil || u.Message.Text != "genuine" || u.ID != 2 {
		t.Fatalf("delivered: got %+v, want the genuine update, id 2", u)
	}

	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		t.Fatalf("DeleteWebhook: %v", err)
	}
	if w := srv.Webhook(); w.URL != "" {
		t.Fatalf("webhook after delete: got %+v", w)
	}
	if n := len(srv.Calls("setWebhook")); n != 2 {
		t.Fatalf("setWebhook calls: got %d, want 2", n)
	}
}

func TestChatsByUsernameClockAndLeaving(t *testing.T) {
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
	ctx := context.Background()
	noon := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv.SetNow(func() time.Time { return noon })
	srv.SetChat(models.ChatFullInfo{ID: group.ID, Type: models.ChatTypeSupergroup, Title: group.Title, Username: "hearthclub"})

	chat, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: "@hearthclub"})
	if err != nil || chat.ID != group.ID || chat.Title != group.Title {
		t.Fatalf("GetChat(@hearthclub): got %+v, %v", chat, err)
	}
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: "@hearthclub", Text: "Doors open"})
	if err != nil || msg.Chat.ID != group.ID || msg.Date != int(noon.Unix()) {
		t.Fatalf("SendMessage(@hearthclub): got %+v, %v", msg, err)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: group.ID, Action: models.ChatActionTyping}); err != nil {
		t.Fatalf("SendChatAction: %v", err)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: group.ID, Action: "dancing"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Fatalf("SendChatAction(dancing): got %v, want a bad request", err)
	}
	if _, err := b.LeaveChat(ctx, &bot.LeaveChatParams{ChatID: group.ID}); err != nil {
		t.Fatalf("LeaveChat: %v", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "Bye"}); !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("SendMessage after leaving: got %v, want forbidden", err)
	}
}
