package community

import (
	"reflect"
	"testing"
	"time"
)

func effectsJoin(captcha CaptchaState, deadline time.Time) Join {
	return Join{ID: 21, Platform: "telegram", Key: "u1", Group: "-100", Chat: 2, UserID: "555", Member: 7, Name: "Ann",
		At: effectsAt, Captcha: captcha, Deadline: deadline, Welcome: true}
}

// TestJoinPostEffects: a pending captcha is posted by EventCaptcha and
// audited as posted, with its deadline; otherwise (no captcha, or one
// solved) the join's welcome is posted by EventWelcome and audited as
// welcomed. Either event names the join by its id.
func TestJoinPostEffects(t *testing.T) {
	deadline := effectsAt.Add(5 * time.Minute)
	later := effectsAt.Add(time.Minute)
	for _, c := range []struct {
		join         Join
		at           time.Time
		kind, action string
		withDeadline bool
	}{
		{effectsJoin(CaptchaPending, deadline), effectsAt, EventCaptcha, AuditCaptchaPosted, true},
		{effectsJoin(CaptchaNone, time.Time{}), effectsAt, EventWelcome, AuditWelcomed, false},
		{effectsJoin(CaptchaSolved, deadline), later, EventWelcome, AuditWelcomed, true},
	} {
		e, entry := c.join.PostEffects(c.at)
		if want := NewEvent(c.kind, JoinPosted{Join: 21}, c.at); !reflect.DeepEqual(e, want) {
			t.Errorf("%s: event %+v, want %+v", c.join.Captcha, e, want)
		}
		details := map[string]any{"platform": "telegram", "group": "-100"}
		if c.withDeadline {
			details["deadline"] = "2026-12-05T10:35:00Z"
		}
		want := AuditEntry{At: c.at, Action: c.action, Target: 7, Chat: 2, Details: details}
		if !reflect.DeepEqual(entry, want) {
			t.Errorf("%s: entry %+v, want %+v", c.join.Captcha, entry, want)
		}
	}
}

// TestCaptchaSolvedAndCancelledEffects: solving and cancelling (the
// member left) are audited as the member's own, in the join's group, and
// cause no event.
func TestCaptchaSolvedAndCancelledEffects(t *testing.T) {
	j := effectsJoin(CaptchaPending, effectsAt.Add(5*time.Minute))
	at := effectsAt.Add(time.Minute)
	where := map[string]any{"platform": "telegram", "group": "-100"}
	for action, got := range map[string]Effects{AuditCaptchaSolved: j.SolveEffects(at), AuditCaptchaCancelled: j.CancelEffects(at)} {
		want := Effects{Audit: []AuditEntry{{At: at, Actor: 7, Action: action, Target: 7, Chat: 2, Details: where}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: effects %+v, want %+v", action, got, want)
		}
	}
}

// TestCaptchaFailureEffects: a failed captcha is audited by Hearth in the
// join's chat, saying whether the member was removed and, when not, why;
// and staff are told by an EventCaptchaFailed of the failure.
func TestCaptchaFailureEffects(t *testing.T) {
	for _, f := range []CaptchaFailure{
		{Join: 21, Member: 7, Name: "Ann", Platform: "telegram", Group: "-100", Title: "Tea", Removed: true},
		{Join: 21, Member: 7, Name: "Ann", Platform: "telegram", Group: "-100", Problem: "not an admin"},
	} {
		got := f.Effects(2, effectsAt)
		details := map[string]any{"platform": "telegram", "group": "-100", "removed": f.Removed}
		if f.Problem != "" {
			details["problem"] = f.Problem
		}
		want := Effects{
			Audit:  []AuditEntry{{At: effectsAt, Action: AuditCaptchaFailed, Target: 7, Chat: 2, Details: details}},
			Events: []Event{{Kind: EventCaptchaFailed, Payload: f, At: effectsAt}},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("effects %+v, want %+v", got, want)
		}
	}
}

// TestWelcomeChangeEffects: setting a welcome text is audited as set,
// an empty text as reset, each naming the language.
func TestWelcomeChangeEffects(t *testing.T) {
	for action, c := range map[string]WelcomeChange{
		AuditWelcomeSet:   {Language: "de", Text: "Hallo {name}", By: 3, At: effectsAt},
		AuditWelcomeReset: {Language: "de", By: 3, At: effectsAt},
	} {
		want := Effects{Audit: []AuditEntry{{At: effectsAt, Actor: 3, Action: action, Details: map[string]any{"language": "de"}}}}
		if got := c.Effects(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: effects %+v, want %+v", action, got, want)
		}
	}
}
