package telegram

import "testing"

// TestTelegramMessagingCapabilities: members open private chats with the
// bot (/start) and only supergroups' messages have links, without the
// "-100" of their chat id.
func TestTelegramMessagingCapabilities(t *testing.T) {
	m := (&Adapter{}).Capabilities().Messaging
	if m.OpensPrivateChats {
		t.Error("Telegram lets a bot open private chats, say the capabilities")
	}
	for chat, want := range map[string]string{"-1001234": "https://t.me/c/1234/77", "-42": ""} {
		if got := m.MessageLinks.To(chat, chat, "77"); got != want {
			t.Errorf("link to message 77 in %s: %q, want %q", chat, got, want)
		}
	}
}
