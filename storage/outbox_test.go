package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
)

func queue(t *testing.T, s interface {
	QueueMessages(context.Context, []outbox.Outgoing) error
}, chat string, texts ...string) {
	t.Helper()
	var out []outbox.Outgoing
	for _, text := range texts {
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: community.Telegram, ChatID: chat}, Message: outbox.Message{Text: text}})
	}
	if err := s.QueueMessages(context.Background(), out); err != nil {
		t.Fatal(err)
	}
}

var tg = []community.Platform{community.Telegram}

// TestClaimDeliveriesKeepsEachChatInOrder: a chat's later messages are
// never claimed while an earlier one is claimed elsewhere or waiting for a
// retry, and other chats are not held up.
func TestClaimDeliveriesKeepsEachChatInOrder(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	queue(t, s, "a", "a1", "a2", "a3")
	queue(t, s, "b", "b1")

	first, err := s.ClaimDeliveries(ctx, tg, 100, 2, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if texts := textsOf(first); fmt.Sprint(texts) != "[a1 a2 b1]" {
		t.Fatalf("first claim = %v, want [a1 a2 b1]", texts)
	}
	// a3 waits behind a1 and a2, which are claimed.
	if again, err := s.ClaimDeliveries(ctx, tg, 100, 2, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("second claim = %v, %v; want nothing", textsOf(again), err)
	}
	for _, sent := range []outbox.Delivery{first[0], first[2]} {
		if err := s.Delivered(ctx, sent.ID, []string{"m1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FailedDelivery(ctx, first[1], nil, outbox.Failure{Error: "429", Retry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if again, err := s.ClaimDeliveries(ctx, tg, 100, 2, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("claim while a2 waits for its retry = %v, %v; want nothing", textsOf(again), err)
	}
	at, ok, err := s.NextDue(ctx, tg)
	if err != nil || !ok || time.Until(at) < 50*time.Minute {
		t.Fatalf("NextDue = %v, %t, %v; want a2's retry in an hour", at, ok, err)
	}
	if _, err := s.DB().Exec(`UPDATE deliveries SET next_attempt_at = now() WHERE id = $1`, first[1].ID); err != nil {
		t.Fatal(err)
	}
	retry, err := s.ClaimDeliveries(ctx, tg, 100, 1, time.Minute)
	if err != nil || fmt.Sprint(textsOf(retry)) != "[a2]" || retry[0].Attempts != 2 {
		t.Fatalf("claim of a2's retry = %+v, %v; want a2's second attempt", retry, err)
	}
	if err := s.FailedDelivery(ctx, retry[0], nil, outbox.Failure{Error: "blocked", Dead: true}); err != nil {
		t.Fatal(err)
	}
	last, err := s.ClaimDeliveries(ctx, tg, 100, 2, time.Minute)
	if err != nil || fmt.Sprint(textsOf(last)) != "[a3]" {
		t.Fatalf("claim after a2 died = %v, %v; want [a3]", textsOf(last), err)
	}
	if last[0].Attempts != 1 {
		t.Fatalf("attempts = %d, want 1", last[0].Attempts)
	}
}

// TestDeadLettersCanBeRetried: a dead delivery is listed with its error,
// retried by id, and refused by an id that is not dead.
func TestDeadLettersCanBeRetried(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	queue(t, s, "a", "a1")
	claimed, err := s.ClaimDeliveries(ctx, tg, 10, 5, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %v, %v", claimed, err)
	}
	if err := s.FailedDelivery(ctx, claimed[0], []string{"7"}, outbox.Failure{Error: "Forbidden: bot was blocked", Dead: true}); err != nil {
		t.Fatal(err)
	}
	status, err := s.OutboxStatus(ctx)
	if err != nil || status.DeadDeliveries != 1 || status.PendingDeliveries != 0 {
		t.Fatalf("status = %+v, %v", status, err)
	}
	dead, err := s.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].LastError != "Forbidden: bot was blocked" || dead[0].Target.ChatID != "a" {
		t.Fatalf("dead letters = %+v, %v", dead, err)
	}
	if _, err := s.RetryDead(ctx, outbox.DeadRef{ID: claimed[0].ID + 100}); community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("retry of a live id: err = %v, want not found", err)
	}
	if _, err := s.RetryDead(ctx, outbox.DeadRef{ID: claimed[0].ID, Event: true}); community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("retry of a delivery id as an event: err = %v, want not found", err)
	}
	if n, err := s.RetryDead(ctx, dead[0].DeadRef); err != nil || n != 1 {
		t.Fatalf("retry = %d, %v", n, err)
	}
	again, err := s.ClaimDeliveries(ctx, tg, 10, 5, time.Minute)
	if err != nil || len(again) != 1 || again[0].Attempts != 1 || fmt.Sprint(again[0].SentIDs) != "[7]" {
		t.Fatalf("claim after retry = %+v, %v; want one fresh attempt keeping the parts sent", again, err)
	}
}

