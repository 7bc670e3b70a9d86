package storage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
)

// onboardingFixture is a store with a Telegram group where members join,
// and the onboarding service on it with a clock the test moves.
type onboardingFixture struct {
	t     *testing.T
	s     *storage.Store
	ctx   context.Context
	now   time.Time
	svc   *community.Onboarding
	chat  community.ChatID
	seq   int
	rules community.OnboardingRules
}

func newOnboardingFixture(t *testing.T, rules community.OnboardingRules) *onboardingFixture {
	t.Helper()
	f := &onboardingFixture{t: t, s: newStore(t), ctx: context.Background(), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), rules: rules}
	f.svc = community.NewOnboarding(f.s, rules, func() time.Time { return f.now })
	return f
}

// member records a message of user in the group, which creates them.
func (f *onboardingFixture) member(user string) community.MemberID {
	f.t.Helper()
	f.seq++
	rec, err := f.s.RecordInbound(f.ctx, []inbox.Inbound{message("m"+user+string(rune('a'+f.seq)), user, "-100")})
	if err != nil {
		f.t.Fatal(err)
	}
	f.chat = rec[0].Chat
	return rec[0].Member
}

// join has user join the group as update key.
func (f *onboardingFixture) join(key, user string, staff bool) (community.Join, bool) {
	f.t.Helper()
	m := f.member(user)
	j, fresh, err := f.svc.Join(f.ctx, community.JoinInput{Join: community.Join{Platform: community.Telegram, Key: key, Group: "-100",
		Chat: f.chat, UserID: user, Member: m, Name: "User " + user, At: f.now}, Staff: staff, CanEnforce: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return j, fresh
}

// render marks every pending event rendered into one delivery, sent as
// message "msg-<delivery id>", as the dispatcher would.
func (f *onboardingFixture) render() {
	f.t.Helper()
	events, err := f.s.ClaimEvents(f.ctx, 100, time.Minute)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range events {
		if err := f.s.RenderedEvent(f.ctx, e, []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, ChatID: "-100"},
			Message: outbox.Message{Text: e.Kind}}}); err != nil {
			f.t.Fatal(err)
		}
	}
	dels, err := f.s.ClaimDeliveries(f.ctx, []community.Platform{community.Telegram}, 100, 100, time.Minute)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, d := range dels {
		if err := f.s.Delivered(f.ctx, d.ID, []string{fmt.Sprintf("msg-%d", d.ID)}); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *onboardingFixture) count(query string, args ...any) int {
	f.t.Helper()
	return count(f.t, f.s, query, args...)
}

