package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
)

// waiting is a command in a chat, recorded whole to be handled.
func waiting(key, user, chat string) bots.Inbound {
	in := message(key, user, chat)
	in.Activity, in.Done, in.Always = "", false, true
	in.Queue, in.Payload = "telegram:chat:"+chat, []byte(fmt.Sprintf(`{"ID": %q}`, key))
	return in
}

func claimKeys(t *testing.T, s interface {
	ClaimInbound(context.Context, int, time.Duration) ([]bots.Claimed, error)
}, lease time.Duration) []string {
	t.Helper()
	claimed, err := s.ClaimInbound(context.Background(), 10, lease)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range claimed {
		keys = append(keys, c.Key)
	}
	return keys
}

// TestInboxHandsOutEachChatInOrder: the inbox hands out the oldest waiting
// update of each chat, and a chat's next one only once the one before is
// handled; plain messages never wait there.
func TestInboxHandsOutEachChatInOrder(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	batch := []bots.Inbound{waiting("a1", "100", "-5"), waiting("b1", "200", "-6"), waiting("a2", "100", "-5"),
		message("m", "100", "-5"), waiting("b2", "200", "-6")}
	rec, err := s.RecordInbound(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, true, false, true} {
		if rec[i].Queued != want {
			t.Errorf("update %s queued = %t, want %t", batch[i].Key, rec[i].Queued, want)
		}
	}
	if got := claimKeys(t, s, time.Minute); fmt.Sprint(got) != "[a1 b1]" {
		t.Fatalf("first claim = %v, want [a1 b1]", got)
	}
	if got := claimKeys(t, s, time.Minute); len(got) != 0 {
		t.Fatalf("claim while a1 and b1 are handled = %v, want none", got)
	}
	if _, err := s.FinishUpdate(ctx, community.Telegram, "a1", nil); err != nil {
		t.Fatal(err)
	}
	if got := claimKeys(t, s, time.Minute); fmt.Sprint(got) != "[a2]" {
		t.Fatalf("claim after a1 = %v, want [a2]", got)
	}
	var payloads int
	if err := s.DB().Get(&payloads, `SELECT count(*) FROM inbound_updates WHERE payload IS NOT NULL`); err != nil || payloads != 3 {
		t.Fatalf("updates still holding their payload = %d, %v; want 3 (a handled update keeps none)", payloads, err)
	}
}

// TestInboxLeaseExpires: an update whose handler died is handed out again
// once its lease ends, counting the attempt; a renewed lease keeps it.
func TestInboxLeaseExpires(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.RecordInbound(ctx, []bots.Inbound{waiting("a1", "100", "-5")}); err != nil {
		t.Fatal(err)
	}
	first, err := s.ClaimInbound(ctx, 10, 0) // a lease that is over at once: the handler "died"
	if err != nil || len(first) != 1 {
		t.Fatalf("claim = %v, %v", first, err)
	}
	again, err := s.ClaimInbound(ctx, 10, time.Minute)
	if err != nil || len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("claim after the lease ended = %+v, %v; want a1 at attempt 2", again, err)
	}
	if err := s.RenewInbound(ctx, []int64{again[0].ID}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := claimKeys(t, s, time.Minute); len(got) != 0 {
		t.Fatalf("claim of a leased update = %v, want none", got)
	}
	if err := s.ReleaseInbound(ctx, again[0].ID, 0, "handler failed"); err != nil {
		t.Fatal(err)
	}
	if got := claimKeys(t, s, time.Minute); fmt.Sprint(got) != "[a1]" {
		t.Fatalf("claim after release = %v, want [a1]", got)
	}
}

// TestDeadUpdateLetsTheChatMoveOn: an update given up on is kept in the
// dead letters, counts as handled (its payload gone) and the chat's next
// update is handed out.
func TestDeadUpdateLetsTheChatMoveOn(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.RecordInbound(ctx, []bots.Inbound{waiting("a1", "100", "-5"), waiting("a2", "100", "-5")}); err != nil {
		t.Fatal(err)
	}
	claimKeys(t, s, time.Minute)
	d := bots.DeadUpdate{Platform: community.Telegram, Key: "a1", UserID: "100", Stage: bots.StageHandle, Kind: bots.KindMessage,
		Payload: "{\"text\": \"bad\x00\xff\"}", Error: "panic: boom\x00", Attempts: 5, At: time.Now()}
	if err := s.DeadInbound(ctx, d); err != nil {
		t.Fatal(err)
	}
	if got := claimKeys(t, s, time.Minute); fmt.Sprint(got) != "[a2]" {
		t.Fatalf("claim after a1 died = %v, want [a2]", got)
	}
	var stage, payload string
	if err := s.DB().QueryRow(`SELECT stage, payload FROM inbound_dead WHERE update_key = 'a1'`).Scan(&stage, &payload); err != nil {
		t.Fatal(err)
	}
	if stage != "handle" || payload != "{\"text\": \"bad\uFFFD\"}" {
		t.Errorf("dead letter = %q %q", stage, payload)
	}
	if n := count(t, s, `SELECT count(*) FROM inbound_updates WHERE update_key = 'a1' AND handled_at IS NOT NULL AND payload IS NULL`); n != 1 {
		t.Errorf("a1 is not marked handled without its payload")
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
	done := make(chan []bots.Recorded)
	go func() {
		rec, err := s.RecordInbound(ctx, []bots.Inbound{message("1", "100", "-77")})
		if err != nil {
			t.Error(err)
		}
		done <- rec
	}()
	waitForLockWait(t, s)
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

// waitForLockWait waits until a statement on the test's database waits
// for a lock.
func waitForLockWait(t *testing.T, s *storage.Store) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if count(t, s, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0 {
			return
		}
	}
	t.Fatal("no statement waited for the chat row's lock")
}
