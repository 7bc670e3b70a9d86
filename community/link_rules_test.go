package community

import (
	"fmt"
	"testing"
	"time"
)

// TestClaimCustomer: a customer linked to nobody may be claimed; one the
// member holds already needs nothing; one another member holds is theirs.
func TestClaimCustomer(t *testing.T) {
	if link, err := ClaimCustomer(1, 0, "c"); err != nil || !link {
		t.Errorf("a free customer: %v, %v; want a link", link, err)
	}
	if link, err := ClaimCustomer(1, 1, "c"); err != nil || link {
		t.Errorf("the member's own customer: %v, %v; want nothing to do", link, err)
	}
	_, err := ClaimCustomer(1, 2, "c")
	if e, ok := err.(*Error); !ok || e.Code != EConflict || e.Key != "link.taken" {
		t.Errorf("another member's customer: %v; want link.taken", err)
	}
}

// TestOrderIDLinks: members linked already keep their customer; the most
// recently updated customer wins a member, the smallest id on a tie; the
// smallest member wins a customer chosen twice.
func TestOrderIDLinks(t *testing.T) {
	jan, feb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	got := OrderIDLinks([]OrderIDMatch{
		{Customer: "cA", Member: 1, UpdatedAt: jan},
		{Customer: "cB", Member: 1, UpdatedAt: feb},
		{Customer: "cC", Member: 2, UpdatedAt: feb, MemberLinked: true},
		{Customer: "cD", Member: 4, UpdatedAt: jan},
		{Customer: "cD", Member: 3, UpdatedAt: jan},
		{Customer: "cF", Member: 5, UpdatedAt: jan},
		{Customer: "cE", Member: 5, UpdatedAt: jan},
	})
	var pairs []string
	for _, m := range got {
		pairs = append(pairs, fmt.Sprintf("%s:%d", m.Customer, m.Member))
	}
	if want := "[cB:1 cD:3 cE:5]"; fmt.Sprint(pairs) != want {
		t.Errorf("links %v, want %s", pairs, want)
	}
	if got := OrderIDLinks(nil); len(got) != 0 {
		t.Errorf("no matches: %v", got)
	}
}
