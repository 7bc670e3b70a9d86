package storage_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/hearthbot/hearth/support"
)

// detractorAnswer is alice's answer of 3, with a reason, to a survey on a
// real database: the answer a staff alert is about.
func detractorAnswer(t *testing.T) (*storage.Store, community.MemberID, feedback.Answer, time.Time) {
	t.Helper()
	s, alice, _, surveys, sv, now := aliceAsked(t)
	ctx := context.Background()
	if _, err := surveys.Answer(ctx, sv.ID, alice, community.Telegram, 3); err != nil {
		t.Fatal(err)
	}
	a, err := surveys.Explain(ctx, sv.ID, alice, "the tin arrived dented")
	if err != nil {
		t.Fatal(err)
	}
	return s, alice, a, now
}

// openWithDesk opens the ticket as the chat layer does: through a desk
// over the answer's transaction.
func openWithDesk(ctx context.Context, now time.Time, calls *int) func(feedback.Answer, support.Store) (support.Ticket, error) {
	return func(a feedback.Answer, tickets support.Store) (support.Ticket, error) {
		*calls++
		return support.NewDesk(tickets, func() time.Time { return now }).Open(ctx, support.Question{Member: a.Member, Name: a.Name,
			Platform: a.Platform, Where: "NPS", Text: "NPS 3/10. " + a.Reason})
	}
}

// TestAnswerTicketOpensOnceForTwoPresses: two staff press Open a ticket at
// the same moment. The second press comes while the first is opening the
// ticket (it waits for the answer's lock), and is told the first's
// ticket: one ticket, linked to the answer, one audit entry.
func TestAnswerTicketOpensOnceForTwoPresses(t *testing.T) {
	s, alice, a, now := detractorAnswer(t)
	ctx := context.Background()
	type result struct {
		ticket int64
		opened bool
		err    error
	}
	second := make(chan result, 1)
	var firstCalls, secondCalls int
	first, opened, err := s.OpenAnswerTicket(ctx, a.ID, func(a feedback.Answer, tickets support.Store) (support.Ticket, error) {
		go func() {
			ticket, opened, err := s.OpenAnswerTicket(ctx, a.ID, openWithDesk(ctx, now, &secondCalls))
			second <- result{ticket, opened, err}
		}()
		storagetest.WaitLockWaits(t, s.DB(), 1) // the second press waits for this one
		return openWithDesk(ctx, now, &firstCalls)(a, tickets)
	})
	if err != nil || !opened || first == 0 || firstCalls != 1 {
		t.Fatalf("first press: ticket %d, opened %v, %v (%d calls); want a ticket opened", first, opened, err, firstCalls)
	}
	r := <-second
	if r.err != nil || r.opened || r.ticket != first || secondCalls != 0 {
		t.Errorf("second press: ticket %d, opened %v, %v (%d calls); want told ticket %d, none opened", r.ticket, r.opened, r.err,
			secondCalls, first)
	}
	if n := storagetest.Count(t, s.DB(), `SELECT count(*) FROM tickets WHERE member_id = $1 AND asked_in = 'NPS'`, alice); n != 1 {
		t.Errorf("%d tickets for alice; want 1", n)
	}
	if n := storagetest.Count(t, s.DB(), `SELECT count(*) FROM audit_log WHERE action = $1 AND (details->>'ticket')::bigint = $2`,
		community.AuditQuestionAsked, first); n != 1 {
		t.Errorf("%d audit entries of ticket %d; want 1", n, first)
	}
	got, err := s.SurveyAnswer(ctx, a.ID)
	if err != nil || got.Ticket != first {
		t.Errorf("answer's ticket %d, %v; want %d", got.Ticket, err, first)
	}
}