// TestJoinIsRecordedOnceWithItsWelcome: a join queues one welcome event
// and one audit entry; the same update again changes nothing.
func TestJoinIsRecordedOnceWithItsWelcome(t *testing.T) {
	f := newOnboardingFixture(t, community.OnboardingRules{Welcome: true})
	j, fresh := f.join("u1", "100", false)
	if !fresh || j.Captcha != community.CaptchaNone || !j.Welcome || j.GroupTitle != "Group -100" {
		t.Fatalf("first join = %+v, fresh %v", j, fresh)
	}
	if again, fresh := f.join("u1", "100", false); fresh || again.ID != j.ID {
		t.Fatalf("the same update again = %+v, fresh %v; want the stored join", again, fresh)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM onboarding_joins`:                                 1,
		`SELECT count(*) FROM outbox_events WHERE kind = 'onboarding.welcome'`:  1,
		`SELECT count(*) FROM audit_log WHERE action = 'onboarding.welcomed'`:   1,
		`SELECT count(*) FROM outbox_events WHERE kind = 'onboarding.captcha'`:  0,
		`SELECT count(*) FROM onboarding_joins WHERE welcome_event IS NOT NULL`: 1,
	} {
		if got := f.count(query); got != want {
			t.Errorf("%s = %d, want %d", query, got, want)
		}
	}
}

// TestCaptchaIsForNewcomersOnly: staff and verified buyers are welcomed at
// once; anyone else gets a captcha due after the timeout; with neither
// welcome nor captcha nothing is recorded.
func TestCaptchaIsForNewcomersOnly(t *testing.T) {
	f := newOnboardingFixture(t, community.OnboardingRules{Welcome: true, Captcha: true, CaptchaTimeout: 5 * time.Minute})
	buyer := f.member("300")
	if err := f.s.LinkCustomer(f.ctx, buyer, "cust-1"); err != nil {
		t.Fatal(err)
	}
	importOrders(t, f.s, order("o-1", "cust-1", 3, 20))

	if j, _ := f.join("u-new", "100", false); j.Captcha != community.CaptchaPending || !j.Deadline.Equal(f.now.Add(5*time.Minute)) || j.Welcome {
		t.Errorf("a newcomer's join = %+v; want a captcha due in 5 minutes and no welcome yet", j)
	}
	if j, _ := f.join("u-staff", "200", true); j.Captcha != community.CaptchaNone || !j.Welcome {
		t.Errorf("staff's join = %+v; want a welcome and no captcha", j)
	}
	if j, _ := f.join("u-buyer", "300", false); j.Captcha != community.CaptchaNone || !j.Welcome {
		t.Errorf("a verified buyer's join = %+v; want a welcome and no captcha", j)
	}

	quiet := community.NewOnboarding(f.s, community.OnboardingRules{CaptchaTimeout: time.Minute}, time.Now)
	if _, fresh, err := quiet.Join(f.ctx, community.JoinInput{Join: community.Join{Platform: community.Telegram, Key: "u-quiet",
		Group: "-100", UserID: "100", Member: f.member("100"), At: f.now}}); err != nil || fresh {
		t.Errorf("join with welcome and captcha off: fresh %v, %v; want nothing recorded", fresh, err)
	}
	if n := f.count(`SELECT count(*) FROM onboarding_joins`); n != 3 {
		t.Errorf("%d joins recorded, want 3", n)
	}
}

// TestSolvingACaptcha: only the newcomer may solve their captcha; solving
// queues the welcome once, and pressing again is no error.
func TestSolvingACaptcha(t *testing.T) {
	f := newOnboardingFixture(t, community.OnboardingRules{Welcome: true, Captcha: true, CaptchaTimeout: time.Minute})
	j, _ := f.join("u1", "100", false)
	if _, err := f.svc.Solve(f.ctx, j.ID, "999"); community.ErrorCode(err) != community.EForbidden {
		t.Fatalf("solved by someone else: %v; want forbidden", err)
	}
	for range 2 {
		got, err := f.svc.Solve(f.ctx, j.ID, "100")
		if err != nil || got.Captcha != community.CaptchaSolved || !got.Welcome {
			t.Fatalf("solve = %+v, %v", got, err)
		}
	}
	if n := f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'onboarding.welcome'`); n != 1 {
		t.Errorf("%d welcome events after solving twice, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'onboarding.captcha_solved' AND actor_member_id = $1`, j.Member); n != 1 {
		t.Errorf("solving audited %d times, want 1", n)
	}
}

// TestExpiredCaptchasAreClaimedOnce: a captcha past its deadline is
// claimed by one caller only; while claimed it cannot be solved or
// cancelled; settled, it tells staff and audits; the captcha message's
// ids come with it.
func TestExpiredCaptchasAreClaimedOnce(t *testing.T) {
	f := newOnboardingFixture(t, community.OnboardingRules{Captcha: true, CaptchaTimeout: time.Minute})
	j, _ := f.join("u1", "100", false)
	f.render()
	if got, err := f.s.ClaimExpiredCaptchas(f.ctx, f.now.Add(30*time.Second), time.Minute, 10); err != nil || len(got) != 0 {
		t.Fatalf("claimed before the deadline: %v, %v", got, err)
	}
	later := f.now.Add(2 * time.Minute)
	first, err := f.s.ClaimExpiredCaptchas(f.ctx, later, time.Minute, 10)
	if err != nil || len(first) != 1 || first[0].ID != j.ID || len(first[0].CaptchaMessages) != 1 {
		t.Fatalf("first claim = %+v, %v; want the join with its captcha message", first, err)
	}
	if again, err := f.s.ClaimExpiredCaptchas(f.ctx, later, time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("second claim = %+v, %v; want nothing while the first holds it", again, err)
	}
	if _, changed, err := f.s.SolveCaptcha(f.ctx, j.ID, true, later); err != nil || changed {
		t.Errorf("solve while claimed: changed %v, %v", changed, err)
	}
	if got, err := f.s.CancelCaptchas(f.ctx, community.Telegram, "-100", "100", later); err != nil || len(got) != 0 {
		t.Errorf("cancel while claimed = %+v, %v", got, err)
	}
	fail := community.CaptchaFailure{Join: j.ID, Member: j.Member, Name: j.Name, Platform: j.Platform, Group: j.Group, Removed: true}
	if err := f.s.CaptchaExpired(f.ctx, fail, later); err != nil {
		t.Fatal(err)
	}
	if err := f.s.CaptchaExpired(f.ctx, fail, later); err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM onboarding_joins WHERE captcha = 'expired' AND claimed_until IS NULL`:                  1,
		`SELECT count(*) FROM outbox_events WHERE kind = 'onboarding.captcha_failed'`:                                1,
		`SELECT count(*) FROM audit_log WHERE action = 'onboarding.captcha_failed' AND details->>'removed' = 'true'`: 1,
	} {
		if got := f.count(query); got != want {
			t.Errorf("%s = %d, want %d", query, got, want)
		}
	}
}

// TestLeavingCancelsTheCaptcha: a newcomer who leaves has their pending
// captcha cancelled (and audited); solving it afterwards is refused.
func TestLeavingCancelsTheCaptcha(t *testing.T) {
	f := newOnboardingFixture(t, community.OnboardingRules{Welcome: true, Captcha: true, CaptchaTimeout: time.Minute})
	j, _ := f.join("u1", "100", false)
	got, err := f.svc.Left(f.ctx, community.Telegram, "-100", "100")
	if err != nil || len(got) != 1 || got[0].ID != j.ID || got[0].Captcha != community.CaptchaCancelled {
		t.Fatalf("left = %+v, %v", got, err)
	}
	if _, err := f.svc.Solve(f.ctx, j.ID, "100"); community.ErrorCode(err) != community.EConflict {
		t.Errorf("solve after leaving: %v; want a conflict", err)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'onboarding.captcha_cancelled'`); n != 1 {
		t.Errorf("cancellation audited %d times", n)
	}
}

