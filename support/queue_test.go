package support_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/support"
)

// TestQueueOrder: the member of higher priority is served first, members
// not ranked yet after every ranked one (even one of priority 0), then
// the question that waited longer, then the lower number.
func TestQueueOrder(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	ticket := func(id int64, priority float64, ranked bool, minutes int) support.Ticket {
		return support.Ticket{ID: id, Priority: priority, Ranked: ranked, OpenedAt: at.Add(time.Duration(minutes) * time.Minute)}
	}
	tickets := []support.Ticket{
		ticket(1, 0, false, 0),  // unranked, oldest
		ticket(2, 10, true, 5),  // regular
		ticket(3, 90, true, 20), // VIP, newest
		ticket(4, 0, true, 30),  // ranked at 0
		ticket(5, 10, true, 5),  // regular, same time as 2
		ticket(6, 10, true, 1),  // regular, older than 2
		ticket(7, 0, false, 2),  // unranked
	}
	got := support.FirstServed(tickets, 0)
	var ids []int64
	for _, tk := range got {
		ids = append(ids, tk.ID)
	}
	if want := []int64{3, 6, 2, 5, 4, 1, 7}; !slices.Equal(ids, want) {
		t.Errorf("queue %v, want %v", ids, want)
	}
	if tickets[0].ID != 1 || tickets[6].ID != 7 {
		t.Errorf("FirstServed reordered its input: %v", tickets)
	}
	if top := support.FirstServed(tickets, 2); len(top) != 2 || top[0].ID != 3 || top[1].ID != 6 {
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
		{tickets[1], tickets[4], -1}, {tickets[1], tickets[1], 0},
	} {
		if got := support.QueueOrder(tc.a, tc.b); got != tc.want {
			t.Errorf("QueueOrder(%d, %d) = %d, want %d", tc.a.ID, tc.b.ID, got, tc.want)
		}
	}
}
