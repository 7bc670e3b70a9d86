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
type MessagingCapabilities struct{}
