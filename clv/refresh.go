package clv

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// Store is what a CLV run needs from persistence. storage implements it.
type Store interface {
	// EachCustomerOrders calls yield with every paid order, refunds
	// applied, one customer's orders at a time, each customer's by time
	// (see CustomerOrders). ScoreEach leaves out (and counts) those
	// placed after the run's end.
	EachCustomerOrders(ctx context.Context, yield func(orders []Order) error) error
	// SaveCLVRun stores the run and replaces every customer's scores.
	SaveCLVRun(ctx context.Context, run ModelRun, scores iter.Seq[CustomerScore]) (int64, error)
}

// Refresh scores every customer from the stored orders up to now and
// stores the run: the nightly CLV job and hearth clv fit. The orders are
// streamed, never all held in memory.
func Refresh(ctx context.Context, store Store, opt ScoreOptions, now time.Time) (ModelRun, *Scores, error) {
	opt.End = now
	run, scores, err := ScoreEach(func(yield func([]Order) error) error { return store.EachCustomerOrders(ctx, yield) }, opt)
	if err != nil {
		return run, nil, fmt.Errorf("score customers: %w", err)
	}
	run.ComputedAt = now
	if _, err := store.SaveCLVRun(ctx, run, scores.All()); err != nil {
		return run, nil, err
	}
	return run, scores, nil
}
