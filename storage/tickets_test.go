package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/support"
)

// TestTicketsOpenInPriorityOrderAndCloseOnce: a question opens a ticket;
// open tickets come the most urgent first (a VIP's), then the one due
// first; a ticket closes once, with an audit entry, and an unknown one is
// not found.
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
	closed, err := desk.Close(ctx, first, staff, "")
	if err != nil || closed.Open() || closed.ClosedBy != staff {
		t.Fatalf("close: %+v, %v", closed, err)
	}
	if _, err := desk.Close(ctx, first, staff, ""); community.ErrorCode(err) != community.EConflict {
		t.Errorf("closing twice: %v, want a conflict", err)
	}
	if _, err := desk.Close(ctx, 999, staff, ""); community.ErrorCode(err) != community.ENotFound {
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

// TestTicketChangesAreSaved: a change sees the whole ticket, locked;
// claiming, closing with a resolution and reopening are saved with their
// audit entries; a change that fails saves nothing.
func TestTicketChangesAreSaved(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"))
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	desk := support.NewDesk(s, func() time.Time { return at })
	tk, err := desk.Open(ctx, support.Question{Member: m[0], Platform: community.Telegram, Text: "Where is my order?"})
	if err != nil {
		t.Fatal(err)
	}
	if tk.Urgency != support.UrgencyLow || !tk.FirstResponseDue.Equal(at.Add(8*time.Hour)) || !tk.ResolutionDue.Equal(at.Add(48*time.Hour)) {
		t.Fatalf("an unranked member's ticket: %+v", tk)
	}
	var seen support.Ticket
	if _, err := s.ChangeTicket(ctx, tk.ID, func(t support.Ticket) (support.Ticket, support.Effects, error) {
		seen = t
		t.Resolution = "half-written"
		return t, support.Effects{}, errors.New("refused")
	}); err == nil || err.Error() != "refused" {
		t.Fatalf("a failed change: %v", err)
	}
	if seen.Text != "Where is my order?" || seen.Name != "User 100" || !seen.FirstResponseDue.Equal(tk.FirstResponseDue) {
		t.Errorf("the change saw %+v; want the whole ticket", seen)
	}
	if got, err := s.Ticket(ctx, tk.ID); err != nil || got.Resolution != "" {
		t.Fatalf("a failed change was saved: %+v %v", got, err)
	}
	if got, err := desk.Claim(ctx, tk.ID, m[1]); err != nil || got.Assignee != m[1] || got.AssigneeName != "User 200" {
		t.Fatalf("claim: %+v %v", got, err)
	}
	closed, err := desk.Close(ctx, tk.ID, m[1], "tracked it: arrives Monday")
	if err != nil || closed.Open() || closed.ClosedBy != m[1] || closed.Resolution != "tracked it: arrives Monday" || !closed.FirstResponseAt.Equal(at) {
		t.Fatalf("close: %+v %v", closed, err)
	}
	reopened, err := desk.Reopen(ctx, tk.ID, m[1])
	if err != nil || !reopened.Open() || reopened.ClosedBy != 0 || reopened.Resolution != "" || !reopened.ReopenedAt.Equal(at) || reopened.Assignee != m[1] {
		t.Fatalf("reopen: %+v %v", reopened, err)
	}
	var actions []string
	if err := s.DB().Select(&actions, `SELECT action FROM audit_log ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{community.AuditQuestionAsked, support.AuditTicketClaimed, community.AuditTicketClosed, support.AuditTicketReopened}; !slices.Equal(actions, want) {
		t.Errorf("audit %v, want %v", actions, want)
	}
	if _, err := desk.Claim(ctx, 999, m[1]); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("claiming an unknown ticket: %v", err)
	}
}

// TestTicketCustomer: what a ticket is triaged from: the member's tier
// and flags, and an NPS answer of 0-6 since the given time.
func TestTicketCustomer(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"), message("3", "300", "-5"))
	vip, regular, unranked := m[0], m[1], m[2]
	rankVIPAndRegular(t, s, vip, regular)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`UPDATE member_standings SET flags = 3 WHERE member_id = $1 AND $2::timestamptz IS NOT NULL AND $3::bigint IS NOT NULL`,
		`INSERT INTO nps_surveys (opened_at, closes_at) SELECT $2::timestamptz - interval '10 days', $2::timestamptz WHERE $1::bigint IS NOT NULL AND $3::bigint IS NOT NULL`,
		`INSERT INTO nps_answers (survey_id, member_id, score, reason, tier, clv, platform, answered_at)
		 SELECT 1, $3, 4, '', 'regular', 0, 'telegram', $2::timestamptz - interval '5 days' WHERE $1::bigint IS NOT NULL`,
	} {
		if _, err := s.DB().Exec(q, int64(vip), at, int64(regular)); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, c := range []struct {
		member community.MemberID
		since  time.Time
		want   support.Customer
	}{
		{vip, at.Add(-support.DetractorWithin), support.Customer{Ranked: true, Tier: community.TierVIP, Flags: community.FlagAtRiskVIP | community.FlagVerifiedBuyer}},
		{regular, at.Add(-support.DetractorWithin), support.Customer{Ranked: true, Tier: community.TierRegular, Detractor: true}},
		{regular, at.Add(-time.Hour), support.Customer{Ranked: true, Tier: community.TierRegular}}, // the answer is older
		{unranked, at, support.Customer{}},
	} {
		got, err := s.TicketCustomer(ctx, c.member, c.since)
		if err != nil || got != c.want {
			t.Errorf("member %d since %s: %+v %v, want %+v", c.member, c.since, got, err, c.want)
		}
	}
	tk, err := support.NewDesk(s, func() time.Time { return at }).Open(ctx, support.Question{Member: vip, Platform: community.Telegram, Text: "Help?"})
	if err != nil || tk.Urgency != support.UrgencyUrgent || !tk.FirstResponseDue.Equal(at.Add(15*time.Minute)) {
		t.Fatalf("an at-risk VIP's ticket: %+v %v", tk, err)
	}
	if got, err := s.Ticket(ctx, tk.ID); err != nil || got.Urgency != support.UrgencyUrgent || !got.ResolutionDue.Equal(at.Add(4*time.Hour)) {
		t.Fatalf("stored: %+v %v", got, err)
	}
}

// rankVIPAndRegular gives vip a VIP's standing (priority 90) and regular
// a regular's (priority 10), as a recompute would.
func rankVIPAndRegular(t *testing.T, s *storage.Store, vip, regular community.MemberID) {
	t.Helper()
	if _, err := s.DB().Exec(`
INSERT INTO member_standings (member_id, tier, priority, value_percentile, score_log, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
VALUES ($1, 'vip', 90, 95, 1, 50, 2, 0, 0, 0, now()), ($2, 'regular', 10, 5, 1, 50, 3, 0, 0, 0, now())`, int64(vip), int64(regular)); err != nil {
		t.Fatal(err)
	}
}

// TestStoredTicketsFollowTheQueue: the stored tickets carry their urgency
// and due times and whether their member is ranked yet, so the desk's
// queue comes in the support queue's order, cut to its limit.
func TestStoredTicketsFollowTheQueue(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"))
	ranked, unranked := m[0], m[1]
	if _, err := s.DB().Exec(`
INSERT INTO member_standings (member_id, tier, priority, value_percentile, score_log, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
VALUES ($1, 'loyal', 0, 0, 0, 0, 1, 0, 0, 0, now())`, int64(ranked)); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC) // the loyal member's tickets are normal, the other's low
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

// TestSLAAlertsAreRaisedOnce: two replicas' monitors raising the same
// breach at once save it, its audit entry and its event once; an alert no
// longer due (another due time, the ticket closed since) raises nothing.
func TestSLAAlertsAreRaisedOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"))
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tk, err := support.NewDesk(s, func() time.Time { return at }).Open(ctx, support.Question{Member: m[0], Platform: community.Telegram, Text: "Help?"})
	if err != nil {
		t.Fatal(err)
	}
	later := at.Add(9 * time.Hour) // past the low ticket's 8h first response
	results := make(chan int, 2)
	for range 2 {
		go func() {
			n, err := support.SLAMonitor(ctx, s, support.DefaultSLAPolicy(), later)
			if err != nil {
				t.Error(err)
			}
			results <- n
		}()
	}
	if total := <-results + <-results; total != 1 {
		t.Errorf("two monitors raised %d alerts, want the breach once", total)
	}
	count := func(q string) int {
		var n int
		if err := s.DB().Get(&n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if a, b, e := count(`SELECT count(*) FROM ticket_sla_alerts`), count(`SELECT count(*) FROM audit_log WHERE action = 'ticket.sla_breached'`),
		count(`SELECT count(*) FROM outbox_events WHERE kind = 'support.sla_alert'`); a != 1 || b != 1 || e != 1 {
		t.Errorf("%d alerts, %d audit entries, %d events; want 1 each", a, b, e)
	}
	stale := support.Alert{Ticket: tk.ID, Clock: support.ClockResolution, Kind: support.AlertBreach, Due: tk.ResolutionDue.Add(-time.Hour), At: later}
	if ok, err := s.RaiseAlert(ctx, stale, support.Effects{}); err != nil || ok {
		t.Errorf("an alert for a due time the ticket no longer has: %v %v", ok, err)
	}
	if _, err := support.NewDesk(s, func() time.Time { return later }).Close(ctx, tk.ID, m[0], ""); err != nil {
		t.Fatal(err)
	}
	closed := support.Alert{Ticket: tk.ID, Clock: support.ClockResolution, Kind: support.AlertBreach, Due: tk.ResolutionDue, At: later}
	if ok, err := s.RaiseAlert(ctx, closed, support.Effects{}); err != nil || ok {
		t.Errorf("an alert on a ticket closed since the monitor read it: %v %v", ok, err)
	}
}

// TestSupportReport: a week's report counts the tickets opened in it by
// tier, the medians of the times to a first answer and to resolution,
// the breaches, CSAT of the tickets closed in it and the knowledge base's
// outcomes; what happened before the week is left out.
func TestSupportReport(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"), message("3", "300", "-5"))
	vip, regular, staff := m[0], m[1], m[2]
	rankVIPAndRegular(t, s, vip, regular)
	start := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	now := start
	desk := support.NewDesk(s, func() time.Time { return now })
	open := func(member community.MemberID) support.Ticket {
		t.Helper()
		tk, err := desk.Open(ctx, support.Question{Member: member, Platform: community.Telegram, Text: "?"})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	old := open(regular) // before the week
	now = start.Add(8 * 24 * time.Hour)
	if _, err := desk.Close(ctx, old.ID, staff, ""); err != nil { // closed in the week, opened before it
		t.Fatal(err)
	}
	if _, err := desk.Rate(ctx, old.ID, regular, 1); err != nil {
		t.Fatal(err)
	}
	a, b := open(vip), open(regular)
	open(vip) // never answered
	now = now.Add(10 * time.Minute)
	if _, err := desk.Close(ctx, a.ID, staff, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Rate(ctx, a.ID, vip, 5); err != nil {
		t.Fatal(err)
	}
	now = now.Add(20 * time.Minute)
	if _, err := desk.Close(ctx, b.ID, staff, ""); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour) // the third's first response (1h) is missed
	if _, err := support.SLAMonitor(ctx, s, desk.Policy(), now); err != nil {
		t.Fatal(err)
	}
	rep, err := support.WeekReport(ctx, s, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Opened != 3 || rep.ByTier["vip"] != 2 || rep.ByTier["regular"] != 1 || rep.Closed != 3 || rep.OpenNow != 1 ||
		rep.Responded != 2 || rep.MedianFirstResponse != 20*time.Minute || rep.Resolved != 2 || rep.MedianResolution != 20*time.Minute ||
		rep.Breaches != 1 || rep.Rated != 2 || rep.MeanCSAT != 3 || rep.Asked != 0 || rep.KBHitRate() != 0 {
		t.Errorf("report %+v", rep)
	}
}

// TestRelayIsOncePerUpdate: the same update relayed twice (a restart
// between saving and marking it handled, or two replicas) saves one
// message and queues one event; a reply on a closed ticket is refused and
// saves nothing; a note is never queued for the member.
func TestRelayIsOncePerUpdate(t *testing.T) {
	s, desk, tk, member, staff, at := openedTicket(t)
	ctx := context.Background()
	for range 2 {
		if _, err := desk.FromStaffToMember(ctx, s, tk.ID, staff, "Ann", support.Said{Text: "It ships today.", Source: "telegram:u1"}); err != nil {
			t.Fatal(err)
		}
		if relay, ok, err := desk.FromMemberToStaff(ctx, s, member, support.Said{Text: "thanks", Source: "telegram:u2"}); err != nil || !ok || relay.Reopened {
			t.Fatalf("member's message: %+v %v %v", relay, ok, err)
		}
	}
	if _, err := desk.FromStaffToMember(ctx, s, tk.ID, staff, "Ann", support.Said{Text: "! refund if late", Source: "telegram:u3"}); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := s.DB().Get(&n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM ticket_messages`); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
	if to, from := count(`SELECT count(*) FROM outbox_events WHERE kind = 'support.relay_to_member'`),
		count(`SELECT count(*) FROM outbox_events WHERE kind = 'support.relay_to_staff'`); to != 1 || from != 1 {
		t.Errorf("%d events to the member, %d to staff; want 1 each", to, from)
	}
	got, err := s.Ticket(ctx, tk.ID)
	if err != nil || !got.FirstResponseAt.Equal(at) {
		t.Errorf("first response %v, %v", got.FirstResponseAt, err)
	}
	if _, err := desk.Close(ctx, tk.ID, staff, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.FromStaffToMember(ctx, s, tk.ID, staff, "Ann", support.Said{Text: "one more thing", Source: "telegram:u4"}); community.ErrorCode(err) != community.EConflict {
		t.Errorf("a reply on a closed ticket: %v", err)
	}
	if n := count(`SELECT count(*) FROM ticket_messages`); n != 3 {
		t.Errorf("a refused reply was saved: %d messages", n)
	}
	msgs, err := s.Messages(ctx, tk.ID)
	if err != nil || len(msgs) != 3 || msgs[0].Direction != support.FromStaff || msgs[1].Direction != support.FromMember ||
		msgs[2].Direction != support.StaffNote || msgs[2].Text != "refund if late" || msgs[0].AuthorName != "Ann" {
		t.Errorf("messages %+v, %v", msgs, err)
	}
}

// TestTicketConversationsInExportAndErasure: a member's export holds
// their tickets' conversation without staff's notes or resolution, and a
// staff member's holds none of it; forgetting the staff member keeps
// their replies without their name, forgetting the member takes the
// ticket and its conversation.
func TestTicketConversationsInExportAndErasure(t *testing.T) {
	s, desk, tk, member, staff, at := openedTicket(t)
	ctx := context.Background()
	for _, msg := range []struct{ text, source string }{{"It ships today.", "telegram:a"}, {"!customer seems upset", "telegram:b"}} {
		if _, err := desk.FromStaffToMember(ctx, s, tk.ID, staff, "Ann", support.Said{Text: msg.text, Source: msg.source}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := desk.Close(ctx, tk.ID, staff, "refunded the shipping"); err != nil {
		t.Fatal(err)
	}
	export := func(who community.MemberID) string {
		out, err := s.ExportMember(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	mine := export(member)
	if !strings.Contains(mine, "It ships today.") || strings.Contains(mine, "customer seems upset") || strings.Contains(mine, "refunded the shipping") {
		t.Errorf("the member's export:\n%s", mine)
	}
	if theirs := export(staff); strings.Contains(theirs, "customer seems upset") || strings.Contains(theirs, "It ships today.") {
		t.Errorf("the staff member's export holds another member's ticket:\n%s", theirs)
	}
	if err := s.EraseMember(ctx, community.Erasure{Member: staff, At: at}, erasureRules(at)); err != nil {
		t.Fatal(err)
	}
	var names []string
	if err := s.DB().Select(&names, `SELECT author_name FROM ticket_messages ORDER BY id`); err != nil || strings.Join(names, ",") != "," {
		t.Errorf("authors after forgetting the staff member: %q %v", names, err)
	}
	if err := s.EraseMember(ctx, community.Erasure{Member: member, At: at}, erasureRules(at)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().Get(&n, `SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM ticket_messages)`); err != nil || n != 0 {
		t.Errorf("%d tickets and messages left after forgetting the member, %v", n, err)
	}
}

// openedTicket is a store with a member's open ticket, "Where is my
// order?", a staff member, and the desk that opened it at at.
func openedTicket(t *testing.T) (s *storage.Store, desk *support.Desk, tk support.Ticket, member, staff community.MemberID, at time.Time) {
	t.Helper()
	s = newStore(t)
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"))
	member, staff, at = m[0], m[1], time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	desk = support.NewDesk(s, func() time.Time { return at })
	tk, err := desk.Open(context.Background(), support.Question{Member: member, Platform: community.Telegram, Text: "Where is my order?"})
	if err != nil {
		t.Fatal(err)
	}
	return s, desk, tk, member, staff, at
}
