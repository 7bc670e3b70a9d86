package community

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// TestSanctionsWhereTheyWork: a mute, ban or kick is carried out in every
// group; one refused in some groups is recorded where it worked and says
// why it failed elsewhere; one refused everywhere records nothing.
func TestSanctionsWhereTheyWork(t *testing.T) {
	ctx := context.Background()
	refused := errors.New("no rights there")
	for _, c := range []struct {
		name       string
		do         func(m *Moderation) func(context.Context, Act) (Outcome, error)
		refuse     []string
		wantGroups int
		wantErr    string
		wantUntil  bool
	}{
		{name: "mute", do: func(m *Moderation) func(context.Context, Act) (Outcome, error) { return m.Mute }, wantGroups: 2, wantUntil: true},
		{name: "ban", do: func(m *Moderation) func(context.Context, Act) (Outcome, error) { return m.Ban }, wantGroups: 2, wantUntil: true},
		{name: "kick", do: func(m *Moderation) func(context.Context, Act) (Outcome, error) { return m.Kick }, wantGroups: 2},
		{name: "mute refused on Discord", do: func(m *Moderation) func(context.Context, Act) (Outcome, error) { return m.Mute },
			refuse: []string{"mute discord:900"}, wantGroups: 1, wantUntil: true},
		{name: "ban refused everywhere", do: func(m *Moderation) func(context.Context, Act) (Outcome, error) { return m.Ban },
			refuse: []string{"ban discord:900", "ban telegram:-100"}, wantErr: "no rights there"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newModWorld(DefaultModerationRules())
			for _, r := range c.refuse {
				w.platforms.refuse[r] = refused
			}
			out, err := c.do(w.mod)(ctx, Act{By: modAlice, Member: modBob, Groups: w.both(), Reason: "spam", For: 2 * time.Hour})
			if modErrKey(err) != c.wantErr {
				t.Fatalf("got %v, want %q", err, c.wantErr)
			}
			if c.wantErr != "" {
				if len(w.store.sanctions) != 0 || len(w.store.actions) != 0 {
					t.Errorf("a sanction refused everywhere was saved: %+v", w.store.sanctions)
				}
				return
			}
			s := out.Sanction
			if len(out.Groups) != c.wantGroups || len(s.Groups) != c.wantGroups || s.ID == 0 || s.Reason != "spam" || s.By != modAlice {
				t.Errorf("sanction %+v in %v", s, out.Groups)
			}
			if hasUntil := !s.Until.IsZero() && s.Lifted.IsZero(); hasUntil != c.wantUntil {
				t.Errorf("sanction %+v: timed and in force %v, want %v", s, hasUntil, c.wantUntil)
			}
			if (out.Failed != nil) != (len(c.refuse) > 0) {
				t.Errorf("failed %v with refusals %v", out.Failed, c.refuse)
			}
		})
	}
}

