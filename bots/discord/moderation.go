package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots"
)

var _ bots.Moderator = (*Adapter)(nil)

// Discord's answers that moderation reads.
const (
	codeUnknownMember      = 10007 // not in the server: nothing to mute or kick
	codeUnknownMessage     = 10008 // deleted already
	codeUnknownBan         = 10026 // not banned: nothing to lift
	codeMissingPermissions = 50013
	codeTooOldToBulkDelete = 50034
)

// Discord's limits on moderation.
const (
	maxTimeout = 28 * 24 * time.Hour
	// timeoutMargin keeps a timeout capped at 28 days inside Discord's
	// limit even when Discord's clock is a little behind Hearth's.
	timeoutMargin    = time.Minute
	bulkDeleteMaxAge = 14 * 24 * time.Hour
	// bulkDeleteMargin leaves out of a bulk delete messages that would
	// turn 14 days old on the way to Discord.
	bulkDeleteMargin = time.Hour
	maxBulkDelete    = 100
)

// memberAction is one moderation call on a user of a server.
type memberAction struct {
	verb   string // mute, ban, ...
	server server
	userID string
	perm   int64 // the permission Discord asks of Hearth
	// onMember: the call changes a member, which Discord refuses for the
	// server's owner and for members ranked as high as Hearth or higher.
	onMember bool
	// adminsExempt: Discord does not time out administrators.
	adminsExempt bool
	// done is Discord's error code saying there is nothing to do.
	done int
}

// Mute times the member out: they cannot write, speak or react until
// until. A Discord timeout lasts at most 28 days, so a zero until (as long
// as possible) or a later one is capped at 28 days from now, less a
// minute; the member is then free again by themself.
func (a *Adapter) Mute(ctx context.Context, group, userID string, until time.Time) error {
	limit := time.Now().Add(maxTimeout - timeoutMargin)
	if until.IsZero() || until.After(limit) {
		until = limit
	}
	until = until.UTC()
	act := a.memberAction("mute", group, userID, discordgo.PermissionModerateMembers)
	act.adminsExempt = true
	return a.moderate(ctx, act, func(o discordgo.RequestOption) error {
		return a.session.GuildMemberTimeout(group, userID, &until, o)
	})
}

// Unmute ends the member's timeout.
func (a *Adapter) Unmute(ctx context.Context, group, userID string) error {
	act := a.memberAction("unmute", group, userID, discordgo.PermissionModerateMembers)
	return a.moderate(ctx, act, func(o discordgo.RequestOption) error {
		return a.session.GuildMemberTimeout(group, userID, nil, o)
	})
}

// Ban bans the user from the server, deleting none of their messages.
// Discord's bans have no end, so until is not sent: Hearth's scheduler
// lifts a timed ban by calling Unban.
func (a *Adapter) Ban(ctx context.Context, group, userID string, _ time.Time) error {
	act := a.memberAction("ban", group, userID, discordgo.PermissionBanMembers)
	act.done = 0 // a user who is not a member can be banned all the same
	return a.moderate(ctx, act, func(o discordgo.RequestOption) error {
		return a.session.GuildBanCreate(group, userID, 0, o)
	})
}

// Unban lifts the user's ban; a user who is not banned is no error.
func (a *Adapter) Unban(ctx context.Context, group, userID string) error {
	act := a.memberAction("unban", group, userID, discordgo.PermissionBanMembers)
	act.onMember, act.done = false, codeUnknownBan
	return a.moderate(ctx, act, func(o discordgo.RequestOption) error {
		return a.session.GuildBanDelete(group, userID, o)
	})
}

// Kick removes the member from the server; they may join again.
func (a *Adapter) Kick(ctx context.Context, group, userID string) error {
	act := a.memberAction("kick", group, userID, discordgo.PermissionKickMembers)
	return a.moderate(ctx, act, func(o discordgo.RequestOption) error {
		return a.session.GuildMemberDelete(group, userID, o)
	})
}

func (a *Adapter) memberAction(verb, guildID, userID string, perm int64) memberAction {
	s, ok := a.server(guildID)
	if !ok {
		s = server{id: guildID}
	}
	return memberAction{verb: verb, server: s, userID: userID, perm: perm, onMember: true, done: codeUnknownMember}
}