// TestEventsRenderIntoDeliveries: a claimed event is rendered once; its
// deliveries are queued in the same transaction.
func TestEventsRenderIntoDeliveries(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	got, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-5")})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	if err := s.AddStaff(ctx, community.StaffChange{By: got[0].Member, Member: got[0].Member, At: at,
		Event: community.NewEvent(community.EventStaffAdded, community.StaffChanged{Member: got[0].Member, Name: "x"}, at)}); err != nil {
		t.Fatal(err)
	}
	events, err := s.ClaimEvents(ctx, 10, time.Minute)
	if err != nil || len(events) != 1 || events[0].Kind != community.EventStaffAdded || events[0].Attempts != 1 {
		t.Fatalf("events = %+v, %v", events, err)
	}
	if more, _ := s.ClaimEvents(ctx, 10, time.Minute); len(more) != 0 {
		t.Fatalf("claimed event claimed again: %+v", more)
	}
	out := []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, UserID: "100"}, Message: outbox.Message{Text: "you are staff"}}}
	if err := s.RenderedEvent(ctx, events[0], out); err != nil {
		t.Fatal(err)
	}
	dels, err := s.ClaimDeliveries(ctx, tg, 10, 5, time.Minute)
	if err != nil || len(dels) != 1 || dels[0].Target.UserID != "100" || dels[0].Message.Text != "you are staff" {
		t.Fatalf("deliveries = %+v, %v", dels, err)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox_events WHERE status = 'rendered'`); n != 1 {
		t.Fatalf("rendered events = %d", n)
	}
}

func textsOf(ds []outbox.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Message.Text)
	}
	return out
}

// TestClaimDeliveriesTakesAtMostChatsChats: a claim takes the runs of as
// many chats as asked, the one waiting longest first, and the chats behind
// them are left for the next claim.
func TestClaimDeliveriesTakesAtMostChatsChats(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	queue(t, s, "a", "a1", "a2", "a3")
	queue(t, s, "b", "b1")
	queue(t, s, "c", "c1")
	first, err := s.ClaimDeliveries(ctx, tg, 2, 2, time.Minute)
	if err != nil || fmt.Sprint(textsOf(first)) != "[a1 a2 b1]" {
		t.Fatalf("claim of 2 chats = %v, %v; want [a1 a2 b1]", textsOf(first), err)
	}
	second, err := s.ClaimDeliveries(ctx, tg, 2, 2, time.Minute)
	if err != nil || fmt.Sprint(textsOf(second)) != "[c1]" {
		t.Fatalf("second claim = %v, %v; want [c1] (a3 waits behind a1 and a2)", textsOf(second), err)
	}
	if first[0].Claim == "" || first[0].Claim != first[2].Claim || first[0].Claim == second[0].Claim {
		t.Fatalf("claims %q, %q, %q: want one token per claim", first[0].Claim, first[2].Claim, second[0].Claim)
	}
}

// TestRunOutClaimIsTakenOverAndFenced: a delivery whose lease ran out is
// claimed by another dispatcher, and the first one can then neither mark
// its parts, fail, renew nor release it; the new holder can. What was
// sent is still recorded as sent, whoever reports it.
func TestRunOutClaimIsTakenOverAndFenced(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	queue(t, s, "a", "a1")
	stale, err := s.ClaimDeliveries(ctx, tg, 10, 5, -time.Second) // a lease that has run out
	if err != nil || len(stale) != 1 {
		t.Fatalf("first claim = %+v, %v", stale, err)
	}
	fresh, err := s.ClaimDeliveries(ctx, tg, 10, 5, time.Minute)
	if err != nil || len(fresh) != 1 || fresh[0].ID != stale[0].ID || fresh[0].Attempts != 2 {
		t.Fatalf("claim after the lease ran out = %+v, %v; want a1's second attempt", fresh, err)
	}
	old, held := outbox.ClaimRef{ID: stale[0].ID, Claim: stale[0].Claim}, outbox.ClaimRef{ID: fresh[0].ID, Claim: fresh[0].Claim}
	if err := s.PartsSent(ctx, stale[0], []string{"x"}); !errors.Is(err, outbox.ErrClaimLost) {
		t.Errorf("parts sent under the lost claim: err = %v, want ErrClaimLost", err)
	}
	if err := s.FailedDelivery(ctx, stale[0], nil, outbox.Failure{Error: "boom", Dead: true}); !errors.Is(err, outbox.ErrClaimLost) {
		t.Errorf("failure under the lost claim: err = %v, want ErrClaimLost", err)
	}
	if err := s.RenewClaims(ctx, nil, []outbox.ClaimRef{old}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseDeliveries(ctx, stale); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM deliveries WHERE claim = $1 AND status = 'pending' AND locked_until < now() + interval '2 minutes' AND sent_ids = '{}'`, held.Claim); n != 1 {
		t.Fatalf("the new holder's claim was changed by the old one's marks")
	}
	if err := s.PartsSent(ctx, fresh[0], []string{"m1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RenewClaims(ctx, nil, []outbox.ClaimRef{held}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM deliveries WHERE claim = $1 AND locked_until > now() + interval '50 minutes' AND sent_ids = '{m1}'`, held.Claim); n != 1 {
		t.Fatalf("the holder's parts or renewal were not recorded")
	}
	if err := s.Delivered(ctx, stale[0].ID, []string{"m1"}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND claim IS NULL AND locked_until IS NULL`); n != 1 {
		t.Fatalf("a delivery reported sent is not marked sent")
	}
}

// TestRunOutEventClaimIsRenderedOnce: an event taken over after its lease
// ran out is rendered by the new holder only; the old holder's render is
// refused and queues nothing.
func TestRunOutEventClaimIsRenderedOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.DB().Exec(`INSERT INTO outbox_events (kind) VALUES ('test.note')`); err != nil {
		t.Fatal(err)
	}
	stale, err := s.ClaimEvents(ctx, 10, -time.Second)
	if err != nil || len(stale) != 1 {
		t.Fatalf("first claim = %+v, %v", stale, err)
	}
	fresh, err := s.ClaimEvents(ctx, 10, time.Minute)
	if err != nil || len(fresh) != 1 || fresh[0].Attempts != 2 {
		t.Fatalf("claim after the lease ran out = %+v, %v", fresh, err)
	}
	out := []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, ChatID: "-5"}, Message: outbox.Message{Text: "note"}}}
	if err := s.RenderedEvent(ctx, stale[0], out); !errors.Is(err, outbox.ErrClaimLost) {
		t.Fatalf("render under the lost claim: err = %v, want ErrClaimLost", err)
	}
	if err := s.FailedEvent(ctx, stale[0], outbox.Failure{Error: "boom", Dead: true}); !errors.Is(err, outbox.ErrClaimLost) {
		t.Fatalf("failure under the lost claim: err = %v, want ErrClaimLost", err)
	}
	if err := s.RenderedEvent(ctx, fresh[0], out); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM deliveries`); n != 1 {
		t.Fatalf("%d deliveries; want the one of the single render", n)
	}
}

