package community

import "strings"

// MessageLinks say how a platform addresses a message in a group, so that
// staff can open it.
type MessageLinks struct {
	// Format is a message's address with {group}, {chat} and {message}
	// where the group's, the chat's and the message's ids go; "" when the
	// platform has none.
	Format string
	// ChatPrefix, when set, starts the id of every chat that has links
	// (Telegram's supergroups: "-100"); the address leaves it out.
	ChatPrefix string
}

// To returns the address of message in chat, part of group; "" when the
// platform has none or the chat lacks the prefix.
func (l MessageLinks) To(group, chat, message string) string {
	if l.Format == "" {
		return ""
	}
	chat, ok := strings.CutPrefix(chat, l.ChatPrefix)
	if !ok {
		return ""
	}
	return strings.NewReplacer("{group}", group, "{chat}", chat, "{message}", message).Replace(l.Format)
}
