package community

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// newcomerRefusals are the ways a platform can refuse to mute, unmute or
// kick a newcomer, and what Hold, Release and Remove make of each: refused
// (staff are told), retried (an error), or a removal problem.
var newcomerRefusals = []struct {
	name                   string
	refusal                error
	holdRefused, holdRetry bool
	releaseRetry           bool
	problem                string
	removeRetry            bool
}{
	{name: "protected", refusal: Errorf(EForbidden, "mod.protected.kick", nil, "an administrator"), holdRefused: true, problem: ProblemProtected},
	{name: "no rights", refusal: Errorf(EForbidden, "mod.no_rights.restrict", nil, "no rights"), holdRefused: true, problem: ProblemNoRights},
	{name: "refused for good", refusal: fmt.Errorf("bad request: %w", ErrRefusedForGood), holdRefused: true, releaseRetry: true, problem: ProblemNoRights},
	{name: "down", refusal: errors.New("telegram is down"), holdRetry: true, releaseRetry: true, removeRetry: true},
}

// TestNewcomersHeldReleasedRemoved: a newcomer is muted until their
// captcha's deadline and the grace, let write again once they solve it,
// and removed when it runs out; refusals for good are reported, not
// retried, and other failures are errors to retry.
func TestNewcomersHeldReleasedRemoved(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	j := Join{Platform: Telegram, Group: "-100", UserID: "42", At: at, Deadline: at.Add(5 * time.Minute)}
	p := newFakePlatforms()
	n := NewNewcomers(p, discardLog)
	if refused, err := n.Hold(ctx, j); refused != nil || err != nil {
		t.Fatalf("hold: %v, %v", refused, err)
	}
	if refused, err := n.Release(ctx, j); refused != nil || err != nil {
		t.Fatalf("release: %v, %v", refused, err)
	}
	if out, err := n.Remove(ctx, j); err != nil || !out.Removed || out.Problem != "" {
		t.Fatalf("remove: %+v, %v", out, err)
	}
	want := []string{"mute telegram:-100 42 until 11-23 12:15", "unmute telegram:-100 42", "kick telegram:-100 42"}
	if !slices.Equal(p.calls, want) {
		t.Errorf("calls %v, want %v", p.calls, want)
	}

	for _, c := range newcomerRefusals {
		t.Run(c.name, func(t *testing.T) {
			p := newFakePlatforms()
			for _, verb := range []string{"mute", "unmute", "kick"} {
				p.refuse[verb+" telegram:-100"] = c.refusal
			}
			n := NewNewcomers(p, discardLog)
			refused, err := n.Hold(ctx, j)
			if (refused != nil) != c.holdRefused || (err != nil) != c.holdRetry {
				t.Errorf("hold: refused %v, err %v", refused, err)
			}
			if _, err := n.Release(ctx, j); (err != nil) != c.releaseRetry {
				t.Errorf("release: err %v", err)
			}
			out, err := n.Remove(ctx, j)
			if out.Removed || out.Problem != c.problem || (err != nil) != c.removeRetry {
				t.Errorf("remove: %+v, %v; want problem %q", out, err, c.problem)
			}
		})
	}

	p = newFakePlatforms()
	p.moderated = map[Platform]bool{}
	n = NewNewcomers(p, discardLog)
	refused, err := n.Hold(ctx, j)
	_, err2 := n.Release(ctx, j)
	out, err3 := n.Remove(ctx, j)
	if refused != nil || err != nil || err2 != nil || err3 != nil || out.Problem != ProblemUnsupported || len(p.calls) != 0 {
		t.Errorf("where Hearth cannot moderate: %v %v %v %+v %v, calls %v", refused, err, err2, out, err3, p.calls)
	}
}
