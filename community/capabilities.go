package community

import "time"

// Capabilities are the facts of one platform that rules depend on, as the
// platform's adapter describes them, so that the domain never names a
// platform to decide.
type Capabilities struct {
	// Moderation: what the platform's sanctions can do.
	Moderation ModerationCapabilities

	// Messaging: how Hearth may write to members and link to messages.
	Messaging MessagingCapabilities
}

// ModerationCapabilities are what a platform's sanctions can do: what it
// ends by itself, and so what Hearth must end (or renew) itself. The zero
// value is a platform that ends nothing by itself.
type ModerationCapabilities struct {
	// MuteEnds: a timed mute ends by itself on the platform.
	MuteEnds bool
	// MaxMute is the longest mute the platform takes at once (a Discord
	// timeout); a longer one must be renewed before it runs out. 0: no
	// limit.
	MaxMute time.Duration
	// BanEnds: a timed ban ends by itself on the platform; where it does
	// not, Hearth lifts it when its time is up.
	BanEnds bool
	// EndsWithin is the longest sanction the platform ends by itself; a
	// longer one is for ever there (Telegram's 366 days), so Hearth ends
	// it. 0: no limit.
	EndsWithin time.Duration
}

// EndsByItself reports whether the platform ends a sanction of kind that
// lasts d (from its start to its end) without Hearth: a timed mute or ban
// the platform ends, within its limit.
func (c ModerationCapabilities) EndsByItself(kind SanctionKind, d time.Duration) bool {
	if d <= 0 || c.EndsWithin > 0 && d > c.EndsWithin {
		return false
	}
	return kind == SanctionMute && c.MuteEnds || kind == SanctionBan && c.BanEnds
}

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
