package bots

import (
	"context"
	"errors"
	"fmt"

	"github.com/hearthbot/hearth/inbox"
)

// recorder records updates in batches: callers wait for their own update
// while many are written to the database together (group commit), which is
// what lets one process keep up with thousands of updates a second. One
// batch is written at a time, in the order updates were queued, so that
// the inbox sees one chat's updates in the order they came.
type recorder struct {
	store    Store
	queue    chan *recording
	maxBatch int
}

type recording struct {
	in   inbox.Inbound
	out  inbox.Recorded
	err  error
	done chan struct{}
}

func newRecorder(store Store, maxBatch int) *recorder {
	return &recorder{store: store, queue: make(chan *recording, 4*maxBatch), maxBatch: maxBatch}
}

// run writes batches until ctx ends, then what is queued still, within
// stopGrace.
func (r *recorder) run(ctx context.Context) {
	for {
		select {
		case first := <-r.queue:
			r.flush(ctx, r.collect(first))
			continue
		case <-ctx.Done():
		}
		break
	}
	drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopGrace)
	defer cancel()
	for {
		select {
		case first := <-r.queue:
			r.flush(drain, r.collect(first))
		default:
			return
		}
	}
}

// collect takes whatever else is already waiting, up to a batch.
func (r *recorder) collect(first *recording) []*recording {
	batch := []*recording{first}
	for len(batch) < r.maxBatch {
		select {
		case next := <-r.queue:
			batch = append(batch, next)
		default:
			return batch
		}
	}
	return batch
}

func (r *recorder) flush(ctx context.Context, batch []*recording) {
	// The same update twice in one batch (a platform retrying at once):
	// the first copy stands for both and the others are duplicates.
	first := map[string]int{}
	var unique []*recording
	var ins []inbox.Inbound
	for _, rec := range batch {
		key := string(rec.in.Platform) + "\x00" + rec.in.Key
		if _, dup := first[key]; dup {
			rec.out.Seen = inbox.SeenHandled
			continue
		}
		first[key] = len(unique)
		unique = append(unique, rec)
		ins = append(ins, rec.in)
	}
	results, err := r.store.RecordInbound(ctx, ins)
	if err == nil && len(results) != len(ins) {
		err = fmt.Errorf("recorded %d updates of %d", len(results), len(ins))
	}
	for i, rec := range unique {
		switch {
		case err == nil:
			rec.out = results[i]
		case len(unique) > 1 && errors.Is(err, inbox.ErrUnrecordable):
			// One update the database refuses must not fail the others:
			// each is recorded on its own.
			rec.out, rec.err = r.recordAlone(ctx, rec.in)
		default:
			rec.err = err
		}
	}
	for _, rec := range batch {
		close(rec.done)
	}
}

func (r *recorder) recordAlone(ctx context.Context, in inbox.Inbound) (inbox.Recorded, error) {
	results, err := r.store.RecordInbound(ctx, []inbox.Inbound{in})
	if err != nil {
		return inbox.Recorded{}, err
	}
	if len(results) != 1 {
		return inbox.Recorded{}, fmt.Errorf("recorded %d updates of 1", len(results))
	}
	return results[0], nil
}

// enqueue queues one update for recording, in order; wait tells how it
// went.
func (r *recorder) enqueue(ctx context.Context, in inbox.Inbound) *recording {
	rec := &recording{in: in, done: make(chan struct{})}
	select {
	case r.queue <- rec:
	case <-ctx.Done():
		rec.err = ctx.Err()
		close(rec.done)
	}
	return rec
}

// wait waits until the update's batch is written.
func (rec *recording) wait(ctx context.Context) (inbox.Recorded, error) {
	select {
	case <-rec.done:
		return rec.out, rec.err
	case <-ctx.Done():
		return inbox.Recorded{}, ctx.Err()
	}
}
