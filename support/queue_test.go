package support_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/support"
)

// TestQueueOrder: the more urgent ticket is served first, then the one
// due sooner (its first response until answered, then its resolution),
// then the member of higher priority now (members not ranked yet after
// every ranked one), then the lower number.
func TestQueueOrder(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	ticket := func(id int64, u support.Urgency, dueMinutes int, priority float64, ranked bool) support.Ticket {
		return support.Ticket{ID: id, Urgency: u, Priority: priority, Ranked: ranked,
			FirstResponseDue: at.Add(time.Duration(dueMinutes) * time.Minute), ResolutionDue: at.Add(48 * time.Hour)}
	}
	answered := ticket(8, support.UrgencyHigh, 0, 90, true)
	answered.FirstResponseAt = at
	answered.ResolutionDue = at.Add(20 * time.Minute) // due after 2's first response
	tickets := []support.Ticket{
		ticket(1, support.UrgencyLow, 0, 0, false),     // low, due first
		ticket(2, support.UrgencyHigh, 10, 10, true),   // high
		ticket(3, support.UrgencyUrgent, 60, 90, true), // urgent, due last
		ticket(4, support.UrgencyNormal, 30, 0, true),
		ticket(5, support.UrgencyNormal, 30, 10, true), // same due as 4, higher priority
		ticket(6, support.UrgencyNormal, 30, 0, false), // same due, not ranked
		ticket(7, support.UrgencyNormal, 30, 10, true), // as 5, higher number
		answered,
	}
	got := support.FirstServed(tickets, 0)
	var ids []int64
	for _, tk := range got {
		ids = append(ids, tk.ID)
	}
	if want := []int64{3, 2, 8, 5, 7, 4, 6, 1}; !slices.Equal(ids, want) {
		t.Errorf("queue %v, want %v", ids, want)
	}
	if tickets[0].ID != 1 || tickets[7].ID != 8 {
		t.Errorf("FirstServed reordered its input: %v", tickets)
	}
	if top := support.FirstServed(tickets, 2); len(top) != 2 || top[0].ID != 3 || top[1].ID != 2 {
		t.Errorf("the first 2: %v", top)
	}
	if n := len(support.FirstServed(tickets, 50)); n != len(tickets) {
		t.Errorf("a limit above the count kept %d tickets", n)
	}
	for _, tc := range []struct {
		a, b support.Ticket
		want int
	}{
		{tickets[2], tickets[1], -1}, {tickets[1], tickets[2], 1},
		{tickets[3], tickets[0], -1}, {tickets[0], tickets[3], 1},
		{tickets[4], tickets[3], -1}, {tickets[3], tickets[5], -1},
		{tickets[4], tickets[6], -1}, {tickets[1], tickets[1], 0},
	} {
		if got := support.QueueOrder(tc.a, tc.b); got != tc.want {
			t.Errorf("QueueOrder(%d, %d) = %d, want %d", tc.a.ID, tc.b.ID, got, tc.want)
		}
	}
}
