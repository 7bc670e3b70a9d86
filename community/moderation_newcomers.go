package community

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// CaptchaMuteGrace keeps a newcomer muted a while past their captcha's
// deadline, so that the expiry job removes them before the platform lifts
// the mute by itself; if Hearth is down, the mute still ends.
const CaptchaMuteGrace = 10 * time.Minute

// Why a newcomer whose captcha ran out could not be removed
// (CaptchaFailure.Problem).
const (
	ProblemNoRights    = "no_rights"   // Hearth lacks the right, or the platform refuses for good
	ProblemProtected   = "protected"   // an administrator or the owner
	ProblemUnsupported = "unsupported" // Hearth cannot moderate on the platform
)

// ErrRefusedForGood is what an enforcer's error wraps when the platform
// will never accept the request as it stands: trying again is pointless.
var ErrRefusedForGood = errors.New("the platform refuses this for good")

// Refusal says why the platform refused an action for good:
// ProblemProtected, ProblemNoRights, or "" for a failure worth trying
// again (or no failure).
func Refusal(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Code == EForbidden {
		if strings.HasPrefix(e.Key, "mod.protected.") {
			return ProblemProtected
		}
		return ProblemNoRights
	}
	if errors.Is(err, ErrRefusedForGood) {
		return ProblemNoRights
	}
	return ""
}

// NewcomerEnforcer carries a captcha's sanctions out on the platforms;
// the chat layer's enforcer implements it.
type NewcomerEnforcer interface {
	Enforce(ctx context.Context, kind SanctionKind, g Group, userID string, until time.Time) error
	// Unmute lets a user write again, whether or not the platform says
	// they are muted.
	Unmute(ctx context.Context, g Group, userID string) error
	// DeleteInGroup deletes messages Hearth posted to group g, in the
	// channel they went to.
	DeleteInGroup(ctx context.Context, g Group, messageIDs []string) error
	// Moderates reports whether Hearth runs p here and can act there.
	Moderates(p Platform) bool
}

// Newcomers are the sanctions of the join captcha: a newcomer is held
// (muted) until they prove they are human, released when they do, and
// removed when their captcha runs out first.
type Newcomers struct {
	enforcer NewcomerEnforcer
	log      *slog.Logger // what fails that nothing depends on
}

// NewNewcomers returns the captcha's sanctions, carried out by enforcer;
// failures nothing depends on (deleting a captcha message) go to log.
func NewNewcomers(enforcer NewcomerEnforcer, log *slog.Logger) *Newcomers {
	return &Newcomers{enforcer: enforcer, log: log}
}

func groupOfJoin(j Join) Group { return Group{Platform: j.Platform, ID: j.Group} }

// Hold mutes a newcomer until their captcha's deadline and
// CaptchaMuteGrace. A platform's refusal for good is returned as refused:
// the captcha stands, and its timeout still applies. Any other failure is
// err, to try again. Where Hearth cannot moderate, nothing is done.
func (n *Newcomers) Hold(ctx context.Context, j Join) (refused, err error) {
	if !n.enforcer.Moderates(j.Platform) {
		return nil, nil
	}
	err = n.enforcer.Enforce(ctx, SanctionMute, groupOfJoin(j), j.UserID, j.Deadline.Add(CaptchaMuteGrace))
	if err != nil && Refusal(err) == "" {
		return nil, fmt.Errorf("mute %s in %s until their captcha is solved: %w", j.UserID, j.Group, err)
	}
	return err, nil
}

// Release lets a newcomer who solved their captcha write again. Missing
// rights or a protected newcomer are returned as refused: Hearth could not
// mute them either, so there is nothing to lift. Any other failure is err.
func (n *Newcomers) Release(ctx context.Context, j Join) (refused, err error) {
	if !n.enforcer.Moderates(j.Platform) {
		return nil, nil
	}
	err = n.enforcer.Unmute(ctx, groupOfJoin(j), j.UserID)
	if err != nil && ErrorCode(err) != EForbidden {
		return nil, fmt.Errorf("unmute %s in %s after their captcha: %w", j.UserID, j.Group, err)
	}
	return err, nil
}

// Remove removes from the group a newcomer whose captcha ran out; they
// may come back. A removal the platform refuses for good, or cannot make,
// says why in the failure for staff; any other failure is an error, to
// try again.
func (n *Newcomers) Remove(ctx context.Context, j Join) (CaptchaFailure, error) {
	if !n.enforcer.Moderates(j.Platform) {
		return CaptchaFailure{Problem: ProblemUnsupported}, nil
	}
	var out CaptchaFailure
	err := n.enforcer.Enforce(ctx, SanctionKick, groupOfJoin(j), j.UserID, time.Time{})
	switch out.Problem = Refusal(err); {
	case err == nil:
		out.Removed = true
	case out.Problem == "":
		return out, fmt.Errorf("remove %s from %s: %w", j.UserID, j.Group, err)
	}
	return out, nil
}

// Expired removes a newcomer whose captcha ran out, as Remove decides,
// and deletes the captcha message. On a platform this process does not
// run it is an error: a replica that runs it will settle it.
func (n *Newcomers) Expired(ctx context.Context, j Join) (CaptchaFailure, error) {
	if !n.enforcer.Moderates(j.Platform) {
		return CaptchaFailure{}, fmt.Errorf("%s is not connected in this process", j.Platform)
	}
	out, err := n.Remove(ctx, j)
	if err != nil {
		return out, err
	}
	if !out.Removed {
		n.log.Warn("remove a newcomer whose captcha ran out", "platform", j.Platform, "group", j.Group, "user", j.UserID, "problem", out.Problem)
	}
	n.deleteMessages(ctx, groupOfJoin(j), j.CaptchaMessages)
	return out, nil
}

// Left tidies up after a newcomer who left before solving their captcha:
// the captcha message goes and the mute is lifted, should they come back.
func (n *Newcomers) Left(ctx context.Context, j Join) {
	if !n.enforcer.Moderates(j.Platform) {
		return
	}
	n.deleteMessages(ctx, groupOfJoin(j), j.CaptchaMessages)
	if err := n.enforcer.Unmute(ctx, groupOfJoin(j), j.UserID); err != nil {
		n.log.Warn("unmute a newcomer who left", "platform", j.Platform, "group", j.Group, "user", j.UserID, "error", err)
	}
}

// deleteWelcome deletes a replaced welcome and reports whether it is done
// with: deleted, or one Hearth may not delete. One that failed otherwise,
// or is on a platform not run here, is tried again later.
func (n *Newcomers) deleteWelcome(ctx context.Context, w StaleWelcome) bool {
	if !n.enforcer.Moderates(w.Platform) {
		return false
	}
	if len(w.Messages) == 0 {
		return true
	}
	err := n.enforcer.DeleteInGroup(ctx, Group{Platform: w.Platform, ID: w.Group}, w.Messages)
	if err != nil && Refusal(err) == "" {
		n.log.Warn("delete a replaced welcome", "platform", w.Platform, "group", w.Group, "error", err)
		return false
	}
	return true
}

// deleteMessages deletes onboarding messages in a group; a failure is
// logged, as nothing depends on it.
func (n *Newcomers) deleteMessages(ctx context.Context, g Group, ids []string) {
	if len(ids) == 0 {
		return
	}
	if err := n.enforcer.DeleteInGroup(ctx, g, ids); err != nil {
		n.log.Warn("delete onboarding messages", "platform", g.Platform, "group", g.ID, "messages", ids, "error", err)
	}
}
