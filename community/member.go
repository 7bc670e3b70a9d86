package community

import (
	"strconv"
	"time"
)

// MemberID identifies a member: one person across every platform.
type MemberID int64

// String formats the id for logs and messages.
func (id MemberID) String() string { return strconv.FormatInt(int64(id), 10) }

// Platform is a chat platform a member can use.
type Platform string

// The platforms Hearth runs on. Console is the local terminal chat.
const (
	Telegram Platform = "telegram"
	Discord  Platform = "discord"
	Console  Platform = "console"
)

// Account is one platform account: a (platform, user id) pair that points
// to exactly one member.
type Account struct {
	Platform Platform
	UserID   string
}

// String formats the account as platform:user_id, as owners are configured.
func (a Account) String() string { return string(a.Platform) + ":" + a.UserID }

// Identity is a member's account on one platform, with what the platform
// says about them.
type Identity struct {
	Account
	Member      MemberID
	Username    string
	DisplayName string
	Language    string // as the platform reports it, such as "en" or "pt-BR"
	FirstSeen   time.Time
	LastSeen    time.Time
}

// Member is one person in the community.
type Member struct {
	ID          MemberID
	DisplayName string
	Language    string // chosen by the member; "" follows the platform and the community
	CreatedAt   time.Time
	Identities  []Identity
}

// ChatID identifies a chat Hearth knows: a group, a channel inside one, or a
// direct conversation.
type ChatID int64

// ChatKind says what sort of chat a chat is.
type ChatKind string

// The kinds of chat.
const (
	ChatGroup   ChatKind = "group"   // a Telegram group, a Discord server
	ChatChannel ChatKind = "channel" // a Discord channel, a Telegram channel
	ChatDirect  ChatKind = "direct"  // a private conversation with the bot
)

// Chat is a chat Hearth is in.
type Chat struct {
	ID         ChatID
	Platform   Platform
	PlatformID string
	Kind       ChatKind
	Title      string
	IsStaff    bool
	Language   string
}
