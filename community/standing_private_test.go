package community

import (
	"context"
	"testing"
	"time"
)

// TestMayWritePrivately: where Hearth opens private chats itself it may
// always write, without asking the store; where the member must open it,
// only through a chat they opened and have not closed.
func TestMayWritePrivately(t *testing.T) {
	ctx := context.Background()
	open, closed := Account{Platform: Telegram, UserID: "1"}, Account{Platform: Telegram, UserID: "2"}
	chats := &privateChatsFake{open: map[Account]bool{open: true}}
	telegram, discord := MessagingCapabilities{}, MessagingCapabilities{OpensPrivateChats: true}
	for _, c := range []struct {
		caps  MessagingCapabilities
		acct  Account
		want  bool
		asked int
	}{
		{telegram, open, true, 1},
		{telegram, closed, false, 1},
		{discord, closed, true, 0},
	} {
		chats.asked = 0
		got, err := MayWritePrivately(ctx, c.caps, chats, c.acct)
		if err != nil || got != c.want || chats.asked != c.asked {
			t.Errorf("%+v to %s: %v, %v after %d questions; want %v after %d", c.caps, c.acct, got, err, chats.asked, c.want, c.asked)
		}
	}
	chats.err = errStandingsDown
	if ok, err := MayWritePrivately(ctx, telegram, chats, open); err == nil || ok {
		t.Errorf("with the store down: %v, %v; want the error", ok, err)
	}
}

// TestOpensPrivateChatsOnListsThePlatformsThatNeedNoOpenedChat: the
// platforms a set-based query lets Hearth write to without an opened
// private chat, sorted.
func TestOpensPrivateChatsOnListsThePlatformsThatNeedNoOpenedChat(t *testing.T) {
	opens := MessagingCapabilities{OpensPrivateChats: true}
	got := OpensPrivateChatsOn(map[Platform]MessagingCapabilities{Telegram: {}, Discord: opens, Console: opens})
	if len(got) != 2 || got[0] != Console || got[1] != Discord {
		t.Errorf("OpensPrivateChatsOn = %v, want [console discord]", got)
	}
	if got := OpensPrivateChatsOn(nil); len(got) != 0 {
		t.Errorf("no platforms: %v", got)
	}
}

// TestAnnouncementsWritePrivatelyByTheSameRule: the audience of an
// announcement writes without an opened private chat on the platforms
// whose adapters say Hearth opens them, and no other.
func TestAnnouncementsWritePrivatelyByTheSameRule(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store := newTestAnnouncements(2, &now)
	via := AnnounceVia{Platforms: []Platform{Discord, Telegram},
		Messaging: map[Platform]MessagingCapabilities{Telegram: {}, Discord: {OpensPrivateChats: true}}}
	if _, _, err := a.Draft(context.Background(), 1, "", "News", via); err != nil {
		t.Fatal(err)
	}
	if got := store.audience.HearthOpens; len(got) != 1 || got[0] != Discord {
		t.Errorf("Hearth opens private chats on %v, want [discord]", got)
	}
}