// moderate makes a moderation call. The owner, whom the state names, is
// refused before asking Discord. Discord's Missing Permissions is then
// explained (see refusal): Hearth does not keep members in its state, so
// their ranks are read only when Discord has refused.
func (a *Adapter) moderate(ctx context.Context, act memberAction, call func(discordgo.RequestOption) error) error {
	what := fmt.Sprintf("%s user %s in %s", act.verb, act.userID, act.server)
	if act.onMember && act.userID == act.server.ownerID {
		return fmt.Errorf("%s: the server's owner: %w", what, bots.ErrProtected)
	}
	err := call(discordgo.WithContext(ctx))
	switch code := restCode(err); {
	case err == nil, act.done != 0 && code == act.done:
		return nil
	case code == codeMissingPermissions:
		return fmt.Errorf("%s: %w: %w", what, a.refusal(ctx, act), classify(err))
	case status(err) == http.StatusForbidden:
		return fmt.Errorf("%s: %w: %w", what, bots.ErrNoRights, classify(err))
	}
	return fmt.Errorf("%s: %w", what, classify(err))
}

// refusal tells why Discord answered Missing Permissions: Hearth lacks the
// permission (bots.ErrNoRights), or the member outranks Hearth or is an
// administrator Discord will not time out (bots.ErrProtected).
func (a *Adapter) refusal(ctx context.Context, act memberAction) error {
	if !act.onMember || act.server.roles == nil {
		return bots.ErrNoRights
	}
	me, err := a.admins.member(ctx, act.server.id, a.session.State.User.ID)
	if err != nil || me == nil || act.server.permissions(me)&act.perm != act.perm {
		return bots.ErrNoRights
	}
	target, err := a.admins.member(ctx, act.server.id, act.userID)
	if err != nil || target == nil {
		return bots.ErrNoRights
	}
	if act.server.rank(target) >= act.server.rank(me) ||
		act.adminsExempt && act.server.permissions(target)&discordgo.PermissionAdministrator != 0 {
		return bots.ErrProtected
	}
	return bots.ErrNoRights
}

// DeleteMessages deletes messages of a channel: those younger than 14
// days in bulk, 2 to 100 a call, the others (and a lone one) one by one.
// A message deleted already is no error.
func (a *Adapter) DeleteMessages(ctx context.Context, chatID string, messageIDs []string) error {
	recent, old := byAge(messageIDs, time.Now().Add(-bulkDeleteMaxAge+bulkDeleteMargin))
	for len(recent) >= 2 {
		batch := recent[:min(len(recent), maxBulkDelete)]
		recent = recent[len(batch):]
		err := a.session.ChannelMessagesBulkDelete(chatID, batch, discordgo.WithContext(ctx))
		if restCode(err) == codeTooOldToBulkDelete { // Discord's clock saw one turn 14 days old
			old, err = append(old, batch...), nil
		}
		if err != nil {
			return a.deleteError(fmt.Sprintf("delete %d messages", len(batch)), chatID, err)
		}
	}
	for _, id := range append(old, recent...) {
		err := a.session.ChannelMessageDelete(chatID, id, discordgo.WithContext(ctx))
		if err != nil && restCode(err) != codeUnknownMessage {
			return a.deleteError("delete message "+id, chatID, err)
		}
	}
	return nil
}

// byAge splits message ids, without repeats, into those posted after
// since and the others (ids that are not snowflakes among them).
func byAge(ids []string, since time.Time) (recent, old []string) {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if at, err := discordgo.SnowflakeTimestamp(id); err == nil && at.After(since) {
			recent = append(recent, id)
		} else {
			old = append(old, id)
		}
	}
	return recent, old
}

func (a *Adapter) deleteError(what, channelID string, err error) error {
	where := "channel " + channelID
	if c, cerr := a.session.State.Channel(channelID); cerr == nil {
		a.session.State.RLock()
		where = fmt.Sprintf("channel #%s (%s)", c.Name, channelID)
		a.session.State.RUnlock()
	}
	if status(err) == http.StatusForbidden {
		return fmt.Errorf("%s in %s: %w: %w", what, where, bots.ErrNoRights, classify(err))
	}
	return fmt.Errorf("%s in %s: %w", what, where, classify(err))
}

// status is the HTTP status of Discord's answer to a failed call, 0 when
// there was none.
func status(err error) int {
	if rest, ok := errors.AsType[*discordgo.RESTError](err); ok && rest.Response != nil {
		return rest.Response.StatusCode
	}
	return 0
}
