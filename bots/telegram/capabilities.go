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
