package bots

import (
	"testing"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/config"
)

// TestVIPGroupIsTheConfiguredTelegramGroup: telegram.vip_chat_id names
// the VIP group on Telegram; unset, there is none.
func TestVIPGroupIsTheConfiguredTelegramGroup(t *testing.T) {
	cfg := config.Default()
	if g := CommunityOptionsFrom(cfg).VIPGroup; g != (community.PlatformChat{}) {
		t.Errorf("VIPGroup without telegram.vip_chat_id = %+v, want none", g)
	}
	cfg.Telegram.VIPChatID = "-1009"
	if g, want := CommunityOptionsFrom(cfg).VIPGroup, (community.PlatformChat{Platform: community.Telegram, ChatID: "-1009"}); g != want {
		t.Errorf("VIPGroup = %+v, want %+v", g, want)
	}
}
