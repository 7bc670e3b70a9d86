package telegram

import "github.com/hearthbot/hearth/community"

// Capabilities implements bots.Capable: what Telegram lets Hearth do.
func (a *Adapter) Capabilities() community.Capabilities { return Capabilities() }

// Capabilities are what Telegram lets Hearth do, known without an adapter.
func Capabilities() community.Capabilities {
	return community.Capabilities{
		Moderation: community.ModerationCapabilities{MuteEnds: true, BanEnds: true, EndsWithin: maxUntil},

		Messaging: community.MessagingCapabilities{MessageLinks: community.MessageLinks{Format: "https://t.me/c/{chat}/{message}", ChatPrefix: "-100"}},
	}
}

// StartLink implements bots.StartLinks: a deep link that opens the
// private chat with Hearth and sends /start code when the member presses
// Start.
func (a *Adapter) StartLink(code string) (string, bool) {
	if a.botName == "" {
		return "", false
	}
	return "https://t.me/" + a.botName + "?start=" + code, true
}
