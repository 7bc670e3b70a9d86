package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// TestChatLanguageCoversADiscordServer: setting the language in one
// channel of a Discord server sets the server's and its channels', but
// not the staff chat's; a channel first seen later speaks it too.
func TestChatLanguageCoversADiscordServer(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := func(key, channel string) inbox.Inbound {
		return inbox.Inbound{Platform: community.Discord, Key: key, At: time.Now(), Done: true,
			From: inbox.User{ID: "7", Username: "olga"}, Chat: inbox.Chat{ID: channel, Kind: community.ChatChannel, GroupID: "g1"}}
	}
	rec, err := s.RecordInbound(ctx, []inbox.Inbound{in("1", "general"), in("2", "staff")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE chats SET is_staff = true WHERE id = $1`, int64(rec[1].Chat)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChatLanguage(ctx, rec[0].Chat, "ro", rec[0].Member, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM chats WHERE language = 'ro'`); n != 2 {
		t.Errorf("%d chats speak ro, want the server and #general", n)
	}
	later, err := s.RecordInbound(ctx, []inbox.Inbound{in("3", "random"), in("4", "random"), in("5", "staff")})
	if err != nil {
		t.Fatal(err)
	}
	if later[1].ChatLanguage != "ro" || later[2].ChatLanguage != "" {
		t.Errorf("a new channel speaks %q and the staff chat %q; want ro and the default", later[1].ChatLanguage, later[2].ChatLanguage)
	}
	if err := s.SetChatLanguage(ctx, 999, "ro", rec[0].Member, time.Now()); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("an unknown chat: %v", err)
	}
}
