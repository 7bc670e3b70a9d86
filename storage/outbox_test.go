package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
)

func queue(t *testing.T, s interface {
	QueueMessages(context.Context, []bots.Outgoing) error
}, chat string, texts ...string) {
	t.Helper()
	var out []bots.Outgoing
	for _, text := range texts {
		out = append(out, bots.Outgoing{Target: bots.Target{Platform: community.Telegram, ChatID: chat}, Message: bots.Reply{Text: text}})
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
	for _, sent := range []bots.Delivery{first[0], first[2]} {
		if err := s.Delivered(ctx, sent.ID, []string{"m1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FailedDelivery(ctx, first[1].ID, nil, bots.Failure{Error: "429", Retry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if again, err := s.ClaimDeliveries(ctx, tg, 100, 2, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("claim while a2 waits for its retry = %v, %v; want nothing", textsOf(again), err)
	}
	at, ok, err := s.NextDue(ctx, tg)
	if err != nil || !ok || time.Until(at) < 50*time.Minute {
		t.Fatalf("NextDue = %v, %t, %v; want a2's retry in an hour", at, ok, err)
	}
	if err := s.FailedDelivery(ctx, first[1].ID, nil, bots.Failure{Error: "blocked", Dead: true}); err != nil {
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
	if err := s.FailedDelivery(ctx, claimed[0].ID, []string{"7"}, bots.Failure{Error: "Forbidden: bot was blocked", Dead: true}); err != nil {
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
	if _, err := s.RetryDead(ctx, bots.DeadRef{ID: claimed[0].ID + 100}); community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("retry of a live id: err = %v, want not found", err)
	}
	if _, err := s.RetryDead(ctx, bots.DeadRef{ID: claimed[0].ID, Event: true}); community.ErrorCode(err) != community.ENotFound {
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
	got, err := s.RecordInbound(ctx, []bots.Inbound{message("1", "100", "-5")})
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
	out := []bots.Outgoing{{Target: bots.Target{Platform: community.Telegram, UserID: "100"}, Message: bots.Reply{Text: "you are staff"}}}
	if err := s.RenderedEvent(ctx, events[0].ID, out); err != nil {
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

func textsOf(ds []bots.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Message.Text)
	}
	return out
}
