package clv

import (
	"context"
	"fmt"
	"time"
)

// Store is what a CLV run needs from persistence. storage implements it.
type Store interface {
	// OrdersForCLV returns every paid order, refunds applied, by customer
	// and time. Score leaves out (and counts) those placed after the run's
	// end.
	OrdersForCLV(ctx context.Context) ([]Order, error)
	// SaveCLVRun stores the run and replaces every customer's scores.
	SaveCLVRun(ctx context.Context, run ModelRun, scores []CustomerScore) (int64, error)
}

// Refresh scores every customer from the stored orders up to now and
// stores the run: the nightly CLV job and hearth clv fit.
func Refresh(ctx context.Context, store Store, opt ScoreOptions, now time.Time) (ModelRun, []CustomerScore, error) {
	opt.End = now
	orders, err := store.OrdersForCLV(ctx)
	if err != nil {
		return ModelRun{}, nil, err
	}
	run, scores, err := Score(orders, opt)
	if err != nil {
		return run, nil, fmt.Errorf("score customers: %w", err)
	}
	run.ComputedAt = now
	if _, err := store.SaveCLVRun(ctx, run, scores); err != nil {
		return run, nil, err
	}
	return run, scores, nil
}
