package discord

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
)

var _ bots.SanctionChecker = (*Adapter)(nil)

// IsMuted implements bots.SanctionChecker: the member's timeout has not
// ended. Someone not in the server is not muted.
func (a *Adapter) IsMuted(ctx context.Context, group, userID string) (bool, error) {
	m, err := a.session.GuildMember(group, userID, discordgo.WithContext(ctx))
	switch {
	case restCode(err) == codeUnknownMember:
		return false, nil
	case err != nil:
		return false, a.readError("read member "+userID, group, err)
	}
	return m.CommunicationDisabledUntil != nil && m.CommunicationDisabledUntil.After(time.Now()), nil
}

// IsBanned implements bots.SanctionChecker: the server has a ban for the
// user.
func (a *Adapter) IsBanned(ctx context.Context, group, userID string) (bool, error) {
	_, err := a.session.GuildBan(group, userID, discordgo.WithContext(ctx))
	switch {
	case restCode(err) == codeUnknownBan:
		return false, nil
	case err != nil:
		return false, a.readError("read the ban of user "+userID, group, err)
	}
	return true, nil
}

// readError explains a failed read of a server's moderation state: a
// refusal is Hearth lacking the rights to moderate there.
func (a *Adapter) readError(what, guildID string, err error) error {
	s, ok := a.server(guildID)
	if !ok {
		s = server{id: guildID}
	}
	if status(err) == http.StatusForbidden {
		return fmt.Errorf("%s in %s: %w: %w", what, s, bots.ErrNoRights, classify(err))
	}
	return fmt.Errorf("%s in %s: %w", what, s, classify(err))
}
