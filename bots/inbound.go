package bots

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Inbound is what the router records of every update before handling it:
// that it was seen, who sent it, where, and the activity it counts as.
type Inbound struct {
	Platform community.Platform
	Key      string // the update's id
	At       time.Time
	From     User // empty ID: an update with no sender
	Chat     Chat // empty ID: an update outside any chat
	Activity community.ActivityKind
	// MessageID is the platform message of a message activity, for /purge,
	// or the thread a thread activity started.
	MessageID string
	// InReplyTo is what a message answers: the message it replies to or,
	// replying to none, its thread or forum topic. /helpful finds the
	// asker with it.
	InReplyTo string
	// ReactedTo is the message a reaction is on: its author is credited
	// with a reaction received.
	ReactedTo string
	// Done marks an update with nothing to handle beyond recording it; it
	// counts as handled on arrival.
	Done bool
	// Always marks an update to handle even in a group that is not the
	// community's: Hearth added or removed, a command (/connect).
	Always bool
	// Queue orders handling: the updates of one queue (a chat) are handled
	// one after the other, by Seq, different queues in parallel.
	Queue string
	Seq   int64
	// Payload is the whole update, kept until it is handled.
	Payload []byte
}

// Seen says whether an update is new.
type Seen int

// The answers to "have we seen this update?".
const (
	SeenNew        Seen = iota // first delivery
	SeenHandled                // a redelivery of an update already handled: ignore it
	SeenUnfinished             // seen before but never handled (Hearth stopped in between): handle it
)

// Recorded is the result of recording one update.
type Recorded struct {
	Seen           Seen
	Member         community.MemberID // 0 when the update has no sender, or came from outside
	MemberLanguage string
	Chat           community.ChatID // 0 when the update has no chat
	ChatIsStaff    bool
	ChatLanguage   string
	// Outside: the update came from a group that is not connected to the
	// community; nothing was recorded of its sender.
	Outside bool
	// Queued: the update waits in the inbox to be handled.
	Queued bool
}

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
	in   Inbound
	out  Recorded
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
	var ins []Inbound
	for _, rec := range batch {
		key := string(rec.in.Platform) + "\x00" + rec.in.Key
		if _, dup := first[key]; dup {
			rec.out.Seen = SeenHandled
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
		case len(unique) > 1 && errors.Is(err, ErrUnrecordable):
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

func (r *recorder) recordAlone(ctx context.Context, in Inbound) (Recorded, error) {
	results, err := r.store.RecordInbound(ctx, []Inbound{in})
	if err != nil {
		return Recorded{}, err
	}
	if len(results) != 1 {
		return Recorded{}, fmt.Errorf("recorded %d updates of 1", len(results))
	}
	return results[0], nil
}

// enqueue queues one update for recording, in order; wait tells how it
// went.
func (r *recorder) enqueue(ctx context.Context, in Inbound) *recording {
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
func (rec *recording) wait(ctx context.Context) (Recorded, error) {
	select {
	case <-rec.done:
		return rec.out, rec.err
	case <-ctx.Done():
		return Recorded{}, ctx.Err()
	}
}
