package support_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

var deskNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// newDesk is a desk on a fake store whose clock the test moves.
func newDesk() (*support.Desk, *fakeStore, *time.Time) {
	s, now := newFakeStore(), deskNow
	return support.NewDesk(s, func() time.Time { return now }), s, &now
}

// TestOpenTicket: a question is trimmed and opens a ticket, with the
// audit entry of the question and the event that shows it to staff, both
// naming the ticket; an empty or too long question opens nothing.
func TestOpenTicket(t *testing.T) {
	desk, s, _ := newDesk()
	ctx := context.Background()
	for _, tc := range []struct {
		text, key string
	}{
		{"  \n ", "support.ask_empty"},
		{strings.Repeat("é", support.MaxQuestion+1), "support.ask_too_long"},
	} {
		_, err := desk.Open(ctx, support.Question{Member: 7, Text: tc.text})
		if e, ok := errors.AsType[*community.Error](err); !ok || e.Code != community.EInvalid || e.Key != tc.key {
			t.Errorf("a question of %d characters: %v, want %s", len(tc.text), err, tc.key)
		}
	}
	if len(s.tickets) != 0 || len(s.audit) != 0 || len(s.events) != 0 {
		t.Fatalf("refused questions saved %d tickets, %d audit entries, %d events", len(s.tickets), len(s.audit), len(s.events))
	}
	if _, err := desk.Open(ctx, support.Question{Member: 7, Text: strings.Repeat("é", support.MaxQuestion)}); err != nil {
		t.Errorf("a question of the longest length: %v", err)
	}
	s.customers[7] = support.Customer{Ranked: true, Tier: community.TierVIP}
	tk, err := desk.Open(ctx, support.Question{Member: 7, Name: "Alice", Platform: community.Telegram, Where: "Tea Room", Text: " Do you ship to Crete? ", At: deskNow.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := support.Ticket{ID: 2, Member: 7, Name: "Alice", Platform: community.Telegram, AskedIn: "Tea Room", Text: "Do you ship to Crete?", OpenedAt: deskNow,
		Urgency: support.UrgencyHigh, FirstResponseDue: deskNow.Add(time.Hour), ResolutionDue: deskNow.Add(8 * time.Hour), OpenTier: "vip"}
	if tk != want || !tk.Open() {
		t.Errorf("ticket %+v, want %+v", tk, want)
	}
	audit := s.audit[1]
	details, _ := audit.Details.(map[string]any)
	if audit.Action != community.AuditQuestionAsked || audit.Actor != 7 || !audit.At.Equal(deskNow) ||
		details["ticket"] != int64(2) || details["platform"] != "telegram" || details["where"] != "Tea Room" {
		t.Errorf("audit entry %+v", audit)
	}
	ev := s.events[1]
	q, ok := ev.Payload.(support.Question)
	wantQ := support.Question{Ticket: 2, Member: 7, Name: "Alice", Platform: community.Telegram, Where: "Tea Room", Text: "Do you ship to Crete?", At: deskNow,
		Urgency: support.UrgencyHigh, FirstResponseDue: deskNow.Add(time.Hour), Tier: "vip"}
	if ev.Kind != support.EventQuestionAsked || !ok || q != wantQ || !ev.At.Equal(deskNow) {
		t.Errorf("event %+v, want a question %+v", ev, wantQ)
	}
}

// TestCloseTicket: a staff member closes an open ticket once, with an
// audit entry naming who answered whom; closing it again is a conflict
// that records nothing, and an unknown ticket is not found.
func TestCloseTicket(t *testing.T) {
	desk, s, now := newDesk()
	ctx := context.Background()
	tk, err := desk.Open(ctx, support.Question{Member: 7, Name: "Alice", Text: "Oolong?"})
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Hour)
	closed, err := desk.Close(ctx, tk.ID, 3, "")
	if err != nil || closed.Open() || closed.ClosedBy != 3 || !closed.ClosedAt.Equal(*now) {
		t.Fatalf("close: %+v, %v", closed, err)
	}
	audit := s.audit[len(s.audit)-1]
	if audit.Action != community.AuditTicketClosed || audit.Actor != 3 || audit.Target != 7 || !audit.At.Equal(*now) || audit.Details.(map[string]any)["ticket"] != tk.ID {
		t.Errorf("audit entry %+v", audit)
	}
	if _, err := desk.Close(ctx, tk.ID, 4, ""); community.ErrorCode(err) != community.EConflict {
		t.Errorf("closing twice: %v, want a conflict", err)
	}
	if _, err := desk.Close(ctx, 99, 3, ""); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("closing an unknown ticket: %v, want not found", err)
	}
	if len(s.audit) != 2 || len(s.events) != 2 {
		t.Fatalf("%d audit entries and %d events, want 2 (asked, closed) and 2 (asked, closed)", len(s.audit), len(s.events))
	}
	if c, ok := s.events[1].Payload.(support.Closed); s.events[1].Kind != support.EventTicketClosed || !ok ||
		c != (support.Closed{Ticket: tk.ID, Member: 7, Text: "Oolong?", At: *now}) {
		t.Errorf("the closing event %+v", s.events[1])
	}
}

