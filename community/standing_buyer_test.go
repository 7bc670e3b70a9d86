package community

import (
	"testing"
	"time"
)

// TestVerifiedBuyerNeedsTheSignedLinkAndAPaidOrder: only a member who
// linked through the order e-mail's link and whose customer paid is a
// verified buyer.
func TestVerifiedBuyerNeedsTheSignedLinkAndAPaidOrder(t *testing.T) {
	cases := []struct {
		p    Purchases
		want bool
	}{
		{Purchases{Via: LinkedByToken, PaidOrders: 1}, true},
		{Purchases{Via: LinkedByToken, PaidOrders: 4}, true},
		{Purchases{Via: LinkedByToken}, false},
		{Purchases{Via: LinkedByOrder, PaidOrders: 3}, false},
		{Purchases{Via: NotLinked, PaidOrders: 3}, false},
		{Purchases{}, false},
	}
	for _, c := range cases {
		if got := c.p.VerifiedBuyer(); got != c.want {
			t.Errorf("%+v: verified buyer %v, want %v", c.p, got, c.want)
		}
	}
}

// TestOneDefinitionOfVerifiedBuyer: the flag and the milestone follow the
// same rule; a customer linked by an order id is valued as a buyer but
// neither flagged nor congratulated as a verified one.
func TestOneDefinitionOfVerifiedBuyer(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	r := DefaultTierRules()
	for _, via := range []LinkVia{LinkedByToken, LinkedByOrder} {
		in := StandingInput{Since: now.AddDate(-1, 0, 0), Via: via, Orders: 2, HistoricalPercentile: 95}
		st := r.Classify(in, now)
		verified := in.Purchases().VerifiedBuyer()
		if st.Flags.Has(FlagVerifiedBuyer) != verified {
			t.Errorf("%s: flags %b, verified buyer %v", via, st.Flags, verified)
		}
		if st.Tier != TierVIP || st.Value != 95 {
			t.Errorf("%s: %s with value %v; want a VIP by value whatever the link", via, st.Tier, st.Value)
		}
		got := NewMilestones(Progress{Via: via, Orders: 2}, 0, nil)
		reached := len(got) > 0 && got[0] == "first_purchase"
		if reached != verified {
			t.Errorf("%s: milestones %v; first_purchase %v, want %v", via, got, reached, verified)
		}
	}
}
