package storage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/clvtest"
)

// TestCLVRunStreamedGivesTheInMemoryRun: the CLV run over CDNOW's orders
// stored in PostgreSQL (margins, refunds on the order and reported apart,
// cancelled and refunded orders, orders dated after the run), streamed
// customer by customer, fits bit for bit the models and gives the scores
// that scoring every order read into memory at once gave, and saves them.
func TestCLVRunStreamedGivesTheInMemoryRun(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	orders := clvtest.CDNOWOrders(t)
	importOrders(t, s, orders...)
	for i, o := range orders {
		if i%29 == 0 { // a refund reported on its own: it counts when larger than the order's
			if err := s.SaveRefund(ctx, "csv", clv.Refund{ID: fmt.Sprintf("r%d", i), OrderID: o.ID, Amount: o.Amount / 3}); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := time.Date(1998, 1, 31, 23, 59, 59, 0, clvtest.Zone)
	opt := clv.ScoreOptions{Location: clvtest.Zone, Period: clv.Week, HorizonMonths: 12, DiscountRate: 0.01, MarginRate: 0.6,
		AcquisitionCost: 5}

	// The run as it was: every paid order in one slice, then scored.
	all := ordersForCLV(t, s)
	opt.End = now
	wantRun, want, err := clvtest.ScoreInMemory(all, opt)
	if err != nil {
		t.Fatal(err)
	}
	wantRun.ComputedAt = now
	if wantRun.Error != "" || wantRun.Later == 0 || len(want) < 2000 {
		t.Fatalf("the data do not test what they should: %+v with %d scores", wantRun, len(want))
	}

	run, scores, err := clv.Refresh(ctx, s, opt, now)
	if err != nil {
		t.Fatal(err)
	}
	clvtest.CompareRuns(t, run, slices.Collect(scores.All()), wantRun, want)
	if n := count(t, s, `SELECT count(*) FROM clv_snapshots`); n != len(want) {
		t.Errorf("%d snapshots saved, want %d", n, len(want))
	}
	var first clv.CustomerScore
	if err := s.DB().QueryRow(`SELECT customer_id, orders, revenue, predicted_clv FROM clv_snapshots WHERE customer_id = $1`, want[0].CustomerID).
		Scan(&first.CustomerID, &first.Orders, &first.Revenue, &first.Predicted); err != nil {
		t.Fatal(err)
	}
	if w := want[0]; first.CustomerID != w.CustomerID || first.Orders != w.Orders || first.Revenue != w.Revenue || first.Predicted != w.Predicted {
		t.Errorf("saved %+v, want %+v", first, w)
	}
}