// TestStaleWelcomesAreTheReplacedOnes: of three sent welcomes in a group,
// the two older ones are stale, with their message ids; once cleared they
// are not stale again. A welcome not yet sent is never stale.
func TestStaleWelcomesAreTheReplacedOnes(t *testing.T) {
	f := newOnboardingFixture(t, community.OnboardingRules{Welcome: true})
	var joins []community.JoinID
	for _, u := range []string{"100", "200", "300"} {
		j, _ := f.join("u"+u, u, false)
		joins = append(joins, j.ID)
		if u != "300" {
			f.render()
		}
	}
	stale, err := f.s.StaleWelcomes(f.ctx, community.Telegram, "-100", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []community.JoinID
	for _, w := range stale {
		got = append(got, w.Join)
		if len(w.Messages) != 1 || w.Group != "-100" {
			t.Errorf("stale welcome %+v; want its one message in -100", w)
		}
	}
	if !slices.Equal(got, joins[:2]) {
		t.Fatalf("stale = %v, want %v (the third is not sent yet, and newest)", got, joins[:2])
	}
	if other, err := f.s.StaleWelcomes(f.ctx, community.Discord, "-100", 10); err != nil || len(other) != 0 {
		t.Errorf("stale welcomes of another platform = %+v, %v", other, err)
	}
	if err := f.s.WelcomesCleared(f.ctx, got, f.now); err != nil {
		t.Fatal(err)
	}
	if again, err := f.s.StaleWelcomes(f.ctx, "", "", 10); err != nil || len(again) != 0 {
		t.Errorf("stale after clearing = %+v, %v", again, err)
	}
}

// TestWelcomeTemplates: staff's text per language is stored, replaced and
// reset with audit entries; resetting a default is not found; a bad text
// is refused before storage.
func TestWelcomeTemplates(t *testing.T) {
	f := newOnboardingFixture(t, community.OnboardingRules{Welcome: true})
	staff := f.member("1")
	if _, err := f.svc.SetWelcome(f.ctx, staff, "ru", "  Привет, {name}!  "); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetWelcome(f.ctx, staff, "ru", "Здравствуйте, {name}, в {group}!"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetWelcome(f.ctx, staff, "en", "Hi {nmae}"); community.ErrorCode(err) != community.EInvalid {
		t.Fatalf("a bad variable: %v", err)
	}
	got, err := f.s.WelcomeTemplates(f.ctx)
	if err != nil || len(got) != 1 || got["ru"] != "Здравствуйте, {name}, в {group}!" {
		t.Fatalf("templates = %v, %v", got, err)
	}
	if err := f.svc.ResetWelcome(f.ctx, staff, "ru"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ResetWelcome(f.ctx, staff, "ru"); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("reset of a default: %v; want not found", err)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE actor_member_id = $1 AND action LIKE 'onboarding.welcome_%'`, staff); n != 3 {
		t.Errorf("%d audit entries for two sets and a reset, want 3", n)
	}
}
