package bots

import (
	"context"
	"errors"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Errors the platform actions wrap, so the chat layer can explain them.
var (
	// ErrProtected: the platform does not let bots act on this user (a
	// group administrator or its owner).
	ErrProtected = errors.New("the platform protects this user: an administrator or the owner")
	// ErrNoRights: Hearth lacks the administrator right the action needs.
	ErrNoRights = errors.New("the bot lacks the administrator rights for this")
)

// Moderator carries out moderation on one platform; the adapters implement
// it. group is the platform's id of a community group: a Telegram group or
// a Discord server. A user who is not in the group, a message already
// deleted and an unban of someone not banned are not errors.
type Moderator interface {
	// Mute stops the user writing in group until the given time (zero:
	// as long as the platform allows, until Unmute).
	Mute(ctx context.Context, group, userID string, until time.Time) error
	Unmute(ctx context.Context, group, userID string) error
	// Ban removes the user from group and keeps them out until the given
	// time (zero: for good). Hearth lifts a timed ban itself where the
	// platform cannot.
	Ban(ctx context.Context, group, userID string, until time.Time) error
	Unban(ctx context.Context, group, userID string) error
	// Kick removes the user from group; they may join again.
	Kick(ctx context.Context, group, userID string) error
	// DeleteMessages deletes messages of a chat (a Telegram chat, a
	// Discord channel).
	DeleteMessages(ctx context.Context, chatID string, messageIDs []string) error
}

// JoinGate lets Hearth decide who enters a group that people ask to join
// (Telegram's chat_join_request), and invite one person to it.
type JoinGate interface {
	ApproveJoin(ctx context.Context, chatID, userID string) error
	DeclineJoin(ctx context.Context, chatID, userID string) error
	// InviteLink returns a link to chatID that one person may use, until
	// expires; name labels it for the group's administrators.
	InviteLink(ctx context.Context, chatID, name string, expires time.Time) (string, error)
}

// TierRoles gives members the platform role of their tier (Discord roles
// configured per tier) in every group that has it. A tier with no role
// configured is no change.
type TierRoles interface {
	GrantTierRole(ctx context.Context, userID string, tier community.Tier) error
	RevokeTierRole(ctx context.Context, userID string, tier community.Tier) error
}

// TicketThreads gives each ticket a thread of its own in a staff chat: a
// Telegram forum topic, a Discord private thread. Staff write in it, and
// the member's messages arrive in it.
type TicketThreads interface {
	// OpenTicketThread opens a thread named name in chat and returns its
	// id; ok is false when the chat has no threads (a group that is not a
	// forum).
	OpenTicketThread(ctx context.Context, chatID, name string) (threadID string, ok bool, err error)
	// InviteToTicketThread adds members (platform user ids: the staff) to
	// a thread where threads have members, as far as the platform lets
	// Hearth; it logs what it could not.
	InviteToTicketThread(ctx context.Context, chatID, threadID string, members []string)
	// SetTicketThreadOpen closes (open false) or reopens a ticket's thread.
	SetTicketThreadOpen(ctx context.Context, chatID, threadID string, open bool) error
}

// StartLinks makes links that open a private chat with Hearth whose
// /start carries a code (Telegram deep links).
type StartLinks interface {
	// StartLink returns the link for code (at most 64 characters of
	// A-Z, a-z, 0-9, _ and -); false while the bot's name is unknown.
	StartLink(code string) (string, bool)
}

// PrivateThreads opens threads in a channel that only their members (and
// whoever may manage threads) see: Discord private threads, where a
// member's question continues privately.
type PrivateThreads interface {
	// OpenPrivateThread opens a private thread named name in chat with
	// the member userID in it, and returns its id and a link to it; ok
	// is false where the channel takes no private threads or Hearth may
	// not open one.
	OpenPrivateThread(ctx context.Context, chatID, name, userID string) (threadID, link string, ok bool, err error)
}

// StartLinks returns platform p's deep links, if it has them.
func (r *Router) StartLinks(p community.Platform) (StartLinks, bool) {
	l, ok := r.adapters[p].(StartLinks)
	return l, ok
}

// PrivateThreads returns platform p's private threads, if it has them.
func (r *Router) PrivateThreads(p community.Platform) (PrivateThreads, bool) {
	t, ok := r.adapters[p].(PrivateThreads)
	return t, ok
}
