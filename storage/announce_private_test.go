package storage_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// TestAnnouncementAudienceAgreesWithMayWritePrivately: the set-based
// query that chooses whom an announcement writes to privately picks
// exactly the members community.MayWritePrivately allows, member by
// member, whichever platforms need the member to open the chat.
func TestAnnouncementAudienceAgreesWithMayWritePrivately(t *testing.T) {
	f := newAnnounceFixture(t)
	ctx := context.Background()
	dm := func(id string) inbox.Chat { return inbox.Chat{ID: id, Kind: community.ChatDirect} }
	group := inbox.Chat{ID: "-100", Kind: community.ChatGroup, Title: "Tea"}
	server := inbox.Chat{ID: "g1", Kind: community.ChatGroup, Title: "Tea server"}
	accounts := map[string]community.Account{
		"open":   {Platform: community.Telegram, UserID: "11"},
		"closed": {Platform: community.Telegram, UserID: "12"},
		"never":  {Platform: community.Telegram, UserID: "13"},
		"guild":  {Platform: community.Discord, UserID: "901"},
	}
	f.member("open", community.Telegram, "11", dm("11"), false)
	f.member("closed", community.Telegram, "12", dm("12"), false)
	f.member("never", community.Telegram, "13", group, false)
	f.member("guild", community.Discord, "901", server, false)
	if err := f.s.SetChatPresent(ctx, community.Telegram, inbox.Chat{ID: "12"}, false); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"open": true, "closed": false, "never": false} {
		if got, err := f.s.PrivateChatOpen(ctx, accounts[name]); err != nil || got != want {
			t.Fatalf("%s: private chat open %v, %v; want %v", name, got, err, want)
		}
	}
	opens := community.MessagingCapabilities{OpensPrivateChats: true}
	for _, caps := range []map[community.Platform]community.MessagingCapabilities{
		{community.Telegram: {}, community.Discord: opens},
		{community.Telegram: {}, community.Discord: {}},
		{community.Telegram: opens, community.Discord: opens},
	} {
		aud := everyoneAudience(5, community.Telegram, community.Discord)
		aud.HearthOpens = community.OpensPrivateChatsOn(caps)
		for name, acct := range accounts {
			f.exec(`UPDATE members SET announcements_dm = (id = $1)`, f.members[name])
			want, err := community.MayWritePrivately(ctx, caps[acct.Platform], f.s, acct)
			if err != nil {
				t.Fatal(err)
			}
			reach, err := f.s.AnnouncementReach(ctx, aud, announceNow)
			if err != nil {
				t.Fatal(err)
			}
			if got := reach.MemberCount() == 1; got != want {
				t.Errorf("%s with Hearth opening on %v: the audience has them %v, the rule says %v", name, aud.HearthOpens, got, want)
			}
		}
	}
	if got := fmt.Sprint(community.OpensPrivateChatsOn(map[community.Platform]community.MessagingCapabilities{
		community.Telegram: {}, community.Discord: opens, community.Console: opens})); got != "[console discord]" {
		t.Errorf("platforms where Hearth opens private chats: %s", got)
	}
}
