package bots

import (
	"context"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
)

// valueStore answers one member's CLV; the rest of the store is unused.
type valueStore struct {
	ServiceStore
	v community.Value
}

func (s valueStore) MemberValue(context.Context, community.MemberID) (community.Value, error) {
	return s.v, nil
}

// TestWhoisCountsOrdersWithPlurals: the card's value line agrees its
// noun with the number of orders ("1 order", not "1 orders") in every
// language's plural forms.
func TestWhoisCountsOrdersWithPlurals(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang   string
		orders int
		want   string
	}{
		{"en", 1, ", 1 order, "}, {"en", 2, ", 2 orders, "},
		{"ru", 1, ", 1 заказ, "}, {"ru", 3, ", 3 заказа, "}, {"ru", 5, ", 5 заказов, "},
		{"pl", 1, ", 1 zamówienie, "}, {"pl", 22, ", 22 zamówienia, "}, {"pl", 5, ", 5 zamówień, "},
		{"el", 1, ", 1 παραγγελία, "}, {"ro", 20, ", 20 de comenzi, "},
	}
	for _, c := range cases {
		f := &moderationFeature{router: &Router{catalog: cat}, store: valueStore{v: community.Value{CustomerID: "c1", Orders: c.orders,
			Scored: true, Historical: 12, Segment: "Loyal"}}}
		line, err := f.valueLine(context.Background(), c.lang, 1)
		if err != nil || !strings.Contains(line, c.want) {
			t.Errorf("%s, %d orders: %q, %v; want %q", c.lang, c.orders, line, err, c.want)
		}
	}
}
