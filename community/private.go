package community

import (
	"context"
	"slices"
)

// PrivateChats is what deciding whether Hearth may write to a member
// privately needs from persistence.
type PrivateChats interface {
	// PrivateChatOpen reports whether the account has a private chat with
	// Hearth open: opened by the member and not closed (blocked) since.
	PrivateChatOpen(ctx context.Context, acct Account) (bool, error)
}

// MayWritePrivately is the one definition of "may be written to
// privately", given whether the member has a private chat with Hearth
// open: always where Hearth opens private chats itself, else only
// through the chat the member opened.
func (m MessagingCapabilities) MayWritePrivately(chatOpen bool) bool {
	return chatOpen || m.OpensPrivateChats
}

// MayWritePrivately reports whether Hearth may write to acct privately on
// a platform with the messaging capabilities m, asking chats only where
// the platform needs the member to open the chat.
func MayWritePrivately(ctx context.Context, m MessagingCapabilities, chats PrivateChats, acct Account) (bool, error) {
	if m.MayWritePrivately(false) {
		return true, nil
	}
	open, err := chats.PrivateChatOpen(ctx, acct)
	if err != nil {
		return false, err
	}
	return m.MayWritePrivately(open), nil
}

// OpensPrivateChatsOn lists the platforms, of those given, where Hearth
// may write privately to members without an open private chat: how a
// query over many members applies MayWritePrivately.
func OpensPrivateChatsOn(caps map[Platform]MessagingCapabilities) []Platform {
	var out []Platform
	for p, m := range caps {
		if m.MayWritePrivately(false) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
