package storage_test

import (
	"context"
	"testing"

	"github.com/hearthbot/hearth/community"
)

// TestVerifiedBuyerReadsTheFactsOfTheRule: the store reads how a member
// is linked and their customer's paid orders, and answers by the one rule
// (community.Purchases.VerifiedBuyer).
func TestVerifiedBuyerReadsTheFactsOfTheRule(t *testing.T) {
	f := newStandingsFixture(t, map[string]int{"ann": 200, "ben": 200, "cat": 200, "dan": 200})
	ctx := context.Background()
	for _, name := range []string{"ann", "cat"} {
		if err := f.s.LinkCustomer(ctx, f.members[name], "cust-"+name); err != nil {
			t.Fatal(err)
		}
	}
	f.exec(`INSERT INTO customers (id, member_id, linked_at, linked_via) VALUES ('cust-ben', $1, now(), 'order')`, f.members["ben"])
	f.exec(`INSERT INTO orders (id, customer_id, ordered_at, amount, status, source) VALUES
		('o1', 'cust-ann', now(), 10, 'paid', 'csv'), ('o2', 'cust-ann', now(), 5, 'paid', 'csv'),
		('o3', 'cust-ben', now(), 10, 'paid', 'csv'), ('o4', 'cust-cat', now(), 10, 'refunded', 'csv')`)
	want := map[string]community.Purchases{
		"ann": {Via: community.LinkedByToken, PaidOrders: 2},
		"ben": {Via: community.LinkedByOrder, PaidOrders: 1},
		"cat": {Via: community.LinkedByToken},
		"dan": {},
	}
	for name, p := range want {
		got, err := f.s.MemberPurchases(ctx, f.members[name])
		if err != nil || got != p {
			t.Errorf("%s: purchases %+v, %v; want %+v", name, got, err, p)
		}
		verified, err := f.s.VerifiedBuyer(ctx, f.members[name])
		if err != nil || verified != p.VerifiedBuyer() {
			t.Errorf("%s: verified buyer %v, %v; want %v", name, verified, err, p.VerifiedBuyer())
		}
	}
}
