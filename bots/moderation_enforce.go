package bots

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// enforcer carries sanctions out through each platform's Moderator and
// explains the platforms' refusals to staff.
type enforcer struct {
	router *Router
	store  moderationGroupLister
}

// moderationGroupLister finds the groups a sanction reaches.
type moderationGroupLister interface {
	ModerationGroups(ctx context.Context, p community.Platform) ([]community.Chat, error)
}

var (
	_ community.Enforcer         = (*enforcer)(nil)
	_ community.NewcomerEnforcer = (*enforcer)(nil)
)

// Enforce implements community.Enforcer.
func (e *enforcer) Enforce(ctx context.Context, kind community.SanctionKind, g community.Group, userID string, until time.Time) error {
	mod, err := e.moderator(g.Platform)
	if err != nil {
		return err
	}
	switch kind {
	case community.SanctionMute:
		err = mod.Mute(ctx, g.ID, userID, until)
	case community.SanctionBan:
		err = mod.Ban(ctx, g.ID, userID, until)
	case community.SanctionKick:
		err = mod.Kick(ctx, g.ID, userID)
	default:
		return fmt.Errorf("no platform action for a %s", kind)
	}
	return e.explain(ctx, err, string(kind), g)
}

// SanctionChecker is a Moderator that can tell whether a user is muted or
// banned in a group, so that lifting a mute or ban that is not there says
// so instead of claiming success. Every adapter of Hearth's implements it.
type SanctionChecker interface {
	IsMuted(ctx context.Context, group, userID string) (bool, error)
	IsBanned(ctx context.Context, group, userID string) (bool, error)
}

// Lift implements community.Enforcer: a mute or ban the platform does not
// have is community.ErrNothingToLift.
func (e *enforcer) Lift(ctx context.Context, kind community.SanctionKind, g community.Group, userID string) error {
	mod, err := e.moderator(g.Platform)
	if err != nil {
		return err
	}
	verb, lift, check := "unmute", mod.Unmute, (SanctionChecker).IsMuted
	switch kind {
	case community.SanctionMute:
	case community.SanctionBan:
		verb, lift, check = "unban", mod.Unban, (SanctionChecker).IsBanned
	default:
		return fmt.Errorf("a %s cannot be lifted", kind)
	}
	if checker, ok := mod.(SanctionChecker); ok {
		in, err := check(checker, ctx, g.ID, userID)
		if err != nil {
			return e.explain(ctx, err, verb, g)
		}
		if !in {
			return fmt.Errorf("%s user %s in %s: %w", verb, userID, g, community.ErrNothingToLift)
		}
	}
	return e.explain(ctx, lift(ctx, g.ID, userID), verb, g)
}

// Unmute implements community.NewcomerEnforcer: it lets the user write
// again without asking the platform first whether they are muted.
func (e *enforcer) Unmute(ctx context.Context, g community.Group, userID string) error {
	mod, err := e.moderator(g.Platform)
	if err != nil {
		return err
	}
	return e.explain(ctx, mod.Unmute(ctx, g.ID, userID), "unmute", g)
}

// Delete implements community.Enforcer.
func (e *enforcer) Delete(ctx context.Context, p community.Platform, chatID string, messageIDs []string) error {
	if len(messageIDs) == 0 {
		return nil
	}
	mod, err := e.moderator(p)
	if err != nil {
		return err
	}
	return e.explain(ctx, mod.DeleteMessages(ctx, chatID, messageIDs), "delete", community.Group{Platform: p, ID: chatID})
}

// DeleteInGroup implements community.NewcomerEnforcer: messages posted
// to a whole group went to one of its channels on some platforms
// (GroupChannels), and are deleted there.
func (e *enforcer) DeleteInGroup(ctx context.Context, g community.Group, messageIDs []string) error {
	channel := g.ID
	if gc, ok := e.router.adapters[g.Platform].(GroupChannels); ok && len(messageIDs) > 0 {
		var err error
		if channel, err = gc.GroupChannel(ctx, g.ID); err != nil {
			return fmt.Errorf("find the channel of group %s: %w", g.ID, err)
		}
	}
	return e.Delete(ctx, g.Platform, channel, messageIDs)
}

// Capabilities implements community.Enforcer with what p's adapter says
// its platform's sanctions do.
func (e *enforcer) Capabilities(p community.Platform) community.ModerationCapabilities {
	return e.router.Capabilities(p).Moderation
}

// Moderates implements community.Enforcer: an adapter running here
// moderates p.
func (e *enforcer) Moderates(p community.Platform) bool {
	_, ok := e.router.Moderator(p)
	return ok
}

func (e *enforcer) moderator(p community.Platform) (Moderator, error) {
	mod, ok := e.router.Moderator(p)
	if !ok {
		return nil, community.Errorf(community.EInvalid, "mod.no_platform", map[string]any{"Platform": string(p)}, "Hearth cannot moderate on %s", p)
	}
	return mod, nil
}

// rights name the administrator right each action needs.
var rights = map[string]string{"mute": "restrict", "unmute": "restrict", "ban": "ban", "unban": "ban", "kick": "kick", "delete": "delete"}

// explain turns a platform's refusal into a message for staff: the
// target is protected (an administrator), or Hearth lacks the right the
// action needs in that group.
func (e *enforcer) explain(ctx context.Context, err error, verb string, g community.Group) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrProtected):
		return &community.Error{Code: community.EForbidden, Key: "mod.protected." + verb, Msg: err.Error()}
	case errors.Is(err, ErrNoRights):
		return &community.Error{Code: community.EForbidden, Key: "mod.no_rights." + rights[verb], Msg: err.Error(),
			Data: map[string]any{"Group": e.groupName(ctx, g)}}
	case outbox.IsPermanent(err):
		return refusedForGood{err}
	}
	return err
}

// refusedForGood marks a platform's permanent refusal as
// community.ErrRefusedForGood, its message unchanged.
type refusedForGood struct{ error }

func (r refusedForGood) Is(target error) bool { return target == community.ErrRefusedForGood }

func (r refusedForGood) Unwrap() error { return r.error }

// groupName is a group's title as Hearth knows it, else its id.
func (e *enforcer) groupName(ctx context.Context, g community.Group) string {
	chats, err := e.store.ModerationGroups(ctx, g.Platform)
	if err == nil {
		for _, c := range chats {
			if c.PlatformID == g.ID && c.Title != "" {
				return c.Title
			}
		}
	}
	return g.ID
}
