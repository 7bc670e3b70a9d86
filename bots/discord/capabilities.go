package discord

import "github.com/hearthbot/hearth/community"

// Capabilities implements bots.Capable: what Discord lets Hearth do.
func (a *Adapter) Capabilities() community.Capabilities { return Capabilities() }

// Capabilities are what Discord lets Hearth do, known without an adapter.
func Capabilities() community.Capabilities {
	return community.Capabilities{
		Moderation: community.ModerationCapabilities{MuteEnds: true, MaxMute: maxTimeout - timeoutMargin},

		Messaging: community.MessagingCapabilities{OpensPrivateChats: true, MessageLinks: community.MessageLinks{Format: "https://discord.com/channels/{group}/{chat}/{message}"}},
	}
}
