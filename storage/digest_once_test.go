package storage_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

// cancellingStore is a replica stopped in the middle of a digest: its
// context is cancelled before the facts are read, or once they are.
type cancellingStore struct {
	*storage.Store
	cancel context.CancelFunc
	before bool
}

func (s cancellingStore) DigestFacts(ctx context.Context, span digest.Span, weights community.Weights, made time.Time) (digest.Facts, error) {
	if s.before {
		s.cancel()
	}
	f, err := s.Store.DigestFacts(ctx, span, weights, made)
	s.cancel()
	return f, err
}

// TestDigestIsMadeOnceAcrossReplicasAndRestarts: replicas that make the
// due digest at once store one digest and queue one event; a replica
// stopped midway stores nothing, and the next run makes it; what is
// stored reads back as it was made.
func TestDigestIsMadeOnceAcrossReplicasAndRestarts(t *testing.T) {
	ctx := context.Background()
	dsn := storagetest.URL(t)
	var dbs [2]*sqlx.DB
	for i := range dbs {
		db, err := storage.Open(ctx, dsn, storage.DefaultPoolOptions, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	w := newDigestWorld(t)
	w.seed(t, dbs[0], 60, rand.New(rand.NewPCG(3, 48)))
	now := func() time.Time { return w.now }
	stores := [2]*storage.Store{storage.New(dbs[0]), storage.New(dbs[1])}
	digestsOf := func(s digest.Store, now func() time.Time) *digest.Digests {
		d, err := digest.NewDigests(s, digestRules(w.loc), now)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	stored := func() (digests, events int) {
		t.Helper()
		return storagetest.Count(t, dbs[0], `SELECT count(*) FROM digests WHERE week <> '2026-W47'`), // the seed's is last week's
			storagetest.Count(t, dbs[0], `SELECT count(*) FROM outbox_events WHERE kind = 'digest.ready'`)
	}

	for _, before := range []bool{true, false} {
		cctx, cancel := context.WithCancel(ctx)
		if _, err := digestsOf(cancellingStore{Store: stores[0], cancel: cancel, before: before}, now).MakeDue(cctx); err == nil {
			t.Errorf("a run cancelled midway (before the facts: %v) made no error", before)
		}
		if n, e := stored(); n != 0 || e != 0 {
			t.Fatalf("a run cancelled midway stored %d digests and %d events; want none", n, e)
		}
	}
	// A replica that dies between storing the digest and queuing its
	// event leaves neither.
	mustExec(t, dbs[0], `CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'replica died'; END $$`)
	mustExec(t, dbs[0], `CREATE TRIGGER die BEFORE INSERT ON outbox_events FOR EACH ROW WHEN (NEW.kind = 'digest.ready') EXECUTE FUNCTION die()`)
	if _, err := digestsOf(stores[1], now).MakeDue(ctx); err == nil {
		t.Error("a run whose transaction failed made no error")
	}
	if n, e := stored(); n != 0 || e != 0 {
		t.Fatalf("a failed transaction stored %d digests and %d events; want none", n, e)
	}
	mustExec(t, dbs[0], `DROP TRIGGER die ON outbox_events`)

	var mu sync.Mutex
	var saved int
	var weeks []digest.Week
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 8 {
		d := digestsOf(stores[i%2], now)
		wg.Go(func() {
			<-start
			made, err := d.MakeDue(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
			}
			saved += len(made)
			weeks = append(weeks, made...)
		})
	}
	close(start)
	wg.Wait()
	if n, e := stored(); saved != 1 || n != 1 || e != 1 {
		t.Fatalf("concurrent runs: %d said they stored it, %d digests and %d events stored; want 1, 1, 1", saved, n, e)
	}
	for _, wk := range weeks {
		if wk.String() != "2026-W48" {
			t.Errorf("a run made the digest of %s; want 2026-W48", wk)
		}
	}
	if n := storagetest.Count(t, dbs[0], `SELECT count(*) FROM outbox_events WHERE kind = 'digest.ready' AND payload = '{"week": "2026-W48"}'`); n != 1 {
		t.Errorf("%d events say the digest of 2026-W48 is ready; want 1", n)
	}
	// The VIPs' P(alive), kept with it for next week's digest.
	if got, want := storagetest.Count(t, dbs[0], `SELECT count(*) FROM digest_p_alive WHERE week = '2026-W48'`),
		storagetest.Count(t, dbs[0], `SELECT count(*) FROM member_standings s JOIN customers c ON c.member_id = s.member_id
JOIN clv_snapshots v ON v.customer_id = c.id WHERE s.tier = 'vip' AND v.predicted_clv IS NOT NULL`); got != want || got == 0 {
		t.Errorf("%d VIPs' P(alive) kept with the digest; want %d", got, want)
	}
	if made, err := digestsOf(stores[1], now).MakeDue(ctx); len(made) != 0 || err != nil {
		t.Errorf("a run after the digest is stored: stored %v, %v; want nothing done", made, err)
	}

	svc := digestsOf(stores[0], now)
	w48, w46 := svc.LastWeek(), svc.LastWeek().Prev().Prev() // the seed stored 2026-W47's
	made, err := svc.Make(ctx, w48)
	if err != nil {
		t.Fatal(err)
	}
	back, err := stores[1].StoredDigest(ctx, w48)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "stored digest", back, made)
	if _, err := stores[1].StoredDigest(ctx, w46); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("stored digest of %s: %v; want ENotFound", w46, err)
	}
	read, isStored, err := svc.Read(ctx, w48)
	if err != nil || !isStored {
		t.Errorf("read %s: stored %v, %v; want the stored digest", w48, isStored, err)
	}
	sameJSON(t, "digest read", read, made)
	read, isStored, err = svc.Read(ctx, w46)
	if err != nil || isStored {
		t.Fatalf("read %s: stored %v, %v; want it made now", w46, isStored, err)
	}
	if made47, err := svc.Make(ctx, w46); err != nil || read.Week != w46 {
		t.Errorf("read %s: the digest of %s, %v", w46, read.Week, err)
	} else {
		sameJSON(t, "digest of a week with none stored", read, made47)
	}
	if n, e := stored(); n != 1 || e != 1 {
		t.Errorf("after reads: %d digests and %d events; want 1 and 1 (a read stores nothing)", n, e)
	}
	future := w48.Next().Next()
	if _, err := svc.Make(ctx, future); community.ErrorCode(err) != community.EInvalid {
		t.Errorf("digest of %s, which has not begun: %v; want EInvalid", future, err)
	}
	if _, _, err := svc.Read(ctx, future); community.ErrorCode(err) != community.EInvalid {
		t.Errorf("read of %s, which has not begun: %v; want EInvalid", future, err)
	}

	jobRunsOnce(t, w, stores, dbs[0], stored)
}

// jobRunsOnce runs the digest's job a week later for the same slot from
// both stores at once, twice: the week's digest is made once.
func jobRunsOnce(t *testing.T, w *digestWorld, stores [2]*storage.Store, db *sqlx.DB, stored func() (int, int)) {
	t.Helper()
	ctx := context.Background()
	later := w.now.AddDate(0, 0, 7)
	var jobs [2]community.Job
	for i, s := range stores {
		d, err := digest.NewDigests(s, digestRules(w.loc), func() time.Time { return later })
		if err != nil {
			t.Fatal(err)
		}
		jobs[i] = d.Job()
	}
	tt, err := jobs[0].Timetable()
	if err != nil {
		t.Fatal(err)
	}
	slot := tt.SlotAt(later)
	for round := range 2 {
		var mu sync.Mutex
		ran := 0
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 4 {
			s, job := stores[i%2], jobs[i%2]
			wg.Go(func() {
				<-start
				ok, err := s.RunScheduled(ctx, job.Name, slot, job.Run)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
				}
				if ok {
					ran++
				}
			})
		}
		close(start)
		wg.Wait()
		if want := 1 - round; ran != want {
			t.Errorf("round %d: the job ran %d times for slot %s; want %d", round+1, ran, slot, want)
		}
	}
	if n, e := stored(); n != 2 || e != 2 {
		t.Errorf("after the job: %d digests and %d events; want 2 and 2", n, e)
	}
	var doc []byte
	if err := db.Get(&doc, `SELECT digest FROM digests WHERE week = '2026-W49'`); err != nil {
		t.Fatalf("the job's digest of 2026-W49: %v", err)
	}
	var d digest.Digest
	if err := json.Unmarshal(doc, &d); err != nil || !d.MadeAt.Equal(later) {
		t.Errorf("the job's digest: made %s, %v; want made %s", d.MadeAt, err, later)
	}
}
