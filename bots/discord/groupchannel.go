package discord

import (
	"context"

	"github.com/hearthbot/hearth/bots"
)

var _ bots.GroupChannels = (*Adapter)(nil)

// GroupChannel implements bots.GroupChannels: the channel a message to a
// whole server goes to (see postChannel), where Hearth finds it again to
// delete it. An id that is not a server Hearth is in is a channel already.
func (a *Adapter) GroupChannel(ctx context.Context, guildID string) (string, error) {
	s, ok := a.server(guildID)
	if !ok {
		return guildID, nil
	}
	return a.postChannel(ctx, s)
}
