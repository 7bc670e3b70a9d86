package community

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// OnboardingRules say how newcomers are received.
type OnboardingRules struct {
	// Welcome posts a welcome in the group when someone joins (after the
	// captcha, when there is one).
	Welcome bool
	// Captcha keeps a newcomer muted until they press "I'm human", and
	// removes them from the group when CaptchaTimeout passes first.
	Captcha        bool
	CaptchaTimeout time.Duration
}

// JoinID identifies one member joining one group.
type JoinID int64

// CaptchaState is where a join's captcha stands.
type CaptchaState string

// The captcha states.
const (
	CaptchaNone      CaptchaState = "none"      // no captcha was asked
	CaptchaPending   CaptchaState = "pending"   // waiting for the member to press the button
	CaptchaSolved    CaptchaState = "solved"    // pressed in time
	CaptchaExpired   CaptchaState = "expired"   // not pressed in time: the member was removed
	CaptchaCancelled CaptchaState = "cancelled" // the member left first
)

// Join is a member joining a community group, and what Hearth does about
// it.
type Join struct {
	ID       JoinID
	Platform Platform
	Key      string // the platform update that told of it: each is recorded once
	Group    string // the platform's id of the group
	Chat     ChatID
	UserID   string
	Member   MemberID
	Name     string
	At       time.Time
	// GroupTitle and Language are the group's, as Hearth knows it.
	GroupTitle string
	Language   string
	Captcha    CaptchaState
	Deadline   time.Time // when a pending captcha runs out
	// Welcome: a welcome is posted now, or once the captcha is solved.
	Welcome bool
	// CaptchaMessages are the platform ids of the captcha message, once
	// it is sent.
	CaptchaMessages []string
}

// JoinInput is what the chat layer knows of someone joining.
type JoinInput struct {
	Join
	// Staff and CanEnforce (the platform can mute and remove members)
	// spare the member a captcha.
	Staff      bool
	CanEnforce bool
}

// StaleWelcome is a welcome message a newer one replaced, to be deleted.
type StaleWelcome struct {
	Join     JoinID
	Platform Platform
	Group    string
	Messages []string // platform message ids; none when it was never sent
}

// CaptchaFailure is the payload of EventCaptchaFailed: a newcomer who did
// not prove they are human in time.
type CaptchaFailure struct {
	Join     JoinID   `json:"join"`
	Member   MemberID `json:"member"`
	Name     string   `json:"name"`
	Platform Platform `json:"platform"`
	Group    string   `json:"group"`
	Title    string   `json:"title,omitempty"`
	Removed  bool     `json:"removed"`
	// Problem says why the member could not be removed.
	Problem string `json:"problem,omitempty"`
}

// WelcomeChange is staff setting (Text) or resetting (Text "") the welcome
// of one language.
type WelcomeChange struct {
	Language string
	Text     string
	By       MemberID
	At       time.Time
}

// The events of onboarding; the payloads of the first two are JoinPosted.
const (
	EventWelcome       = "onboarding.welcome"        // post the welcome of a join
	EventCaptcha       = "onboarding.captcha"        // mute a newcomer and post their captcha
	EventCaptchaFailed = "onboarding.captcha_failed" // tell staff a newcomer was removed
)

// JoinPosted names the join an event posts a message for.
type JoinPosted struct {
	Join JoinID `json:"join"`
}

