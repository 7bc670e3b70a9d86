package digest_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
)

// memoryStore keeps digests in memory, with the facts of any span empty
// but for a week count.
type memoryStore struct {
	stored   map[digest.Week]digest.Digest
	events   []community.Event
	spans    []digest.Span
	liftAsOf []time.Time
}

func (m *memoryStore) DigestFacts(_ context.Context, s digest.Span, _ community.Weights) (digest.Facts, error) {
	m.spans = append(m.spans, s)
	active := make([]int, len(s.Weeks))
	for i := range active {
		active[i] = i + 1
	}
	return digest.Facts{ActiveMembers: active}, nil
}

func (m *memoryStore) LiftFacts(_ context.Context, asOf time.Time) (digest.LiftFacts, error) {
	m.liftAsOf = append(m.liftAsOf, asOf)
	return digest.LiftFacts{AsOf: asOf, Customers: []digest.LiftCustomer{{Revenue: 30, FirstOrder: asOf.AddDate(0, -2, 0)}}}, nil
}

func (m *memoryStore) SaveDigest(_ context.Context, d digest.Digest, e community.Effects) (bool, error) {
	if _, ok := m.stored[d.Week]; ok {
		return false, nil
	}
	m.stored[d.Week] = d
	m.events = append(m.events, e.Events...)
	return true, nil
}

func (m *memoryStore) StoredDigest(_ context.Context, w digest.Week) (digest.Digest, error) {
	if d, ok := m.stored[w]; ok {
		return d, nil
	}
	return digest.Digest{}, community.Errorf(community.ENotFound, "digest.none", nil, "none")
}

// TestDueDigestIsMadeOnce: before Monday 09:00 (Athens) the due digest is
// the week before last; from 09:00 it is last week's, made and told once
// however often the job runs; a stored digest is read back, not made
// again; a week not begun is refused; the span ends with the week asked.
func TestDueDigestIsMadeOnce(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 8, 59, 0, 0, athens) // Monday of 2026-W50
	store := &memoryStore{stored: map[digest.Week]digest.Digest{}}
	ds, err := digest.NewDigests(store, digest.Rules{Location: athens, Tiers: community.DefaultTierRules()}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if w, made, err := ds.MakeDue(ctx); err != nil || !made || w.String() != "2026-W48" {
		t.Fatalf("at 08:59: %s, %v, %v; want 2026-W48 made", w, made, err)
	}
	now = now.Add(time.Minute)
	for i := range 3 {
		w, made, err := ds.MakeDue(ctx)
		if err != nil || made != (i == 0) || w.String() != "2026-W49" {
			t.Fatalf("run %d at 09:00: %s, %v, %v; want 2026-W49 made by the first run only", i, w, made, err)
		}
	}
	if len(store.events) != 2 || store.events[1].Kind != digest.EventReady || store.events[1].Payload.(digest.Ready).Week != "2026-W49" {
		t.Errorf("events %+v; want one digest.ready a week", store.events)
	}
	last := store.spans[len(store.spans)-1]
	if n := len(last.Weeks); n != digest.ChartWeeks || last.Weeks[n-1].String() != "2026-W49" ||
		!last.Bounds[n].Equal(time.Date(2026, 12, 7, 0, 0, 0, 0, athens)) {
		t.Errorf("span %v ending %s", last.Weeks, last.Bounds[len(last.Bounds)-1])
	}
	if at := store.liftAsOf[len(store.liftAsOf)-1]; !at.Equal(last.Bounds[len(last.Bounds)-1]) {
		t.Errorf("the lift as of %s; want the week's end", at)
	}
	calls := len(store.spans)
	d, stored, err := ds.Read(ctx, digest.Week{Year: 2026, Num: 49})
	if err != nil || !stored || d.Members.Active.This != 12 || d.Members.Active.Prev != 11 || len(store.spans) != calls ||
		d.Lift == nil || d.Lift.Outside.Customers != 1 {
		t.Errorf("read back: %+v, stored %v, %v", d.Members.Active, stored, err)
	}
	if _, stored, err := ds.Read(ctx, digest.Week{Year: 2026, Num: 50}); err != nil || stored {
		t.Errorf("this week: stored %v, %v; want made on the spot", stored, err)
	}
	if _, err := ds.Make(ctx, digest.Week{Year: 2026, Num: 51}); community.ErrorCode(err) != community.EInvalid {
		t.Errorf("next week: %v; want EInvalid", err)
	}
	if _, err := digest.NewDigests(store, digest.Rules{Schedule: "every monday"}, time.Now); err == nil {
		t.Error("a schedule that cannot be read was taken")
	}
}
