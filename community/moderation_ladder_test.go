package community

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestWarningsClimbTheLadder: the third warning mutes for the step's
// hour in every group, the fifth bans; each warning expires after
// WarnExpiry; the staff log gets the warning, then the ladder's
// sanction.
func TestWarningsClimbTheLadder(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	var outs []Outcome
	for range 5 {
		out, err := w.mod.Warn(ctx, Act{By: modAlice, Member: modBob, Groups: w.both(), Reason: "rude"})
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
		w.now = w.now.Add(time.Minute)
	}
	if outs[0].Active != 1 || outs[0].Sanction != nil || outs[0].Warning.Expires != outs[0].Warning.At.Add(30*24*time.Hour) {
		t.Errorf("first warning: %+v", outs[0])
	}
	third := outs[2]
	if third.Active != 3 || third.Sanction == nil || third.Sanction.Kind != SanctionMute || third.Sanction.Until.Sub(third.Sanction.At) != time.Hour ||
		third.Step == nil || !slices.Equal(third.Groups, w.both()) || third.Guarded {
		t.Errorf("third warning: %+v, want a mute for an hour in both groups", third)
	}
	if fifth := outs[4]; fifth.Sanction == nil || fifth.Sanction.Kind != SanctionBan || !fifth.Sanction.Until.IsZero() {
		t.Errorf("fifth warning: %+v, want a ban for good", fifth)
	}
	want := []ActionKind{ActionWarn, ActionWarn, ActionWarn, ActionMute, ActionWarn, ActionWarn, ActionBan}
	if got := w.store.kinds(); !slices.Equal(got, want) {
		t.Errorf("staff log %v, want %v", got, want)
	}
	if a := w.store.actions[3]; !a.Ladder || a.Active != 3 || a.Sanction == 0 {
		t.Errorf("the ladder's mute in the log: %+v", a)
	}
	if got := w.platforms.calls[:2]; !slices.Equal(got, []string{"mute telegram:-100 t2 until 11-23 13:02", "mute discord:900 d2 until 11-23 13:02"}) {
		t.Errorf("platform calls %v", got)
	}
	// Warnings expire: a month later Bob starts again from one.
	w.now = w.now.Add(31 * 24 * time.Hour)
	if out, err := w.mod.Warn(ctx, Act{By: modAlice, Member: modBob, Groups: w.both()}); err != nil || out.Active != 1 {
		t.Errorf("a warning a month later: %+v, %v; want the first active one", out, err)
	}
}

// TestGuardrailNeverBansAVIP: where the ladder would ban a VIP, they are
// muted for as long and staff are asked to review; staff then ban after
// all (the guardrail's mute is over), lift the mute, or dismiss.
func TestGuardrailNeverBansAVIP(t *testing.T) {
	rules := DefaultModerationRules()
	rules.Ladder = []LadderStep{{Warnings: 1, Action: SanctionBan, For: 48 * time.Hour}}
	ctx := context.Background()
	for _, c := range []struct {
		decision  string
		wantKinds []ActionKind
		wantSaved string // the review's status
	}{
		{ReviewBan, []ActionKind{ActionWarn, ActionMute, ActionBan}, "banned"},
		{ReviewLift, []ActionKind{ActionWarn, ActionMute, ActionUnmute}, "lifted"},
		{ReviewDismiss, []ActionKind{ActionWarn, ActionMute, ActionDismiss}, "dismissed"},
	} {
		t.Run(c.decision, func(t *testing.T) {
			w := newModWorld(rules)
			out, err := w.mod.Warn(ctx, Act{Member: modVera, Groups: w.both(), Reason: "spam", Rule: RuleBlocklist})
			if err != nil {
				t.Fatal(err)
			}
			if !out.Guarded || out.Sanction.Kind != SanctionMute || out.Sanction.Until != w.now.Add(48*time.Hour) || out.Review == nil ||
				out.Review.BanFor != 48*time.Hour || out.Review.Sanction != out.Sanction.ID {
				t.Fatalf("a VIP at the ban step: %+v, want a 48h mute and a review", out)
			}
			mute := out.Sanction.ID
			rv, _, err := w.mod.DecideReview(ctx, modAlice, out.Review.ID, c.decision)
			if err != nil || rv.ID != out.Review.ID {
				t.Fatalf("decide %s: %+v, %v", c.decision, rv, err)
			}
			if got := w.store.kinds(); !slices.Equal(got, c.wantKinds) {
				t.Errorf("staff log %v, want %v", got, c.wantKinds)
			}
			if got, _ := w.mod.store.Review(ctx, rv.ID); got.Status != c.wantSaved {
				t.Errorf("review %q, want %q", got.Status, c.wantSaved)
			}
			muted, _ := w.store.Sanction(ctx, mute)
			if over := !muted.Lifted.IsZero(); over != (c.decision != ReviewDismiss) {
				t.Errorf("the guardrail's mute over: %v after %s", over, c.decision)
			}
			if _, _, err := w.mod.DecideReview(ctx, modAlice, rv.ID, c.decision); modErrKey(err) != "mod.settled" {
				t.Errorf("deciding again: %v, want mod.settled", err)
			}
		})
	}
	w := newModWorld(rules)
	out, _ := w.mod.Warn(ctx, Act{Member: modVera, Groups: w.both()})
	if _, _, err := w.mod.DecideReview(ctx, modAlice, out.Review.ID, "maybe"); err == nil {
		t.Error("an unknown decision was taken")
	}
}

// TestStaffAreNeverSanctioned: staff cannot be warned, muted or reported.
func TestStaffAreNeverSanctioned(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	if _, err := w.mod.Warn(ctx, Act{Member: modAlice, Groups: w.both()}); ErrorCode(err) != EForbidden || modErrKey(err) != "mod.target_staff" {
		t.Errorf("warn staff: %v", err)
	}
	if _, err := w.mod.Mute(ctx, Act{By: modBob, Member: modAlice, Groups: w.both()}); ErrorCode(err) != EForbidden {
		t.Errorf("mute staff: %v", err)
	}
	if _, err := w.mod.FileReport(ctx, Report{Reporter: modBob, Reported: modAlice}); modErrKey(err) != "report.staff" {
		t.Errorf("report staff: %v", err)
	}
	if len(w.store.saved) != 0 || len(w.platforms.calls) != 0 {
		t.Errorf("saved %v, called %v", w.store.saved, w.platforms.calls)
	}
}
