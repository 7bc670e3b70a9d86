package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/support"
)

// TestTicketsOpenInPriorityOrderAndCloseOnce: a question opens a ticket;
// open tickets come highest priority first, then oldest; a ticket closes
// once, with an audit entry, and an unknown one is not found.
func TestTicketsOpenInPriorityOrderAndCloseOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"), message("3", "300", "-5"))
	alice, bob, staff := m[0], m[1], m[2]
	rankVIPAndRegular(t, s, bob, alice)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := at
	desk := support.NewDesk(s, func() time.Time { return now })
	ask := func(m community.MemberID, text string, minutes int) int64 {
		t.Helper()
		now = at.Add(time.Duration(minutes) * time.Minute)
		tk, err := desk.Open(ctx, support.Question{Member: m, Name: "x", Platform: community.Telegram, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	first := ask(alice, "Do you ship to Crete?", 0)
	second := ask(bob, "Where is my order?", 5)
	third := ask(alice, "And to Rhodes?", 10)

	open, err := desk.Queue(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ticketIDs(open); len(got) != 3 || got[0] != second || got[1] != first || got[2] != third {
		t.Fatalf("open tickets %v, want bob's (VIP) first, then alice's oldest first: %d %d %d", got, second, first, third)
	}
	if open[0].Name != "User 200" || open[0].Priority != 90 || open[0].Text != "Where is my order?" {
		t.Errorf("bob's ticket = %+v", open[0])
	}

	now = at.Add(time.Hour)
	closed, err := desk.Close(ctx, first, staff)
	if err != nil || closed.Open() || closed.ClosedBy != staff {
		t.Fatalf("close: %+v, %v", closed, err)
	}
	if _, err := desk.Close(ctx, first, staff); community.ErrorCode(err) != community.EConflict {
		t.Errorf("closing twice: %v, want a conflict", err)
	}
	if _, err := desk.Close(ctx, 999, staff); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("closing an unknown ticket: %v, want not found", err)
	}
	mine, err := desk.Queue(ctx, alice, 10)
	if err != nil || len(mine) != 1 || mine[0].ID != third {
		t.Errorf("alice's open tickets: %v, %v; want only %d", ticketIDs(mine), err, third)
	}
	if n := count(t, s, `SELECT count(*) FROM audit_log WHERE action = 'ticket.closed' AND actor_member_id = $1 AND target_member_id = $2`, int64(staff), int64(alice)); n != 1 {
		t.Errorf("%d audit entries for the closed ticket, want 1", n)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox_events WHERE kind = 'onboarding.question' AND (payload->>'ticket')::bigint = $1`, second); n != 1 {
		t.Errorf("the question event of ticket %d: %d", second, n)
	}
}

// TestClosingEffectsSeeTheWholeTicket: what closing a ticket causes is
// decided on the whole ticket, closed: its member's name, text and closer.
func TestClosingEffectsSeeTheWholeTicket(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"))
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tk, err := support.NewDesk(s, func() time.Time { return at }).Open(ctx, support.Question{Member: m[0], Platform: community.Telegram, Text: "Where is my order?"})
	if err != nil {
		t.Fatal(err)
	}
	var seen support.Ticket
	if _, _, err := s.CloseTicket(ctx, tk.ID, m[1], at, func(tk support.Ticket) support.Effects { seen = tk; return support.Effects{} }); err != nil {
		t.Fatal(err)
	}
	if seen.Text != "Where is my order?" || seen.Name != "User 100" || seen.ClosedBy != m[1] || !seen.ClosedAt.Equal(at) {
		t.Errorf("the closing effects saw %+v; want the whole ticket, closed", seen)
	}
}

// rankVIPAndRegular gives vip a VIP's standing (priority 90) and regular
// a regular's (priority 10), as a recompute would.
func rankVIPAndRegular(t *testing.T, s *storage.Store, vip, regular community.MemberID) {
	t.Helper()
	if _, err := s.DB().Exec(`
INSERT INTO member_standings (member_id, tier, priority, value_percentile, score, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
VALUES ($1, 'vip', 90, 95, 1, 50, 2, 0, 0, 0, now()), ($2, 'regular', 10, 5, 1, 50, 3, 0, 0, 0, now())`, int64(vip), int64(regular)); err != nil {
		t.Fatal(err)
	}
}

// TestStoredTicketsFollowTheQueue: the stored tickets carry whether their
// member is ranked yet, so the desk's queue comes in the support queue's
// order, cut to its limit.
func TestStoredTicketsFollowTheQueue(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"))
	ranked, unranked := m[0], m[1]
	if _, err := s.DB().Exec(`
INSERT INTO member_standings (member_id, tier, priority, value_percentile, score, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
VALUES ($1, 'regular', 0, 0, 0, 0, 1, 0, 0, 0, now())`, int64(ranked)); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	desk := support.NewDesk(s, func() time.Time { return now })
	var ids []int64
	for _, m := range []community.MemberID{unranked, ranked, ranked} {
		now = now.Add(time.Minute)
		tk, err := desk.Open(ctx, support.Question{Member: m, Name: "x", Platform: community.Telegram, Text: "?"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	waiting, err := s.WaitingTickets(ctx, 0)
	if err != nil || len(waiting) != 3 {
		t.Fatalf("waiting tickets: %v, %v", ticketIDs(waiting), err)
	}
	for _, tk := range waiting {
		if tk.Ranked != (tk.Member == ranked) {
			t.Errorf("ticket %d of member %d: ranked %v", tk.ID, tk.Member, tk.Ranked)
		}
	}
	got, err := desk.Queue(ctx, 0, 2)
	if err != nil || len(got) != 2 || got[0].ID != ids[1] || got[1].ID != ids[2] {
		t.Errorf("the first two open tickets: %v, %v; want the ranked member's %d %d", ticketIDs(got), err, ids[1], ids[2])
	}
}

// TestQuestionsReachTheOutbox: a question is validated, then queued for
// staff with an audit entry.
func TestQuestionsReachTheOutbox(t *testing.T) {
	f := newOnboardingFixture(t, community.OnboardingRules{})
	desk := support.NewDesk(f.s, func() time.Time { return f.now })
	m := f.member("100")
	if _, err := desk.Open(f.ctx, support.Question{Member: m, Name: "Alice", Platform: community.Telegram, Text: "  "}); community.ErrorCode(err) != community.EInvalid {
		t.Fatalf("an empty question: %v", err)
	}
	if _, err := desk.Open(f.ctx, support.Question{Member: m, Name: "Alice", Platform: community.Telegram, Text: " Do you ship to Crete? "}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'onboarding.question' AND payload->>'text' = 'Do you ship to Crete?'`); n != 1 {
		t.Errorf("%d question events", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'onboarding.question' AND actor_member_id = $1`, m); n != 1 {
		t.Errorf("%d question audit entries", n)
	}
}

func ticketIDs(ts []support.Ticket) []int64 {
	var out []int64
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}
