package support

import (
	"cmp"
	"slices"
)

// QueueOrder compares two open tickets for the queue staff serve: the
// member of higher priority (their customer value and engagement, as
// their standing says) first, members whose standing is not computed yet
// after every ranked one, then the question that has waited longer, then
// the lower ticket number. It suits slices.SortFunc.
func QueueOrder(a, b Ticket) int {
	if a.Ranked != b.Ranked {
		if a.Ranked {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
		return c
	}
	if c := a.OpenedAt.Compare(b.OpenedAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// FirstServed returns the first limit of the open tickets in queue order
// (all of them when limit is 0 or less), leaving tickets as it was.
func FirstServed(tickets []Ticket, limit int) []Ticket {
	out := slices.SortedStableFunc(slices.Values(tickets), QueueOrder)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
