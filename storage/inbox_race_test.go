package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestRedeliveryWhileFinishingIsNotQueuedAgain: an update delivered again
// while its first copy is being finished (a webhook retry, a poll after a
// restart) is not queued to be handled a second time, whichever of the two
// transactions reaches the update's row first. The test holds the row so
// that both are under way at once, then lets them go.
func TestRedeliveryWhileFinishingIsNotQueuedAgain(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := waiting("u1", "100", "-5", 1)
	if _, err := s.RecordInbound(ctx, []inbox.Inbound{in}); err != nil {
		t.Fatal(err)
	}
	claimed := claim(t, s, time.Minute)
	if len(claimed) != 1 {
		t.Fatalf("claimed %d updates, want 1", len(claimed))
	}
	hold := holdUpdateRow(t, s, "u1")
	finished := make(chan error, 1)
	go func() {
		_, err := s.FinishUpdate(ctx, claimed[0].Claim, community.Telegram, "u1", nil)
		finished <- err
	}()
	storagetest.WaitLockWaits(t, s.DB(), 1)
	recorded := make(chan error, 1)
	go func() {
		_, err := s.RecordInbound(ctx, []inbox.Inbound{in})
		recorded <- err
	}()
	storagetest.WaitLockWaits(t, s.DB(), 2)
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	for _, done := range []chan error{finished, recorded} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM inbox`); n != 0 {
		t.Errorf("%d copies of a handled update wait in the inbox, want none", n)
	}
	if got := claim(t, s, time.Minute); len(got) != 0 {
		t.Errorf("claimed %v after the update was handled, want none", keysOf(got))
	}
	if n := count(t, s, `SELECT count(*) FROM inbound_updates WHERE handled_at IS NULL`); n != 0 {
		t.Errorf("%d updates not marked handled, want none", n)
	}
}

// TestRedeliveryRacingFinishHasOneEffect races the two without a hold, many
// times: however they interleave, the update ends handled and out of the
// inbox, and no transaction fails (no deadlock).
func TestRedeliveryRacingFinishHasOneEffect(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for i := range 50 {
		in := waiting(fmt.Sprintf("race-%d", i), "100", "-5", int64(i))
		if _, err := s.RecordInbound(ctx, []inbox.Inbound{in}); err != nil {
			t.Fatal(err)
		}
		claimed := claim(t, s, time.Minute)
		if len(claimed) != 1 {
			t.Fatalf("round %d: claimed %d updates, want 1", i, len(claimed))
		}
		errs := make(chan error, 2)
		go func() {
			_, err := s.FinishUpdate(ctx, claimed[0].Claim, community.Telegram, in.Key, nil)
			errs <- err
		}()
		go func() {
			_, err := s.RecordInbound(ctx, []inbox.Inbound{in})
			errs <- err
		}()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
		if n := count(t, s, `SELECT count(*) FROM inbox`); n != 0 {
			t.Fatalf("round %d: %d copies of a handled update wait in the inbox, want none", i, n)
		}
	}
}

// holdUpdateRow locks the update's row in a transaction of the test's own
// until the test rolls it back.
func holdUpdateRow(t *testing.T, s *storage.Store, key string) interface{ Rollback() error } {
	t.Helper()
	tx, err := s.DB().Beginx()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.Exec(`SELECT 1 FROM inbound_updates WHERE platform = 'telegram' AND update_key = $1 FOR UPDATE`, key); err != nil {
		t.Fatal(err)
	}
	return tx
}