// OnboardingStore is what onboarding needs from persistence.
type OnboardingStore interface {
	// VerifiedBuyer reports whether member linked their shop account
	// through a signed link and has orders.
	VerifiedBuyer(ctx context.Context, member MemberID) (bool, error)
	// RecordJoin stores a join with the event that posts its welcome or
	// its captcha and an audit entry, in one transaction. A join recorded
	// already (the same update again) is returned as stored, with false.
	RecordJoin(ctx context.Context, j Join) (Join, bool, error)
	// OnboardingJoin returns a recorded join; one erased since is
	// ENotFound.
	OnboardingJoin(ctx context.Context, id JoinID) (Join, error)
	// SolveCaptcha marks a pending captcha solved and queues the welcome
	// when welcome is set, in one transaction. It reports false, changing
	// nothing, when the captcha is not pending or is being expired.
	SolveCaptcha(ctx context.Context, id JoinID, welcome bool, at time.Time) (Join, bool, error)
	// ClaimExpiredCaptchas claims pending captchas past their deadline for
	// lease (FOR UPDATE SKIP LOCKED: replicas claim different ones).
	ClaimExpiredCaptchas(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Join, error)
	// CaptchaExpired settles a claimed captcha as expired, with the event
	// telling staff and an audit entry.
	CaptchaExpired(ctx context.Context, f CaptchaFailure, at time.Time) error
	// CancelCaptchas cancels the user's pending captchas in group that no
	// replica is expiring, and returns them.
	CancelCaptchas(ctx context.Context, p Platform, group, userID string, at time.Time) ([]Join, error)
	// StaleWelcomes returns welcomes a newer welcome in the same group
	// replaced and whose sending is over, in group (p "" for every group).
	StaleWelcomes(ctx context.Context, p Platform, group string, limit int) ([]StaleWelcome, error)
	// WelcomesCleared marks welcomes deleted.
	WelcomesCleared(ctx context.Context, joins []JoinID, at time.Time) error
	// WelcomeTemplates returns staff's own welcome texts by language.
	WelcomeTemplates(ctx context.Context) (map[string]string, error)
	// SetWelcomeTemplate stores (or, with Text "", deletes) one language's
	// welcome text, with an audit entry; deleting one that is not there
	// is ENotFound.
	SetWelcomeTemplate(ctx context.Context, c WelcomeChange) error
}

// Onboarding receives newcomers: it decides who must prove they are human,
// settles captchas and keeps staff's welcome texts.
type Onboarding struct {
	store OnboardingStore
	rules OnboardingRules
	now   func() time.Time
}

// NewOnboarding returns the onboarding service.
func NewOnboarding(store OnboardingStore, rules OnboardingRules, now func() time.Time) *Onboarding {
	return &Onboarding{store: store, rules: rules, now: now}
}

// Rules returns the rules in force.
func (o *Onboarding) Rules() OnboardingRules { return o.rules }

// Join records a member joining a group. The member must prove they are
// human when the rules ask for a captcha, the platform can enforce it and
// they are neither staff nor a verified buyer; the others are welcomed at
// once when welcomes are on. fresh is false for a join recorded already,
// and for one that needs nothing (no captcha, no welcome), which is not
// recorded.
func (o *Onboarding) Join(ctx context.Context, in JoinInput) (j Join, fresh bool, err error) {
	j = in.Join
	j.Captcha, j.Welcome = CaptchaNone, o.rules.Welcome
	if o.rules.Captcha && in.CanEnforce && !in.Staff {
		verified, err := o.store.VerifiedBuyer(ctx, j.Member)
		if err != nil {
			return j, false, err
		}
		if !verified {
			j.Captcha, j.Deadline = CaptchaPending, j.At.Add(o.rules.CaptchaTimeout)
		}
	}
	if j.Captcha == CaptchaNone && !j.Welcome {
		return j, false, nil
	}
	return o.store.RecordJoin(ctx, j)
}

// Solve settles the captcha of join as pressed by userID: only the member
// who joined may solve it, and only while it is pending. Pressing it again
// once solved is no error, so that a press whose answer was lost can be
// repeated.
func (o *Onboarding) Solve(ctx context.Context, id JoinID, userID string) (Join, error) {
	j, err := o.store.OnboardingJoin(ctx, id)
	if ErrorCode(err) == ENotFound {
		return j, Errorf(EConflict, "onboarding.captcha_over", nil, "join %d is gone", id)
	}
	if err != nil {
		return j, err
	}
	if j.UserID != userID {
		return j, Errorf(EForbidden, "onboarding.captcha_not_yours", map[string]any{"Name": j.Name},
			"user %s pressed the captcha of %s", userID, j.UserID)
	}
	if j.Captcha == CaptchaSolved {
		return j, nil
	}
	j, changed, err := o.store.SolveCaptcha(ctx, id, o.rules.Welcome, o.now())
	if err != nil {
		return j, err
	}
	if !changed && j.Captcha != CaptchaSolved {
		return j, Errorf(EConflict, "onboarding.captcha_over", nil, "the captcha of join %d is %s", id, j.Captcha)
	}
	return j, nil
}

// captchaLease is how long a replica has to remove a newcomer whose
// captcha ran out before another may try.
const captchaLease = 2 * time.Minute

