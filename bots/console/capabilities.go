package console

import "github.com/hearthbot/hearth/community"

// Capabilities implements bots.Capable: what the console lets Hearth do.
func (c *Console) Capabilities() community.Capabilities { return Capabilities() }

// Capabilities are what the console lets Hearth do, known without it.
func Capabilities() community.Capabilities {
	return community.Capabilities{
		Moderation: community.ModerationCapabilities{},

		Messaging: community.MessagingCapabilities{OpensPrivateChats: true},
	}
}
