package telegramtest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// TestBotRemovedFromGroupCannotReadItsAdministrators: as on Telegram, a
// bot that left or was removed may not list a group's administrators.
func TestBotRemovedFromGroupCannotReadItsAdministrators(t *testing.T) {
	srv := telegramtest.New(t, token)
	b := newBot(t, srv)
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