// TestQueue: the queue holds open tickets only, of everyone or of one
// member, the most urgent first (a VIP's), then the one due first, and
// no more than asked.
func TestQueue(t *testing.T) {
	desk, s, now := newDesk()
	ctx := context.Background()
	s.priority[1], s.priority[2] = 10, 90 // alice a regular, bob a VIP; carol not ranked yet
	s.customers[1] = support.Customer{Ranked: true, Tier: community.TierRegular}
	s.customers[2] = support.Customer{Ranked: true, Tier: community.TierVIP}
	ask := func(m community.MemberID) int64 {
		t.Helper()
		*now = now.Add(time.Minute)
		tk, err := desk.Open(ctx, support.Question{Member: m, Text: "?"})
		if err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	carols, alices, bobs, alices2, answered := ask(3), ask(1), ask(2), ask(1), ask(2)
	if _, err := desk.Close(ctx, answered, 9, ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		member community.MemberID
		limit  int
		want   []int64
	}{
		{0, 10, []int64{bobs, carols, alices, alices2}},
		{0, 2, []int64{bobs, carols}},
		{1, 10, []int64{alices, alices2}},
		{2, 10, []int64{bobs}},
	} {
		got, err := desk.Queue(ctx, tc.member, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, tk := range got {
			ids = append(ids, tk.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("queue of member %d (limit %d): %v, want %v", tc.member, tc.limit, ids, tc.want)
		}
	}
}

// TestStoreFailuresPassThrough: a store that fails fails every service
// call, with its error.
func TestStoreFailuresPassThrough(t *testing.T) {
	desk, s, _ := newDesk()
	ctx := context.Background()
	s.fail = errors.New("database down")
	if _, err := desk.Open(ctx, support.Question{Member: 1, Text: "?"}); !errors.Is(err, s.fail) {
		t.Errorf("open: %v", err)
	}
	if _, err := desk.Close(ctx, 1, 2, ""); !errors.Is(err, s.fail) {
		t.Errorf("close: %v", err)
	}
	if _, err := desk.Queue(ctx, 0, 10); !errors.Is(err, s.fail) {
		t.Errorf("queue: %v", err)
	}
	if _, err := desk.MarkHelpful(ctx, 5, "a1", 1, true); !errors.Is(err, s.fail) {
		t.Errorf("mark helpful: %v", err)
	}
}

// TestTicketLifecycle: a ticket is claimed once (a second staff member is
// told who has it), handed over with Assign, closed with a resolution
// (which answers it, if nobody had), reopened with a new resolution due
// time, each change audited; a change that does not apply records nothing.
func TestTicketLifecycle(t *testing.T) {
	desk, s, now := newDesk()
	ctx := context.Background()
	s.customers[7] = support.Customer{Ranked: true, Tier: community.TierLoyal} // normal: 4h/24h
	tk, err := desk.Open(ctx, support.Question{Member: 7, Name: "Alice", Text: "Oolong?"})
	if err != nil {
		t.Fatal(err)
	}
	code := func(err error) string {
		if e, ok := errors.AsType[*community.Error](err); ok {
			return e.Key
		}
		return fmt.Sprint(err)
	}
	if got, err := desk.Claim(ctx, tk.ID, 3); err != nil || got.Assignee != 3 {
		t.Fatalf("claim: %+v %v", got, err)
	}
	if _, err := desk.Claim(ctx, tk.ID, 3); code(err) != "tickets.already_yours" {
		t.Errorf("claiming one's own ticket: %v", err)
	}
	if _, err := desk.Claim(ctx, tk.ID, 4); code(err) != "tickets.claimed_by" {
		t.Errorf("claiming another's ticket: %v", err)
	}
	if got, err := desk.Assign(ctx, tk.ID, 4, 3); err != nil || got.Assignee != 4 {
		t.Fatalf("assign: %+v %v", got, err)
	}
	if _, err := desk.Reopen(ctx, tk.ID, 4); code(err) != "tickets.still_open" {
		t.Errorf("reopening an open ticket: %v", err)
	}
	if _, err := desk.Close(ctx, tk.ID, 4, strings.Repeat("x", support.MaxResolution+1)); code(err) != "tickets.resolution_too_long" {
		t.Errorf("a long resolution: %v", err)
	}
	if _, err := desk.Close(ctx, tk.ID, 4, "bad\x00"); code(err) != "tickets.bad_text" {
		t.Errorf("a resolution with a NUL: %v", err)
	}
	*now = now.Add(2 * time.Hour)
	closed, err := desk.Close(ctx, tk.ID, 4, "  sent the oolong guide ")
	if err != nil || closed.Resolution != "sent the oolong guide" || !closed.FirstResponseAt.Equal(*now) || closed.Open() {
		t.Fatalf("close: %+v %v", closed, err)
	}
	if _, err := desk.Claim(ctx, tk.ID, 3); code(err) != "tickets.already_closed" {
		t.Errorf("claiming a closed ticket: %v", err)
	}
	*now = now.Add(48 * time.Hour)
	reopened, err := desk.Reopen(ctx, tk.ID, 3)
	if err != nil || !reopened.Open() || reopened.Resolution != "" || !reopened.ReopenedAt.Equal(*now) ||
		!reopened.ResolutionDue.Equal(now.Add(24*time.Hour)) || !reopened.FirstResponseAt.Equal(closed.FirstResponseAt) || reopened.Assignee != 4 {
		t.Fatalf("reopen: %+v %v", reopened, err)
	}
	var actions []string
	for _, a := range s.audit {
		actions = append(actions, a.Action)
	}
	if want := []string{community.AuditQuestionAsked, support.AuditTicketClaimed, support.AuditTicketAssigned, community.AuditTicketClosed, support.AuditTicketReopened}; !slices.Equal(actions, want) {
		t.Errorf("audit %v, want %v", actions, want)
	}
	if d := s.audit[3].Details.(map[string]any); d["resolution"] != nil {
		t.Errorf("the close's audit details name the resolution, which the member's export would show: %v", d)
	}
}
