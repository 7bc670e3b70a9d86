package outbox

import (
	"errors"
	"math/rand/v2"
	"time"
)

// RetryPolicy decides what follows a failed attempt at rendering an event
// or sending a delivery.
type RetryPolicy struct {
	MaxAttempts int           // attempts before an item is dead
	MaxBackoff  time.Duration // the longest pause between two attempts
}

// DefaultRetryPolicy is the policy when nothing is configured.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 8, MaxBackoff: 5 * time.Minute}

// After decides what follows attempt number attempts failing with err at
// now: wait as long as the platform asks, back off exponentially (with a
// little jitter, so that replicas do not retry in step) on other errors,
// give up on permanent errors or after the last attempt.
func (p RetryPolicy) After(err error, attempts int, now time.Time) Failure {
	f := Failure{Error: err.Error()}
	if IsPermanent(err) || attempts >= p.MaxAttempts {
		f.Dead = true
		return f
	}
	if ra, ok := errors.AsType[*RetryAfterError](err); ok {
		f.Retry = now.Add(ra.After)
		return f
	}
	backoff := min(time.Second<<min(attempts-1, 20), p.MaxBackoff)
	jitter := time.Duration(rand.Int64N(int64(backoff)/4 + 1))
	f.Retry = now.Add(backoff + jitter)
	return f
}
