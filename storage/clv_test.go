package storage_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
)

// TestCLVOrdersAndSnapshots: EachCustomerOrders applies refunds (the larger of
// the order's own and those reported apart) and leaves out unpaid orders;
// a run's snapshots replace the previous run's, whole.
func TestCLVOrdersAndSnapshots(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	refunded := order("o3", "c2", 7, 30)
	refunded.Refunded = 5
	cancelled := order("o4", "c2", 8, 99)
	cancelled.Status = clv.StatusCancelled
	importOrders(t, s, order("o1", "c1", 1, 10), order("o2", "c1", 20, 20), refunded, cancelled, order("o5", "c3", 28, 50))
	if err := s.SaveRefund(ctx, "csv", clv.Refund{ID: "r1", OrderID: "o3", Amount: 8}); err != nil {
		t.Fatal(err)
	}
	orders := ordersForCLV(t, s)
	if len(orders) != 4 || orders[0].ID != "o1" || orders[2].ID != "o3" || orders[2].Refunded != 8 || orders[3].ID != "o5" {
		t.Fatalf("orders for CLV = %+v", orders)
	}

	seen, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-5")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LinkCustomer(ctx, seen[0].Member, "c1"); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 2, 1, 3, 0, 0, 0, time.UTC)
	run := clv.ModelRun{ComputedAt: at, End: at, Period: clv.Week, Customers: 2, Error: "too few customers"}
	scores := []clv.CustomerScore{
		{CustomerID: "c1", Orders: 2, First: orders[0].OrderedAt, Last: orders[1].OrderedAt, Revenue: 30, Historical: 30, RepeatPurchases: 1,
			Recency: 5, Frequency: 4, Monetary: 3, Segment: "Loyal"},
		{CustomerID: "c2", Orders: 1, Revenue: 22, Historical: 22, Recency: 1, Frequency: 1, Monetary: 1, Segment: "Lost"},
	}
	if _, err := s.SaveCLVRun(ctx, run, slices.Values(scores)); err != nil {
		t.Fatal(err)
	}
	v, err := s.MemberValue(ctx, seen[0].Member)
	if err != nil || !v.Scored || v.HasModel || v.Orders != 2 || v.Segment != "Loyal" || v.RFM != [3]int{5, 4, 3} || !v.ComputedAt.Equal(at) ||
		v.Ranked != 2 || v.OneTimeBuyer {
		t.Fatalf("value after a run without a model = %+v, %v", v, err)
	}
	fit := clv.BGNBDFit{Model: clv.BGNBD{R: 0.24, Alpha: 4.4, A: 0.79, B: 2.4}, Info: clv.FitInfo{Converged: true, LogLikelihood: -10}}
	run.BGNBD, run.Error = &fit, ""
	scores = scores[:1]
	scores[0].HasModel, scores[0].Predicted, scores[0].PAlive, scores[0].Expected, scores[0].RepeatPurchases = true, 41.5, 0.8, 1.7, 0
	if _, err := s.SaveCLVRun(ctx, run, slices.Values(scores)); err != nil {
		t.Fatal(err)
	}
	v, err = s.MemberValue(ctx, seen[0].Member)
	if err != nil || !v.HasModel || v.Predicted != 41.5 || v.PAlive != 0.8 || !v.OneTimeBuyer {
		t.Fatalf("value after a run with a model = %+v, %v", v, err)
	}
	if n := count(t, s, `SELECT count(*) FROM clv_snapshots`); n != 1 {
		t.Errorf("%d snapshots; the second run should replace the first", n)
	}
	if n := count(t, s, `SELECT count(*) FROM clv_models WHERE (bgnbd->'params'->>'r')::float = 0.24 AND (bgnbd->>'converged')::bool`); n != 1 {
		t.Errorf("model parameters not stored")
	}
}

// ordersForCLV is every order EachCustomerOrders yields, in its order.
func ordersForCLV(t *testing.T, s *storage.Store) []clv.Order {
	t.Helper()
	var out []clv.Order
	if err := s.EachCustomerOrders(context.Background(), func(orders []clv.Order) error {
		out = append(out, orders...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCLVRunWithoutConvergenceIsSaved: a fit that did not converge has NaN
// standard errors (and may have parameters that ran off to infinity); the
// run is saved all the same, the numbers JSON cannot hold stored as null,
// and every customer keeps a snapshot without predictions.
func TestCLVRunWithoutConvergenceIsSaved(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	importOrders(t, s, order("o1", "c1", 1, 10))
	nan, inf := math.NaN(), math.Inf(1)
	at := time.Date(2026, 2, 1, 3, 0, 0, 0, time.UTC)
	run := clv.ModelRun{ComputedAt: at, End: at, Period: clv.Week, Customers: 1,
		BGNBD: &clv.BGNBDFit{Model: clv.BGNBD{R: inf, Alpha: 2e7, A: 7e-6, B: 290}, StdErr: clv.BGNBD{R: nan, Alpha: nan, A: nan, B: nan},
			Info: clv.FitInfo{Status: "Failure: the information matrix is not positive definite"}},
		GammaGamma: &clv.GammaGammaFit{Model: clv.GammaGamma{P: 60, Q: 2e7, Gamma: 7e6}, StdErr: clv.GammaGamma{P: nan, Q: nan, Gamma: nan}},
		Error:      "the model fit did not converge: Failure: the information matrix is not positive definite"}
	scores := []clv.CustomerScore{{CustomerID: "c1", Orders: 1, Revenue: 10, Historical: 10, Recency: 1, Frequency: 1, Monetary: 1, Segment: "Lost"}}
	if _, err := s.SaveCLVRun(ctx, run, slices.Values(scores)); err != nil {
		t.Fatalf("a run whose fit did not converge was not saved: %v", err)
	}
	if n := count(t, s, `SELECT count(*) FROM clv_models WHERE bgnbd->'std_err'->'r' = 'null' AND bgnbd->'params'->'r' = 'null'
		AND (bgnbd->'params'->>'b')::float = 290 AND gammagamma->'std_err'->'p' = 'null' AND error LIKE 'the model fit did not converge%'`); n != 1 {
		t.Errorf("the model row does not hold null for NaN and Inf")
	}
	if n := count(t, s, `SELECT count(*) FROM clv_snapshots WHERE customer_id = 'c1' AND predicted_clv IS NULL`); n != 1 {
		t.Errorf("the customer has no snapshot without predictions")
	}
}