// TestAutomodDoesNotMuteTwice: automod does not mute again a member muted
// already in the groups, but staff may.
func TestAutomodDoesNotMuteTwice(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	if _, err := w.mod.Mute(ctx, Act{By: modAlice, Member: modBob, Groups: []Group{w.tg}, For: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.mod.Mute(ctx, Act{Member: modBob, Groups: []Group{w.tg}, Rule: RuleFlood, For: time.Hour}); modErrKey(err) != "mod.already_muted" {
		t.Errorf("automod muting a muted member: %v, want mod.already_muted", err)
	}
	if _, err := w.mod.Mute(ctx, Act{Member: modBob, Groups: w.both(), Rule: RuleFlood, For: time.Hour}); err != nil {
		t.Errorf("automod muting where the member is not muted yet: %v", err)
	}
	if _, err := w.mod.Mute(ctx, Act{By: modAlice, Member: modBob, Groups: []Group{w.tg}}); err != nil {
		t.Errorf("staff muting again: %v", err)
	}
}

// TestLongMutesAreRenewedOnCappingPlatforms: a mute longer than a
// platform's cap is renewed an hour before the platform would end it; an
// open-ended one too; a short one, or one on a platform with no cap, not.
func TestLongMutesAreRenewedOnCappingPlatforms(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	for _, c := range []struct {
		groups []Group
		d      time.Duration
		want   time.Duration // after now; 0: none
	}{
		{[]Group{w.tg, w.dc}, 40 * 24 * time.Hour, 28*24*time.Hour - time.Hour},
		{[]Group{w.dc}, 0, 28*24*time.Hour - time.Hour},
		{[]Group{w.dc}, 27 * 24 * time.Hour, 0},
		{[]Group{w.tg}, 400 * 24 * time.Hour, 0},
	} {
		out, err := w.mod.Mute(ctx, Act{By: modAlice, Member: modBob, Groups: c.groups, For: c.d})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Sanction.RenewAt; c.want == 0 && !got.IsZero() || c.want != 0 && got != w.now.Add(c.want) {
			t.Errorf("mute of %s in %v renews at %v, want now + %s", c.d, c.groups, got, c.want)
		}
	}
}

// TestUnwarnAndUndo: /unwarn removes the latest warning; the log's Undo
// removes a warning or lifts a mute or ban, and refuses a kick, a purge
// or an action undone already.
func TestUnwarnAndUndo(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	if _, err := w.mod.Unwarn(ctx, modAlice, modBob, 0, false); modErrKey(err) != "mod.no_warnings" || ErrorCode(err) != ENotFound {
		t.Errorf("unwarn with no warnings: %v", err)
	}
	first, _ := w.mod.Warn(ctx, Act{By: modAlice, Member: modBob, Groups: w.both(), Reason: "one"})
	second, _ := w.mod.Warn(ctx, Act{By: modAlice, Member: modBob, Groups: w.both(), Reason: "two"})
	out, err := w.mod.Unwarn(ctx, modAlice, modBob, 0, false)
	if err != nil || out.Warning.ID != second.Warning.ID || out.Active != 1 {
		t.Errorf("unwarn: %+v, %v; want the latest warning removed", out, err)
	}
	warnLog := w.store.actions[0].Log
	if a, err := w.mod.Undo(ctx, modAlice, warnLog); err != nil || a.Warning != first.Warning.ID {
		t.Errorf("undo the first warning: %+v, %v", a, err)
	}
	if _, err := w.mod.Undo(ctx, modAlice, warnLog); modErrKey(err) != "mod.no_warnings" {
		t.Errorf("undo a removed warning, with none active: %v, want mod.no_warnings", err)
	}
	if _, err := w.mod.Warn(ctx, Act{By: modAlice, Member: modBob, Groups: w.both(), Reason: "three"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.mod.Undo(ctx, modAlice, warnLog); modErrKey(err) != "mod.already_lifted" {
		t.Errorf("undo a removed warning: %v, want mod.already_lifted", err)
	}
	mute, _ := w.mod.Mute(ctx, Act{By: modAlice, Member: modBob, Groups: w.both(), For: time.Hour})
	muteLog := w.store.actions[len(w.store.actions)-1].Log
	if a, err := w.mod.Undo(ctx, modAlice, muteLog); err != nil || a.Sanction != mute.Sanction.ID {
		t.Errorf("undo a mute: %+v, %v", a, err)
	}
	if last := w.store.actions[len(w.store.actions)-1]; last.Kind != ActionUnmute || !last.Undo || len(last.Groups) != 2 {
		t.Errorf("the undo in the log: %+v", last)
	}
	if s, _ := w.store.Sanction(ctx, mute.Sanction.ID); s.Lifted.IsZero() {
		t.Error("the mute undone is still in force")
	}
	if _, err := w.mod.Undo(ctx, modAlice, w.store.actions[len(w.store.actions)-1].Log); modErrKey(err) != "mod.cannot_undo" {
		t.Errorf("undo an undo: %v, want mod.cannot_undo", err)
	}
	kick, _ := w.mod.Kick(ctx, Act{By: modAlice, Member: modBob, Groups: w.both()})
	if _, _, err := w.mod.UndoSanction(ctx, modAlice, kick.Sanction.ID); modErrKey(err) != "mod.cannot_undo" {
		t.Errorf("undo a kick: %v, want mod.cannot_undo", err)
	}
	if _, err := w.mod.Undo(ctx, modAlice, 999); ErrorCode(err) != ENotFound {
		t.Errorf("undo an action not logged: %v", err)
	}
	if _, _, err := w.mod.UndoSanction(ctx, modAlice, 999); ErrorCode(err) != ENotFound {
		t.Errorf("undo a sanction not recorded: %v", err)
	}
	if _, err := w.mod.UndoWarning(ctx, modAlice, 999); ErrorCode(err) != ENotFound {
		t.Errorf("undo a warning not recorded: %v", err)
	}
}

// TestStaffChatSanctionsReachEveryGroup: used in a group, a sanction
// applies there; from the staff chat, in every group Hearth moderates on
// the platforms where the member has an account.
func TestStaffChatSanctionsReachEveryGroup(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	bobOnTelegram := Member{ID: modBob, DisplayName: "Bob", Identities: []Identity{{Account: Account{Platform: Telegram, UserID: "t2"}}}}
	w.store.groups[Telegram] = append(w.store.groups[Telegram], Chat{Platform: Telegram, PlatformID: "-200"})
	for _, c := range []struct {
		name    string
		member  Member
		at      Place
		off     Platform // a platform Hearth does not moderate here
		want    []Group
		wantErr string
	}{
		{name: "in a group", member: w.store.members[modBob], at: Place{Group: w.dc}, want: []Group{w.dc}},
		{name: "from the staff chat", member: w.store.members[modBob], at: Place{StaffChat: true},
			want: []Group{w.tg, {Platform: Telegram, ID: "-200"}, w.dc}},
		{name: "only their platforms", member: bobOnTelegram, at: Place{StaffChat: true}, want: []Group{w.tg, {Platform: Telegram, ID: "-200"}}},
		{name: "only platforms moderated here", member: w.store.members[modBob], at: Place{StaffChat: true}, off: Telegram, want: []Group{w.dc}},
		{name: "nowhere", member: bobOnTelegram, at: Place{StaffChat: true}, off: Telegram, wantErr: "mod.no_groups"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w.platforms.moderated = map[Platform]bool{Telegram: c.off != Telegram, Discord: c.off != Discord}
			got, err := w.mod.Scope(ctx, c.member, c.at)
			if modErrKey(err) != c.wantErr || !slices.Equal(got, c.want) {
				t.Errorf("scope %v, %v; want %v, %q", got, err, c.want, c.wantErr)
			}
		})
	}
	w.store.fail = errors.New("database down")
	if _, err := w.mod.Scope(ctx, w.store.members[modBob], Place{StaffChat: true}); err == nil {
		t.Error("a scope without its groups")
	}
}
