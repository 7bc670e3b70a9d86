package bots

import (
	"context"

	"github.com/hearthbot/hearth/community"
)

// Messaging returns how each connected platform lets Hearth write to
// members and link to messages.
func (r *Router) Messaging() map[community.Platform]community.MessagingCapabilities {
	out := make(map[community.Platform]community.MessagingCapabilities, len(r.adapters))
	for p := range r.adapters {
		out[p] = r.Capabilities(p).Messaging
	}
	return out
}

// MayWritePrivately reports whether Hearth may write to acct privately
// (community.MayWritePrivately, with the platform's capabilities).
func (r *Router) MayWritePrivately(ctx context.Context, acct community.Account) (bool, error) {
	return community.MayWritePrivately(ctx, r.Capabilities(acct.Platform).Messaging, r.store, acct)
}

// MessageLink is where staff can open message in chat, part of group; ""
// when the platform or the chat has no links.
func (r *Router) MessageLink(g community.Group, chat, message string) string {
	return r.Capabilities(g.Platform).Messaging.MessageLinks.To(g.ID, chat, message)
}
