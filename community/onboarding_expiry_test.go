package community

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"
)

var discardLog = slog.New(slog.DiscardHandler)

func (p *fakePlatforms) DeleteInGroup(_ context.Context, g Group, ids []string) error {
	return p.call("delete", g, fmt.Sprint(ids), time.Time{})
}

// captchaStoreFake keeps the captchas that ran out and the stale
// welcomes of an OnboardingStore; the rest of it is not used here.
type captchaStoreFake struct {
	OnboardingStore
	expired []Join
	settled []CaptchaFailure
	stale   []StaleWelcome
	cleared []JoinID
}

func (s *captchaStoreFake) ClaimExpiredCaptchas(_ context.Context, _ time.Time, _ time.Duration, limit int) ([]Join, error) {
	return s.expired[:min(limit, len(s.expired))], nil
}

func (s *captchaStoreFake) CaptchaExpired(_ context.Context, f CaptchaFailure, _ time.Time) error {
	s.settled = append(s.settled, f)
	return nil
}

func (s *captchaStoreFake) StaleWelcomes(_ context.Context, p Platform, group string, limit int) ([]StaleWelcome, error) {
	var out []StaleWelcome
	for _, w := range s.stale {
		if p == "" || w.Platform == p && w.Group == group {
			out = append(out, w)
		}
	}
	return out[:min(limit, len(out))], nil
}

func (s *captchaStoreFake) WelcomesCleared(_ context.Context, joins []JoinID, _ time.Time) error {
	s.cleared = append(s.cleared, joins...)
	return nil
}

func expiredJoin(id JoinID, p Platform, group string) Join {
	return Join{ID: id, Platform: p, Group: group, UserID: fmt.Sprint("u", id), Member: MemberID(id), Name: "newcomer",
		Captcha: CaptchaPending, CaptchaMessages: []string{fmt.Sprint("m", id)}}
}

// TestCaptchaJobRemovesNewcomersWhoseCaptchaRanOut: the job kicks each
// newcomer whose captcha ran out, deletes the captcha and settles it with
// what happened (removed, or why not); a captcha on a platform this
// process does not run is left for a replica that runs it.
func TestCaptchaJobRemovesNewcomersWhoseCaptchaRanOut(t *testing.T) {
	store := &captchaStoreFake{expired: []Join{expiredJoin(1, Telegram, "-100"), expiredJoin(2, Discord, "g"), expiredJoin(3, Console, "room")}}
	p := newFakePlatforms()
	p.refuse["kick discord:g"] = Errorf(EForbidden, "mod.no_rights.kick", nil, "no rights")
	o := NewOnboarding(store, OnboardingRules{Captcha: true}, time.Now)
	err := o.Job(NewNewcomers(p, discardLog)).Run(context.Background())
	if err == nil {
		t.Error("the console captcha is not settled here, and the job says nothing")
	}
	want := []CaptchaFailure{
		{Join: 1, Member: 1, Name: "newcomer", Platform: Telegram, Group: "-100", Removed: true},
		{Join: 2, Member: 2, Name: "newcomer", Platform: Discord, Group: "g", Problem: ProblemNoRights},
	}
	if !slices.Equal(store.settled, want) {
		t.Errorf("settled %+v, want %+v", store.settled, want)
	}
	wantCalls := []string{"kick telegram:-100 u1", "delete telegram:-100 [m1]", "kick discord:g u2", "delete discord:g [m2]"}
	if !slices.Equal(p.calls, wantCalls) {
		t.Errorf("platform calls %q, want %q", p.calls, wantCalls)
	}
}

// TestStaleWelcomesAreDeletedOrGivenUp: a replaced welcome is deleted and
// marked cleared; one Hearth may not delete is given up (cleared too);
// one that failed otherwise, or is on a platform not run here, waits for
// the next run.
func TestStaleWelcomesAreDeletedOrGivenUp(t *testing.T) {
	store := &captchaStoreFake{stale: []StaleWelcome{
		{Join: 1, Platform: Telegram, Group: "-1", Messages: []string{"a"}},
		{Join: 2, Platform: Telegram, Group: "-2", Messages: []string{"b"}},
		{Join: 3, Platform: Telegram, Group: "-3", Messages: []string{"c"}},
		{Join: 4, Platform: Console, Group: "room", Messages: []string{"d"}},
		{Join: 5, Platform: Discord, Group: "g"}, // never sent
	}}
	p := newFakePlatforms()
	p.refuse["delete telegram:-2"] = fmt.Errorf("message can't be deleted: %w", ErrRefusedForGood)
	p.refuse["delete telegram:-3"] = errors.New("telegram is down")
	o := NewOnboarding(store, OnboardingRules{}, time.Now)
	if err := o.ClearStaleWelcomes(context.Background(), NewNewcomers(p, discardLog), "", ""); err != nil {
		t.Fatal(err)
	}
	if want := []JoinID{1, 2, 5}; !slices.Equal(store.cleared, want) {
		t.Errorf("cleared %v, want %v", store.cleared, want)
	}
}

// TestNewcomerWhoLeftIsTidiedUp: the captcha message of a newcomer who
// left goes and their mute is lifted; a failed unmute is only logged.
func TestNewcomerWhoLeftIsTidiedUp(t *testing.T) {
	p := newFakePlatforms()
	p.refuse["unmute telegram:-100"] = errors.New("telegram is down")
	n := NewNewcomers(p, discardLog)
	n.Left(context.Background(), expiredJoin(1, Telegram, "-100"))
	n.Left(context.Background(), expiredJoin(2, Console, "room"))
	if want := []string{"delete telegram:-100 [m1]", "unmute telegram:-100 u1"}; !slices.Equal(p.calls, want) {
		t.Errorf("platform calls %q, want %q", p.calls, want)
	}
}
