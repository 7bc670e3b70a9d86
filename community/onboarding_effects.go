package community

import "time"

// PostEffects are what posting the join's message at at causes: the
// event that posts its captcha while the captcha is pending, else its
// welcome (storage links the join to it), and its audit entry.
func (j Join) PostEffects(at time.Time) (Event, AuditEntry) {
	kind, action := EventWelcome, AuditWelcomed
	if j.Captcha == CaptchaPending {
		kind, action = EventCaptcha, AuditCaptchaPosted
	}
	details := j.where()
	if !j.Deadline.IsZero() {
		details["deadline"] = j.Deadline.UTC().Format(time.RFC3339)
	}
	return NewEvent(kind, JoinPosted{Join: j.ID}, at), AuditEntry{At: at, Action: action, Target: j.Member, Chat: j.Chat, Details: details}
}

// SolveEffects are what the member solving the join's captcha causes:
// an audit entry. The welcome that may follow is PostEffects.
func (j Join) SolveEffects(at time.Time) Effects {
	return Effects{Audit: []AuditEntry{{At: at, Actor: j.Member, Action: AuditCaptchaSolved, Target: j.Member, Chat: j.Chat, Details: j.where()}}}
}

// CancelEffects are what cancelling the join's captcha, the member having
// left, causes: an audit entry.
func (j Join) CancelEffects(at time.Time) Effects {
	return Effects{Audit: []AuditEntry{{At: at, Actor: j.Member, Action: AuditCaptchaCancelled, Target: j.Member, Chat: j.Chat, Details: j.where()}}}
}

// where are the audit details naming the join's group.
func (j Join) where() map[string]any {
	return map[string]any{"platform": string(j.Platform), "group": j.Group}
}

// Effects are what settling a captcha as failed causes, in the join's
// chat: an audit entry saying whether the member was removed (and why
// not) and the EventCaptchaFailed that tells staff.
func (f CaptchaFailure) Effects(chat ChatID, at time.Time) Effects {
	details := map[string]any{"platform": string(f.Platform), "group": f.Group, "removed": f.Removed}
	if f.Problem != "" {
		details["problem"] = f.Problem
	}
	return Effects{
		Audit:  []AuditEntry{{At: at, Action: AuditCaptchaFailed, Target: f.Member, Chat: chat, Details: details}},
		Events: []Event{NewEvent(EventCaptchaFailed, f, at)},
	}
}

// Effects are what setting or resetting a welcome text causes: an audit
// entry naming the language.
func (c WelcomeChange) Effects() Effects {
	action := AuditWelcomeSet
	if c.Text == "" {
		action = AuditWelcomeReset
	}
	return Effects{Audit: []AuditEntry{{At: c.At, Actor: c.By, Action: action, Details: map[string]any{"language": c.Language}}}}
}