// TestConcurrentClaimsNeverShareADelivery: dispatchers claiming at the
// same moment never claim one delivery twice, each takes a chat's
// messages from its oldest one on, and every chat's oldest is claimed.
func TestConcurrentClaimsNeverShareADelivery(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for c := range 40 {
		chat := fmt.Sprint("c", c)
		queue(t, s, chat, chat+"-1", chat+"-2", chat+"-3")
	}
	var mu sync.Mutex
	var claims [][]outbox.Delivery
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				got, err := s.ClaimDeliveries(ctx, tg, 3, 2, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				claims = append(claims, got)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, claim := range claims {
		next := map[string]int{}
		for _, d := range claim {
			if seen[d.ID] {
				t.Fatalf("delivery %d (%s) claimed twice", d.ID, d.Message.Text)
			}
			seen[d.ID] = true
			next[d.Target.ChatID]++
			if want := fmt.Sprintf("%s-%d", d.Target.ChatID, next[d.Target.ChatID]); d.Message.Text != want {
				t.Fatalf("a claim took %s where %s comes first", d.Message.Text, want)
			}
		}
	}
	// A run is cut where a concurrent claimer locked a row first (see
	// claimDeliveriesSQL), so a chat gives its first one or its first two.
	for c := range 40 {
		chat := fmt.Sprint("c", c)
		if n := claimedFor(claims, chat); n < 1 || n > 2 {
			t.Errorf("chat %s: %d deliveries claimed; want its first, and at most two", chat, n)
		}
	}
}

// claimedFor counts the deliveries to chat among the claims.
func claimedFor(claims [][]outbox.Delivery, chat string) int {
	n := 0
	for _, claim := range claims {
		for _, d := range claim {
			if d.Target.ChatID == chat {
				n++
			}
		}
	}
	return n
}

// TestOutboxConnectionSurvivesALostConnection: when the connection the
// outbox keeps for its marks is lost, the next mark takes a fresh one.
func TestOutboxConnectionSurvivesALostConnection(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	queue(t, s, "a", "a1")
	dels, err := s.ClaimDeliveries(ctx, tg, 10, 5, time.Minute)
	if err != nil || len(dels) != 1 {
		t.Fatalf("claim = %+v, %v", dels, err)
	}
	if err := s.PartsSent(ctx, dels[0], []string{"m1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	_ = s.PartsSent(ctx, dels[0], []string{"m1", "m2"}) // may find the connection gone
	if err := s.PartsSent(ctx, dels[0], []string{"m1", "m2"}); err != nil {
		t.Fatalf("mark after the outbox connection was lost: %v", err)
	}
	if n := count(t, s, `SELECT count(*) FROM deliveries WHERE sent_ids = '{m1,m2}'`); n != 1 {
		t.Fatal("the parts were not recorded")
	}
}

// TestNextDueLooksAtEachChatsOldest: a message due now behind an older
// one waiting for its retry is not due; a chat whose oldest message is
// claimed is due when the claim runs out, before a later retry elsewhere.
func TestNextDueLooksAtEachChatsOldest(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	queue(t, s, "a", "a1", "a2")
	queue(t, s, "b", "b1")
	if _, err := s.DB().Exec(`UPDATE deliveries SET next_attempt_at = now() + interval '1 hour' WHERE message->>'text' IN ('a1', 'b1')`); err != nil {
		t.Fatal(err)
	}
	at, ok, err := s.NextDue(ctx, tg)
	if err != nil || !ok || time.Until(at) < 50*time.Minute {
		t.Fatalf("NextDue = %v, %t, %v; want a1's retry in an hour, not a2 behind it", at, ok, err)
	}
	if _, err := s.DB().Exec(`UPDATE deliveries SET next_attempt_at = now() WHERE message->>'text' = 'b1'`); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.ClaimDeliveries(ctx, tg, 10, 5, 10*time.Minute)
	if err != nil || fmt.Sprint(textsOf(claimed)) != "[b1]" {
		t.Fatalf("claim = %v, %v; want [b1]", textsOf(claimed), err)
	}
	at, ok, err = s.NextDue(ctx, tg)
	if until := time.Until(at); err != nil || !ok || until < 9*time.Minute || until > 11*time.Minute {
		t.Fatalf("NextDue = %v, %t, %v; want b1's claim running out in 10 minutes", at, ok, err)
	}
	if _, ok, err := s.NextDue(ctx, []community.Platform{community.Discord}); err != nil || ok {
		t.Fatalf("NextDue on Discord = %t, %v; want nothing pending", ok, err)
	}
}
