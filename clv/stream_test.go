package clv_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/clvtest"
)

// inReverse yields orders customer by customer, the customers in reverse
// id order (each one's orders as given), as a database whose collation
// does not sort ids byte by byte may.
func inReverse(orders []clv.Order) clv.CustomerOrders {
	return func(yield func([]clv.Order) error) error {
		var groups [][]clv.Order
		if err := clv.OrdersByCustomer(orders)(func(one []clv.Order) error {
			groups = append(groups, slices.Clone(one))
			return nil
		}); err != nil {
			return err
		}
		for _, g := range slices.Backward(groups) {
			if err := yield(g); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestScoreEachGivesTheInMemoryRun: on CDNOW's orders with margins,
// refunds, cancellations and orders after the end, in days, weeks and
// months, in UTC and five hours behind, and with too few customers for a
// fit, streaming the orders customer by customer (in id order or not)
// gives bit for bit the models and scores of the run that held every order
// in memory.
func TestScoreEachGivesTheInMemoryRun(t *testing.T) {
	orders := clvtest.CDNOWOrders(t)
	end := time.Date(1998, 1, 31, 23, 59, 59, 0, clvtest.Zone)
	cases := []struct {
		name   string
		orders []clv.Order
		opt    clv.ScoreOptions
	}{
		{"weeks in UTC", orders, clv.ScoreOptions{End: end, Period: clv.Week, HorizonMonths: 12, DiscountRate: 0.01, MarginRate: 1}},
		{"days behind UTC", orders, clv.ScoreOptions{End: end, Location: clvtest.Zone, Period: clv.Day, HorizonMonths: 6,
			DiscountRate: 0.02, MarginRate: 0.6, AcquisitionCost: 5}},
		{"months behind UTC", orders, clv.ScoreOptions{End: end, Location: clvtest.Zone, Period: clv.Month, HorizonMonths: 24,
			DiscountRate: 0.01, MarginRate: 0.4, AcquisitionCost: 2}},
		{"too few customers", orders[:30], clv.ScoreOptions{End: end, Period: clv.Week, HorizonMonths: 12, DiscountRate: 0.01, MarginRate: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantRun, want, err := clvtest.ScoreInMemory(c.orders, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if wantRun.Later == 0 || len(want) == 0 || (c.name != "too few customers") != (wantRun.Error == "") {
				t.Fatalf("the case does not test what it says: %+v, %d scores", wantRun, len(want))
			}
			run, got, err := clv.Score(c.orders, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			clvtest.CompareRuns(t, run, got, wantRun, want)
			run, scores, err := clv.ScoreEach(inReverse(c.orders), c.opt)
			if err != nil {
				t.Fatal(err)
			}
			clvtest.CompareRuns(t, run, slices.Collect(scores.All()), wantRun, want)
			if n, want := scores.OneTimeBuyers(), clv.OneTimeBuyers(want); n != want {
				t.Errorf("one-time buyers: %d, want %d", n, want)
			}
		})
	}
}

// TestScoreEachRefusesMixedUpCustomers: a customer whose orders come twice,
// or orders of two customers yielded as one's, are errors naming them.
func TestScoreEachRefusesMixedUpCustomers(t *testing.T) {
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	a := clv.Order{ID: "1", CustomerID: "a", OrderedAt: at, Amount: 10, Status: clv.StatusPaid}
	b := clv.Order{ID: "2", CustomerID: "b", OrderedAt: at, Amount: 20, Status: clv.StatusPaid}
	opt := clv.ScoreOptions{End: at.AddDate(0, 1, 0), Period: clv.Day, HorizonMonths: 12, MarginRate: 1}
	yields := func(groups ...[]clv.Order) clv.CustomerOrders {
		return func(yield func([]clv.Order) error) error {
			for _, g := range groups {
				if err := yield(g); err != nil {
					return err
				}
			}
			return nil
		}
	}
	for _, c := range []struct {
		orders clv.CustomerOrders
		want   string
	}{
		{yields([]clv.Order{a}, []clv.Order{b}, []clv.Order{a}), `customer "a" came twice`},
		{yields([]clv.Order{b}, []clv.Order{a}, []clv.Order{b}), `customer "b" came twice`},
		{yields([]clv.Order{a, b}), `order "2" of customer "b" came with the orders of customer "a"`},
	} {
		if _, _, err := clv.ScoreEach(c.orders, opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one saying %s", err, c.want)
		}
	}
}
