package telegramtest_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

// TestOldMessagesCannotBeDeleted: as on Telegram, a message sent 48 hours
// ago or more cannot be deleted, alone or among others (deleteMessages
// then deletes none of them); a younger one can.
func TestOldMessagesCannotBeDeleted(t *testing.T) {
	srv, b := startBot(t)
	ctx := context.Background()
	var ahead atomic.Int64
	srv.SetNow(func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) })
	old, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "old"})
	if err != nil {
		t.Fatal(err)
	}
	ahead.Store(int64(48 * time.Hour))
	young, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "young"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: group.ID, MessageID: old.ID}); err == nil ||
		!strings.Contains(err.Error(), "message can't be deleted") {
		t.Fatalf("deleting a message 48 hours old: got %v, want message can't be deleted", err)
	}
	if _, err := b.DeleteMessages(ctx, &bot.DeleteMessagesParams{ChatID: group.ID, MessageIDs: []int{young.ID, old.ID}}); err == nil ||
		!strings.Contains(err.Error(), "message can't be deleted") {
		t.Fatalf("deleting it with a younger one: got %v, want message can't be deleted", err)
	}
	if got := srv.Messages(group.ID); len(got) != 2 {
		t.Fatalf("after refused deletes: %+v; want both messages", got)
	}
	if _, err := b.DeleteMessages(ctx, &bot.DeleteMessagesParams{ChatID: group.ID, MessageIDs: []int{young.ID}}); err != nil {
		t.Fatalf("deleting the younger one: %v", err)
	}
	if got := srv.Messages(group.ID); len(got) != 1 || got[0].ID != old.ID {
		t.Fatalf("after deleting the younger one: %+v; want the old one left", got)
	}
}
