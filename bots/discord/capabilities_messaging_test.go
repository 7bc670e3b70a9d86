package discord

import "testing"

// TestDiscordMessagingCapabilities: Hearth opens private chats itself and
// every message has a link through its server and channel.
func TestDiscordMessagingCapabilities(t *testing.T) {
	m := (&Adapter{}).Capabilities().Messaging
	if !m.OpensPrivateChats {
		t.Error("Discord does not let Hearth open private chats, say the capabilities")
	}
	if got, want := m.MessageLinks.To("g1", "c2", "m3"), "https://discord.com/channels/g1/c2/m3"; got != want {
		t.Errorf("link %q, want %q", got, want)
	}
}
