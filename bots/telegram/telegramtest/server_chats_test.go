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

func TestCommandsPerScopeAndLanguage(t *testing.T) {
	srv, b := startBot(t)
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
	srv, b := startBot(t)
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
	srv, b := startBot(t)
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
	srv, b := startBot(t)
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
	srv, b := startBot(t)
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
	srv, b := startBot(t)
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

// TestBotRemovedFromGroupCannotReadItsAdministrators: as on Telegram, a
// bot that left or was removed may not list a group's administrators.
func TestBotRemovedFromGroupCannotReadItsAdministrators(t *testing.T) {
	srv, b := startBot(t)
	me := srv.Bot()
	srv.SetChatAdministrators(group.ID, telegramtest.Owner(alice))
	srv.PushUpdate(srv.BotAddedUpdate(group, alice))
	params := &bot.GetChatAdministratorsParams{ChatID: group.ID}
	if admins, err := b.GetChatAdministrators(context.Background(), params); err != nil || len(admins) != 1 {
		t.Fatalf("administrators while in the group: %v, %v", admins, err)
	}
	srv.PushUpdate(srv.MyChatMemberUpdate(group, alice, telegramtest.Member(me), telegramtest.Banned(me)))
	if _, err := b.GetChatAdministrators(context.Background(), params); !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("administrators after removal: got %v, want 403", err)
	}
}
