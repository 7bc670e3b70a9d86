package community

// LinkVia is how a member came to be linked to a shop customer.
type LinkVia string

// The ways a member is linked to a shop customer.
const (
	// NotLinked: the member is linked to no customer.
	NotLinked LinkVia = ""
	// LinkedByToken: the member used the signed link of an order e-mail,
	// which proves they read the customer's mailbox.
	LinkedByToken LinkVia = "token"
	// LinkedByOrder: an order carried the member's platform id, which
	// anyone placing an order could have typed.
	LinkedByOrder LinkVia = "order"
)

// Purchases are the facts "verified buyer" is decided from: how the member
// is linked to a shop customer and how many paid orders that customer has.
type Purchases struct {
	Via        LinkVia
	PaidOrders int
}

// VerifiedBuyer is the one definition of a verified buyer: linked through
// the signed link of an order e-mail, with a paid order. It skips the
// captcha, exempts from the newcomers' automod rule, sets the flag staff
// see and earns the "verified buyer" milestone.
func (p Purchases) VerifiedBuyer() bool {
	return p.Via == LinkedByToken && p.PaidOrders > 0
}
