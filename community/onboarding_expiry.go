package community

import (
	"context"
	"errors"
	"time"
)

// The captcha expiry job: how often it looks, and how much it takes at a
// time.
const (
	CaptchaExpiryEvery = 20 * time.Second
	captchaBatch       = 50
	staleBatch         = 100
)

// Job removes the newcomers whose captcha ran out and deletes the
// welcomes newer ones replaced, in every group, through n.
func (o *Onboarding) Job(n *Newcomers) Job {
	return Job{Name: "onboarding.captcha", Schedule: Every(CaptchaExpiryEvery), Run: func(ctx context.Context) error {
		_, err := o.ExpireCaptchas(ctx, captchaBatch, n.Expired)
		return errors.Join(err, o.ClearStaleWelcomes(ctx, n, "", ""))
	}}
}

// ClearStaleWelcomes deletes, through n, the welcomes that newer ones
// replaced in group (every group when p is ""): a busy group keeps one
// welcome. A welcome Hearth may not delete (no rights, or refused for
// good) is given up; one that failed otherwise, or is on a platform this
// process does not run, is tried again later.
func (o *Onboarding) ClearStaleWelcomes(ctx context.Context, n *Newcomers, p Platform, group string) error {
	stale, err := o.store.StaleWelcomes(ctx, p, group, staleBatch)
	if err != nil || len(stale) == 0 {
		return err
	}
	var cleared []JoinID
	for _, w := range stale {
		if n.deleteWelcome(ctx, w) {
			cleared = append(cleared, w.Join)
		}
	}
	return o.store.WelcomesCleared(ctx, cleared, o.now())
}
