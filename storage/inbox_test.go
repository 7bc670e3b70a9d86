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

// waiting is a command in a chat, recorded whole to be handled; seq is its
// place in the platform's order.
func waiting(key, user, chat string, seq int64) inbox.Inbound {
	in := message(key, user, chat)
	in.Activity, in.Done, in.Always = "", false, true
	in.Queue, in.Seq, in.Payload = "telegram:chat:"+chat, seq, []byte(fmt.Sprintf(`{"update": {"ID": %q}}`, key))
	return in
}

func claim(t *testing.T, s *storage.Store, lease time.Duration, busy ...int64) []inbox.Claimed {
	t.Helper()
	claimed, err := s.ClaimInbound(context.Background(), 10, lease, busy)
	if err != nil {
		t.Fatal(err)
	}
	return claimed
}

func keysOf(claimed []inbox.Claimed) string {
	var keys []string
	for _, c := range claimed {
		keys = append(keys, c.Key)
	}
	return fmt.Sprint(keys)
}

// TestInboxHandsOutEachChatInOrder: the inbox hands out the first waiting
// update of each chat in the platform's order (whatever order they were
// recorded in), and a chat's next one only once the one before is handled;
// plain messages never wait there, and a handled update leaves it.
func TestInboxHandsOutEachChatInOrder(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	batch := []inbox.Inbound{waiting("a2", "100", "-5", 12), waiting("b1", "200", "-6", 11), waiting("a1", "100", "-5", 10),
		message("m", "100", "-5"), waiting("b2", "200", "-6", 13)}
	rec, err := s.RecordInbound(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, true, false, true} {
		if rec[i].Queued != want {
			t.Errorf("update %s queued = %t, want %t", batch[i].Key, rec[i].Queued, want)
		}
	}
	first := claim(t, s, time.Minute)
	if got := keysOf(first); got != "[a1 b1]" && got != "[b1 a1]" {
		t.Fatalf("first claim = %v, want a1 and b1", got)
	}
	if got := claim(t, s, time.Minute); len(got) != 0 {
		t.Fatalf("claim while a1 and b1 are handled = %v, want none", keysOf(got))
	}
	for _, c := range first {
		if c.Key == "a1" {
			if _, err := s.FinishUpdate(ctx, c.Claim, community.Telegram, "a1", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := keysOf(claim(t, s, time.Minute)); got != "[a2]" {
		t.Fatalf("claim after a1 = %v, want [a2]", got)
	}
	if n := count(t, s, `SELECT count(*) FROM inbox`); n != 3 {
		t.Fatalf("%d updates in the inbox, want 3 (a handled one leaves)", n)
	}
}

// TestInboxLeaseExpiresAndIsFenced: an update whose handler died is handed
// out again once its lease ends, counting the attempt; the old claim can
// then neither renew nor give it back; a renewed lease keeps it; an
// update this process is handling already is not handed out again.
func TestInboxLeaseExpiresAndIsFenced(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.RecordInbound(ctx, []inbox.Inbound{waiting("a1", "100", "-5", 1)}); err != nil {
		t.Fatal(err)
	}
	first := claim(t, s, 0) // a lease that is over at once: the handler "died"
	if len(first) != 1 {
		t.Fatalf("claim = %v", keysOf(first))
	}
	if got := claim(t, s, time.Minute, first[0].ID); len(got) != 0 {
		t.Fatalf("claim of an update this process handles = %v, want none", keysOf(got))
	}
	again := claim(t, s, time.Minute)
	if len(again) != 1 || again[0].Attempt != 2 {
		t.Fatalf("claim after the lease ended = %+v; want a1 at attempt 2", again)
	}
	if err := s.ReleaseInbound(ctx, first[0].Claim, 0, "the old handler", false); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewInbound(ctx, []inbox.Claim{again[0].Claim}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, s, time.Minute); len(got) != 0 {
		t.Fatalf("claim of a leased update = %v, want none (the old claim could not give it back)", keysOf(got))
	}
	if err := s.ReleaseInbound(ctx, again[0].Claim, 0, "stopped", true); err != nil {
		t.Fatal(err)
	}
	third := claim(t, s, time.Minute)
	if len(third) != 1 || third[0].Attempt != 2 {
		t.Fatalf("claim after a refunded release = %+v; want a1 at attempt 2 again", third)
	}
}

// TestDeadUpdateLetsTheChatMoveOn: an update given up on is kept in the
// dead letters, leaves the inbox and counts as handled; the chat's next
// update is handed out.
func TestDeadUpdateLetsTheChatMoveOn(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.RecordInbound(ctx, []inbox.Inbound{waiting("a1", "100", "-5", 1), waiting("a2", "100", "-5", 2)}); err != nil {
		t.Fatal(err)
	}
	claim(t, s, time.Minute)
	d := inbox.DeadUpdate{Platform: community.Telegram, Key: "a1", UserID: "100", ReplyUserID: "300", Stage: inbox.StageHandle,
		Kind: "message", Payload: "{\"text\": \"bad\x00\xff\"}", Error: "panic: boom\x00", Attempts: 5, At: time.Now()}
	if err := s.DeadInbound(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got := keysOf(claim(t, s, time.Minute)); got != "[a2]" {
		t.Fatalf("claim after a1 died = %v, want [a2]", got)
	}
	var stage, payload string
	if err := s.DB().QueryRow(`SELECT stage, payload FROM inbound_dead WHERE update_key = 'a1' AND reply_user_id = '300'`).Scan(&stage, &payload); err != nil {
		t.Fatal(err)
	}
	if stage != "handle" || payload != "{\"text\": \"bad\uFFFD\"}" {
		t.Errorf("dead letter = %q %q", stage, payload)
	}
	if n := count(t, s, `SELECT count(*) FROM inbound_updates WHERE update_key = 'a1' AND handled_at IS NOT NULL`); n != 1 {
		t.Errorf("a1 is not marked handled")
	}
}

// TestUpdateRecordedBeforeTheInboxIsHandledWhenDeliveredAgain: an update
// recorded and never handled before the inbox existed (its key only) gets
// its place in the inbox when the platform delivers it again.
func TestUpdateRecordedBeforeTheInboxIsHandledWhenDeliveredAgain(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.DB().Exec(`INSERT INTO inbound_updates (platform, update_key) VALUES ('telegram', 'old')`); err != nil {
		t.Fatal(err)
	}
	rec, err := s.RecordInbound(ctx, []inbox.Inbound{waiting("old", "100", "-5", 1)})
	if err != nil || rec[0].Seen != inbox.SeenUnfinished || !rec[0].Queued {
		t.Fatalf("redelivery recorded %+v, %v; want unfinished and queued", rec, err)
	}
	if got := keysOf(claim(t, s, time.Minute)); got != "[old]" {
		t.Fatalf("claim = %v, want [old]", got)
	}
}

// TestPruneInboxKeepsWhatIsStillNeeded: the keys of updates handled
// before the cut go, the others stay (with what waits in the inbox), and
// dead letters older than theirs go.
func TestPruneInboxKeepsWhatIsStillNeeded(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.DB().Exec(`
INSERT INTO inbound_updates (platform, update_key, received_at, handled_at) VALUES
    ('telegram', 'old', now() - interval '8 days', now() - interval '8 days'),
    ('telegram', 'new', now() - interval '1 day', now() - interval '1 day'),
    ('telegram', 'waiting', now() - interval '8 days', NULL);
INSERT INTO inbound_dead (platform, update_key, stage, created_at) VALUES
    ('telegram', 'dead-old', 'record', now() - interval '31 days'), ('telegram', 'dead-new', 'record', now())`); err != nil {
		t.Fatal(err)
	}
	n, err := s.PruneInbox(ctx, time.Now().Add(-7*24*time.Hour), time.Now().Add(-30*24*time.Hour), 1)
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2", n, err)
	}
	var left []string
	if err := s.DB().Select(&left, `SELECT update_key FROM inbound_updates UNION ALL SELECT update_key FROM inbound_dead ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(left) != "[dead-new new waiting]" {
		t.Errorf("left %v", left)
	}
}

// TestNewChatMetByTwoBatchesAtOnce: a chat seen for the first time by two
// transactions at the same moment is recorded once, and both get its id.
// The second waits on the first's uncommitted chat row; it must see that
// row once the first commits.
func TestNewChatMetByTwoBatchesAtOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	first, err := s.DB().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback()
	if _, err := first.Exec(`INSERT INTO chats (platform, platform_chat_id, kind, title) VALUES ('telegram', '-77', 'group', 'Group -77')`); err != nil {
		t.Fatal(err)
	}
	done := make(chan []inbox.Recorded)
	go func() {
		rec, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-77")})
		if err != nil {
			t.Error(err)
		}
		done <- rec
	}()
	storagetest.WaitLockWaits(t, s.DB(), 1)
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	rec := <-done
	if len(rec) != 1 || rec[0].Chat == 0 {
		t.Fatalf("recorded %+v: the chat id is missing", rec)
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE chat_id IS NULL`); n != 0 {
		t.Errorf("%d activities without their chat", n)
	}
}

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

// TestOverlappingBatchesInAnyOrderDoNotDeadlock: two replicas recording
// the same updates in different orders (a redelivery) take their keys in
// one order, so neither holds a key the other waits for: while one waits
// for key a, the other may still take key b.
func TestOverlappingBatchesInAnyOrderDoNotDeadlock(t *testing.T) {
	s := newStore(t)
	tx, err := s.DB().Beginx()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	insertKey := `INSERT INTO inbound_updates (platform, update_key) VALUES ('telegram', $1)`
	if _, err := tx.Exec(insertKey, "a"); err != nil {
		t.Fatal(err)
	}
	recorded := make(chan error, 1)
	go func() {
		_, err := s.RecordInbound(context.Background(), []inbox.Inbound{message("b", "100", "-5"), message("a", "100", "-5")})
		recorded <- err
	}()
	storagetest.WaitLockWaits(t, s.DB(), 1)
	if _, err := tx.Exec(insertKey, "b"); err != nil {
		t.Fatalf("the other replica takes key b while this one waits for a: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-recorded; err != nil {
		t.Fatalf("RecordInbound: %v", err)
	}
}
