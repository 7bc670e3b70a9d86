package clv_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/clv"
)

func TestHistoricalCLVIsMarginMinusAcquisitionCost(t *testing.T) {
	margin := 12.0
	orders := []clv.Order{
		{ID: "1", CustomerID: "b", OrderedAt: day(1, 5, 0), Amount: 100, Status: clv.StatusPaid},
		{ID: "2", CustomerID: "a", OrderedAt: day(2, 1, 0), Amount: 40, Margin: &margin, Refunded: 10}, // margin kept: 9
		{ID: "3", CustomerID: "a", OrderedAt: day(1, 1, 0), Amount: 50},                                // margin 0.25 × 50
		{ID: "4", CustomerID: "a", OrderedAt: day(1, 2, 0), Amount: 70, Status: clv.StatusCancelled},
		{ID: "5", CustomerID: "a", OrderedAt: day(9, 1, 0), Amount: 70}, // after End
		{ID: "6", CustomerID: "b", OrderedAt: day(1, 3, 0), Amount: 0},  // free: a purchase of 0
	}
	got, err := clv.HistoricalCLV(orders, clv.HistoricalOptions{End: day(6, 1, 0), MarginRate: 0.25, AcquisitionCost: 15})
	if err != nil {
		t.Fatal(err)
	}
	want := []clv.Historical{
		{CustomerID: "a", Orders: 2, First: day(1, 1, 0), Last: day(2, 1, 0), Revenue: 80, Margin: 21.5, Value: 6.5},
		{CustomerID: "b", Orders: 2, First: day(1, 3, 0), Last: day(1, 5, 0), Revenue: 100, Margin: 25, Value: 10},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("customer %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestHistoricalCLVWithMarginRateOneCountsRevenue(t *testing.T) {
	orders := []clv.Order{{ID: "1", CustomerID: "a", OrderedAt: day(1, 5, 0), Amount: 30}}
	got, err := clv.HistoricalCLV(orders, clv.HistoricalOptions{End: day(6, 1, 0), MarginRate: 1, AcquisitionCost: 50})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Value != -20 {
		t.Errorf("value %v, want revenue 30 − cost 50 = −20", got[0].Value)
	}
}

func TestHistoricalCLVRefusesBadOptions(t *testing.T) {
	orders := []clv.Order{{ID: "1", CustomerID: "a", OrderedAt: day(1, 5, 0), Amount: 30}}
	for _, c := range []struct {
		name   string
		orders []clv.Order
		opt    clv.HistoricalOptions
		want   string
	}{
		{"no end", orders, clv.HistoricalOptions{MarginRate: 1}, "End"},
		{"no margin rate", orders, clv.HistoricalOptions{End: day(6, 1, 0)}, "margin rate"},
		{"margin rate above 1", orders, clv.HistoricalOptions{End: day(6, 1, 0), MarginRate: 30}, "margin rate"},
		{"negative cost", orders, clv.HistoricalOptions{End: day(6, 1, 0), MarginRate: 1, AcquisitionCost: -1}, "acquisition cost"},
		{"no customer", []clv.Order{{ID: "x"}}, clv.HistoricalOptions{End: day(6, 1, 0), MarginRate: 1}, `order 0 ("x")`},
	} {
		if _, err := clv.HistoricalCLV(c.orders, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

func TestSimpleCLV(t *testing.T) {
	if got := clv.SimpleCLV(40, 0.5, 24, 0.3); got < 143.999999 || got > 144.000001 {
		t.Errorf("SimpleCLV(40, 0.5, 24, 0.3) = %v, want 144", got)
	}
}