// TestAnswerTicketFailsWhole: a ticket the desk refuses leaves the answer
// without one, and a later press opens it.
func TestAnswerTicketFailsWhole(t *testing.T) {
	s, alice, a, now := detractorAnswer(t)
	ctx := context.Background()
	var calls int
	_, _, err := s.OpenAnswerTicket(ctx, a.ID, func(a feedback.Answer, tickets support.Store) (support.Ticket, error) {
		tk, err := openWithDesk(ctx, now, &calls)(a, tickets)
		if err != nil {
			return tk, err
		}
		return tk, community.Errorf(community.EConflict, "nps.ticket_taken", nil, "refused after opening")
	})
	if community.ErrorCode(err) != community.EConflict {
		t.Fatalf("refused press: %v; want EConflict", err)
	}
	if n := storagetest.Count(t, s.DB(), `SELECT count(*) FROM tickets WHERE member_id = $1 AND asked_in = 'NPS'`, alice); n != 0 {
		t.Errorf("%d tickets after a refused press; want none", n)
	}
	ticket, opened, err := s.OpenAnswerTicket(ctx, a.ID, openWithDesk(ctx, now, &calls))
	if err != nil || !opened || ticket == 0 {
		t.Errorf("press after a refused one: ticket %d, opened %v, %v; want one opened", ticket, opened, err)
	}
}

// TestForgottenDetractorLeavesNoComment: alice, a detractor whose alert
// raised a ticket, asks to be forgotten. Her score stays counted,
// anonymous; her reason, name, alert and ticket go: /nps shows no comment
// of hers, the alert's button says the answer is gone, and her words are
// nowhere in the database.
func TestForgottenDetractorLeavesNoComment(t *testing.T) {
	s, alice, a, now := detractorAnswer(t)
	ctx := context.Background()
	if _, err := s.DB().Exec(`INSERT INTO outbox_events (kind, payload) VALUES ($1, $2)`, feedback.EventNPSAlert,
		`{"answer": `+strconv.FormatInt(a.ID, 10)+`, "member": `+alice.String()+`}`); err != nil {
		t.Fatal(err) // the alert of a VIP detractor, waiting to be rendered
	}
	var calls int
	if _, opened, err := s.OpenAnswerTicket(ctx, a.ID, openWithDesk(ctx, now, &calls)); err != nil || !opened {
		t.Fatalf("ticket: opened %v, %v", opened, err)
	}
	if err := s.EraseMember(ctx, community.Erasure{Member: alice, At: now}, erasureRules(now)); err != nil {
		t.Fatal(err)
	}
	got, err := s.SurveyAnswer(ctx, a.ID)
	if err != nil || got.Member != 0 || got.Name != "" || got.Reason != "" || got.Ticket != 0 || got.Score != 3 {
		t.Errorf("answer after erasure %+v, %v; want score 3 kept, no member, name, reason or ticket", got, err)
	}
	rules := feedback.SurveyRules{Schedule: "0 11 * * TUE", AnswerWindow: 7 * 24 * time.Hour}
	rep, err := feedback.NewSurveys(s, rules, telegramOnly, func() time.Time { return now }, 1).Report(ctx, 1)
	if err != nil || rep.Overall.Detractors != 1 || len(rep.Comments) != 0 {
		t.Errorf("report %+v, %v; want her score counted and no comment", rep, err)
	}
	if _, _, err := s.OpenAnswerTicket(ctx, a.ID, openWithDesk(ctx, now, &calls)); community.ErrorCode(err) != community.ENotFound || calls != 1 {
		t.Errorf("press after erasure: %v (%d desk calls); want ENotFound and no ticket", err, calls)
	}
	if n := storagetest.Count(t, s.DB(), `SELECT count(*) FROM outbox_events WHERE kind = $1`, feedback.EventNPSAlert); n != 0 {
		t.Errorf("%d NPS alerts left; want hers dropped", n)
	}
	for _, h := range storagetest.Search(t, s.DB(), storagetest.Needle{Label: "her reason", Value: "tin arrived dented", Match: storagetest.Contains}) {
		t.Errorf("found %s", h)
	}
}
