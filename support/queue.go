package support

import (
	"cmp"
	"slices"
)

// QueueOrder compares two open tickets for the queue staff serve: the
// more urgent first (urgency comes from the member's standing when the
// ticket opened: VIPs and recent detractors ahead), then the one due
// sooner (its first response, or its resolution once answered), then the
// member of higher priority now, then the lower ticket number. It suits
// slices.SortFunc.
func QueueOrder(a, b Ticket) int {
	if c := cmp.Compare(a.Urgency.rank(), b.Urgency.rank()); c != 0 {
		return c
	}
	if c := a.Due().Compare(b.Due()); c != 0 {
		return c
	}
	if a.Ranked != b.Ranked {
		if a.Ranked {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
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