// ExpireCaptchas removes the newcomers whose captcha ran out: remove does
// it on the platform and says how it went; an error leaves the captcha to
// be tried again later. It returns how many captchas were settled.
func (o *Onboarding) ExpireCaptchas(ctx context.Context, limit int, remove func(context.Context, Join) (CaptchaFailure, error)) (int, error) {
	now := o.now()
	due, err := o.store.ClaimExpiredCaptchas(ctx, now, captchaLease, limit)
	if err != nil {
		return 0, fmt.Errorf("claim expired captchas: %w", err)
	}
	settled := 0
	var firstErr error
	for _, j := range due {
		f, err := remove(ctx, j)
		if err == nil {
			f.Join, f.Member, f.Name, f.Platform, f.Group, f.Title = j.ID, j.Member, j.Name, j.Platform, j.Group, j.GroupTitle
			err = o.store.CaptchaExpired(ctx, f, o.now())
		}
		if err != nil {
			firstErr = cmp.Or(firstErr, fmt.Errorf("expire the captcha of join %d: %w", j.ID, err))
			continue
		}
		settled++
	}
	return settled, firstErr
}

// Left cancels the captchas a member who left a group had not solved.
func (o *Onboarding) Left(ctx context.Context, p Platform, group, userID string) ([]Join, error) {
	return o.store.CancelCaptchas(ctx, p, group, userID, o.now())
}

// SetWelcome stores staff's welcome text for a language after checking it.
func (o *Onboarding) SetWelcome(ctx context.Context, by MemberID, lang, text string) (string, error) {
	text, err := CheckWelcomeTemplate(text)
	if err != nil {
		return "", err
	}
	return text, o.store.SetWelcomeTemplate(ctx, WelcomeChange{Language: lang, Text: text, By: by, At: o.now()})
}

// ResetWelcome goes back to the default welcome text of a language.
func (o *Onboarding) ResetWelcome(ctx context.Context, by MemberID, lang string) error {
	return o.store.SetWelcomeTemplate(ctx, WelcomeChange{Language: lang, By: by, At: o.now()})
}

// WelcomeVariables are the values a welcome text may use, each written in
// braces: {name} (the newcomer, mentioned), {community} and {group}.
var WelcomeVariables = []string{"name", "community", "group"}

// MaxWelcome is the longest welcome text staff may write, in characters.
const MaxWelcome = 1000

// CheckWelcomeTemplate checks a welcome text staff wrote: a few words, not
// too long, and every {...} one of WelcomeVariables. It returns the text
// trimmed.
func CheckWelcomeTemplate(text string) (string, error) {
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return "", Errorf(EInvalid, "onboarding.welcome_empty", nil, "an empty welcome text")
	case n > MaxWelcome:
		return "", Errorf(EInvalid, "onboarding.welcome_too_long", map[string]any{"Max": MaxWelcome, "Length": n},
			"a welcome text of %d characters; at most %d", n, MaxWelcome)
	}
	known := "{" + strings.Join(WelcomeVariables, "}, {") + "}"
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '}':
			return "", Errorf(EInvalid, "onboarding.welcome_brace", map[string]any{"Position": utf8.RuneCountInString(text[:i]) + 1, "Known": known},
				"a } at character %d closes no variable", utf8.RuneCountInString(text[:i])+1)
		case '{':
			end := strings.IndexAny(text[i+1:], "{}")
			if end < 0 || text[i+1+end] != '}' {
				return "", Errorf(EInvalid, "onboarding.welcome_brace", map[string]any{"Position": utf8.RuneCountInString(text[:i]) + 1, "Known": known},
					"the { at character %d is not closed", utf8.RuneCountInString(text[:i])+1)
			}
			name := text[i+1 : i+1+end]
			if !slices.Contains(WelcomeVariables, name) {
				return "", Errorf(EInvalid, "onboarding.welcome_variable", map[string]any{"Variable": "{" + name + "}", "Known": known},
					"{%s} is not a welcome variable (%s)", name, known)
			}
			i += end + 1
		}
	}
	return text, nil
}

// FillWelcome puts values (by variable name, ready to be shown) into a
// welcome text that passed CheckWelcomeTemplate.
func FillWelcome(template string, values map[string]string) string {
	pairs := make([]string, 0, 2*len(WelcomeVariables))
	for _, v := range WelcomeVariables {
		pairs = append(pairs, "{"+v+"}", values[v])
	}
	return strings.NewReplacer(pairs...).Replace(template)
}
