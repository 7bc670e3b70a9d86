package community

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestExpireLiftsWhatPlatformsDoNotEnd: when a sanction's time is up,
// Hearth lifts it where the platform does not end it by itself (a Discord
// ban, a Telegram ban past Telegram's 366 days) unless another sanction
// still keeps the member out there, and records every one as ended; one
// lifted by hand meanwhile is ended all the same; a failed lift is tried
// again on the next run.
func TestExpireLiftsWhatPlatformsDoNotEnd(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	ban := func(m MemberID, groups []Group, d time.Duration) Sanction {
		t.Helper()
		out, err := w.mod.Ban(ctx, Act{By: modAlice, Member: m, Groups: groups, For: d})
		if err != nil {
			t.Fatal(err)
		}
		return *out.Sanction
	}
	short := ban(modBob, w.both(), 2*time.Hour)
	long := ban(modVera, []Group{w.tg}, 400*24*time.Hour)
	ban(modBob, []Group{w.dc}, 0) // for good: Discord keeps Bob out
	delete(w.platforms.in, "ban discord:900 d2")
	w.now = w.now.Add(3 * time.Hour)
	w.platforms.calls = nil
	if n, err := w.mod.Expire(ctx); n != 1 || err != nil {
		t.Fatalf("expire after 3 hours: %d, %v; want the 2-hour ban ended", n, err)
	}
	if len(w.platforms.calls) != 0 {
		t.Errorf("calls %v: Telegram ends its ban, and Bob stays banned on Discord", w.platforms.calls)
	}
	if s, _ := w.store.Sanction(ctx, short.ID); s.Lifted.IsZero() {
		t.Error("the 2-hour ban is not recorded as ended")
	}
	if last := w.store.actions[len(w.store.actions)-1]; last.Kind != ActionUnban || !last.Expired || last.Sanction != short.ID || len(last.Groups) != 2 {
		t.Errorf("the end in the log: %+v", last)
	}
	w.now = w.now.Add(400 * 24 * time.Hour)
	w.platforms.refuse["lift ban telegram:-100"] = errors.New("telegram is down")
	if n, err := w.mod.Expire(ctx); n != 0 || err == nil || !strings.Contains(err.Error(), "telegram is down") {
		t.Errorf("expire with Telegram down: %d, %v", n, err)
	}
	delete(w.platforms.refuse, "lift ban telegram:-100")
	if n, err := w.mod.Expire(ctx); n != 1 || err != nil {
		t.Errorf("expire again: %d, %v", n, err)
	}
	if !slices.Contains(w.platforms.calls, "lift ban telegram:-100 t3") {
		t.Errorf("calls %v: want Hearth to lift the ban Telegram keeps for ever", w.platforms.calls)
	}
	if s, _ := w.store.Sanction(ctx, long.ID); s.Lifted.IsZero() {
		t.Error("the 400-day ban is not recorded as ended")
	}
	w.store.fail = errors.New("database down")
	if _, err := w.mod.Expire(ctx); err == nil {
		t.Error("expire without its sanctions")
	}
}

// TestExpireEndsWhatWasLiftedByHand: a sanction the platform no longer
// has is recorded as ended without a failure.
func TestExpireEndsWhatWasLiftedByHand(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	out, err := w.mod.Ban(ctx, Act{By: modAlice, Member: modBob, Groups: []Group{w.dc}, For: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	clear(w.platforms.in) // unbanned by hand on Discord
	w.now = w.now.Add(2 * time.Hour)
	if n, err := w.mod.Expire(ctx); n != 1 || err != nil {
		t.Fatalf("expire: %d, %v", n, err)
	}
	if s, _ := w.store.Sanction(ctx, out.Sanction.ID); s.Lifted.IsZero() {
		t.Error("a ban lifted by hand is still in force")
	}
}

// TestExpireRenewsCappedMutes: a 40-day mute on Discord, which caps
// timeouts at 28 days, is told to Discord again before the cap runs out,
// until its end, and needs no more renewals after that.
func TestExpireRenewsCappedMutes(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	out, err := w.mod.Mute(ctx, Act{By: modAlice, Member: modBob, Groups: w.both(), For: 40 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	end := out.Sanction.Until
	w.now = out.Sanction.RenewAt
	w.platforms.calls = nil
	if n, err := w.mod.Expire(ctx); n != 0 || err != nil {
		t.Fatalf("expire at the renewal: %d, %v", n, err)
	}
	if want := []string{"mute discord:900 d2 until " + end.Format("01-02 15:04")}; !slices.Equal(w.platforms.calls, want) {
		t.Errorf("calls %v, want %v", w.platforms.calls, want)
	}
	if s, _ := w.store.Sanction(ctx, out.Sanction.ID); !s.RenewAt.IsZero() {
		t.Errorf("renew again at %v; the rest fits in Discord's cap", s.RenewAt)
	}
	w.now = end.Add(time.Minute)
	if n, err := w.mod.Expire(ctx); n != 1 || err != nil {
		t.Errorf("expire at the end: %d, %v", n, err)
	}
}
