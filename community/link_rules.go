package community

import (
	"cmp"
	"slices"
	"time"
)

// ClaimCustomer decides whether member may be linked to customer, which
// holder is linked to now (0: nobody): true when there is something to
// link, false when they are linked already. A customer linked to another
// member stays theirs (EConflict, link.taken); the member leaves any
// customer they were linked to before.
func ClaimCustomer(member, holder MemberID, customer string) (bool, error) {
	switch holder {
	case 0:
		return true, nil
	case member:
		return false, nil
	}
	return false, Errorf(EConflict, "link.taken", nil, "customer %q is linked to member %d", customer, holder)
}

// OrderIDMatch is a customer linked to nobody whose orders carry the
// platform id of a member.
type OrderIDMatch struct {
	Customer     string
	Member       MemberID
	MemberLinked bool      // the member is linked to a customer already
	UpdatedAt    time.Time // when the shop last updated the customer
}

// OrderIDLinks decides which matches become links (LinkedByOrder): only a
// member linked to no customer is linked by an id an order carries; when
// several customers carry one member's ids, the most recently updated
// wins (on a tie, the smallest customer id); when one customer is so
// chosen by several members, the smallest member id wins. The result is
// sorted by member.
func OrderIDLinks(matches []OrderIDMatch) []OrderIDMatch {
	perMember := map[MemberID]OrderIDMatch{}
	for _, m := range matches {
		if m.MemberLinked {
			continue
		}
		if b, ok := perMember[m.Member]; !ok || m.UpdatedAt.After(b.UpdatedAt) || (m.UpdatedAt.Equal(b.UpdatedAt) && m.Customer < b.Customer) {
			perMember[m.Member] = m
		}
	}
	perCustomer := map[string]OrderIDMatch{}
	for _, m := range perMember {
		if b, ok := perCustomer[m.Customer]; !ok || m.Member < b.Member {
			perCustomer[m.Customer] = m
		}
	}
	out := make([]OrderIDMatch, 0, len(perCustomer))
	for _, m := range perCustomer {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b OrderIDMatch) int { return cmp.Compare(a.Member, b.Member) })
	return out
}
