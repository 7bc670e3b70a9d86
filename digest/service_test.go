package digest_test

import (
	"context"
	"fmt"
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

func (m *memoryStore) DigestFacts(_ context.Context, s digest.Span, _ community.Weights, _ time.Time) (digest.Facts, error) {
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

func (m *memoryStore) LatestDigest(context.Context) (digest.Week, bool, error) {
	var latest digest.Week
	for w := range m.stored {
		if latest.Before(w) {
			latest = w
		}
	}
	return latest, len(m.stored) > 0, nil
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
	if made, err := ds.MakeDue(ctx); err != nil || fmt.Sprint(made) != "[2026-W48]" {
		t.Fatalf("at 08:59: %v, %v; want 2026-W48 made", made, err)
	}
	now = now.Add(time.Minute)
	for i := range 3 {
		made, err := ds.MakeDue(ctx)
		if want := map[bool]string{true: "[2026-W49]", false: "[]"}[i == 0]; err != nil || fmt.Sprint(made) != want {
			t.Fatalf("run %d at 09:00: %v, %v; want %s", i, made, err, want)
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

// TestMissedWeeksAreCaughtUp: after every replica was down across three
// Mondays, the job makes the missed weeks since the latest stored digest,
// oldest first, and never more than CatchUp; with nothing stored, only
// the due week.
func TestMissedWeeksAreCaughtUp(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC) // Monday of 2026-W50
	store := &memoryStore{stored: map[digest.Week]digest.Digest{{Year: 2026, Num: 45}: {}}}
	ds, err := digest.NewDigests(store, digest.Rules{Tiers: community.DefaultTierRules()}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	made, err := ds.MakeDue(context.Background())
	if err != nil || fmt.Sprint(made) != "[2026-W46 2026-W47 2026-W48 2026-W49]" {
		t.Errorf("made %v, %v; want W46 to W49", made, err)
	}
	store = &memoryStore{stored: map[digest.Week]digest.Digest{{Year: 2026, Num: 30}: {}}}
	ds, _ = digest.NewDigests(store, digest.Rules{}, func() time.Time { return now })
	if made, err := ds.MakeDue(context.Background()); err != nil || len(made) != digest.CatchUp || made[len(made)-1].String() != "2026-W49" {
		t.Errorf("after a long outage: %v, %v; want the last %d weeks", made, err, digest.CatchUp)
	}
	store = &memoryStore{stored: map[digest.Week]digest.Digest{}}
	ds, _ = digest.NewDigests(store, digest.Rules{}, func() time.Time { return now })
	if made, err := ds.MakeDue(context.Background()); err != nil || fmt.Sprint(made) != "[2026-W49]" {
		t.Errorf("first run: %v, %v; want only the due week", made, err)
	}
}

// TestEastOfUTCWaitsForTheLastUTCDay: in Auckland (UTC+13 in December)
// Monday 09:00 is still Sunday in UTC, so the week's last UTC day is not
// over: the digest waits until 13:00, Monday 00:00 UTC. West of UTC the
// week's end is later than that, and nothing waits.
func TestEastOfUTCWaitsForTheLastUTCDay(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, auckland)
	store := &memoryStore{stored: map[digest.Week]digest.Digest{}}
	ds, err := digest.NewDigests(store, digest.Rules{Location: auckland}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	if made, err := ds.MakeDue(context.Background()); err != nil || len(made) != 0 {
		t.Errorf("at 09:00: %v, %v; want to wait", made, err)
	}
	now = time.Date(2026, 12, 7, 13, 0, 0, 0, auckland)
	if made, err := ds.MakeDue(context.Background()); err != nil || fmt.Sprint(made) != "[2026-W49]" {
		t.Errorf("at 13:00: %v, %v; want 2026-W49", made, err)
	}
	w := digest.Week{Year: 2026, Num: 49}
	ny, _ := time.LoadLocation("America/New_York")
	if got := digest.ActivityComplete(w, ny); !got.Equal(w.End(ny)) {
		t.Errorf("New York: complete at %s, want the week's end", got)
	}
}
