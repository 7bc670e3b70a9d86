package community

// Capabilities are the facts of one platform that rules depend on, as the
// platform's adapter describes them, so that the domain never names a
// platform to decide.
type Capabilities struct {
	// Moderation: what the platform's sanctions can do.
	Moderation ModerationCapabilities

	// Messaging: how Hearth may write to members and link to messages.
	Messaging MessagingCapabilities
}

// ModerationCapabilities are what a platform's sanctions can do.
type ModerationCapabilities struct{}

// MessagingCapabilities are how a platform lets Hearth write to members
// and link to messages.
type MessagingCapabilities struct {
	// OpensPrivateChats: Hearth may open a private chat with any member
	// itself (Discord, the console). Where it may not (Telegram), it writes
	// privately only through a chat the member opened (/start) and has not
	// closed since.
	OpensPrivateChats bool
	// MessageLinks: how to link to a message in a group; zero: no links.
	MessageLinks MessageLinks
}
