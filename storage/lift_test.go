package storage_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

var liftAsOf = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func liftDay(n int) time.Time { return liftAsOf.AddDate(0, 0, n) }

// liftOrder is an order of the fixture; refunds are those reported on
// their own for it, with the order's source unless otherSource.
type liftOrder struct {
	id          string
	at          time.Time
	amount      float64
	refunded    float64
	status      string
	refunds     []float64
	otherSource bool // the refunds belong to another source's order of the same id
}

// liftFixture is one customer with, when a member, their member row.
type liftFixture struct {
	id        string
	member    bool
	created   time.Time   // the member's creation
	seen      []time.Time // their accounts' first sightings
	level     int         // 0: no standings
	predicted *float64    // nil: no snapshot, or one with no prediction when snapshot
	snapshot  bool
	orders    []liftOrder
}

func ptr(v float64) *float64 { return &v }

var liftFixtures = []liftFixture{
	{id: "out-a", snapshot: true, predicted: ptr(120), orders: []liftOrder{
		{id: "a1", at: liftDay(-200), amount: 100, status: "paid"},
		{id: "a2", at: liftDay(-100), amount: 50, refunded: 20, status: "paid"},
		{id: "a3", at: liftDay(-50), amount: 999, status: "cancelled"},
		{id: "a4", at: liftDay(1), amount: 30, status: "paid"},                               // after the report
		{id: "a5", at: liftDay(-40), amount: 40, status: "paid", refunds: []float64{15, 25}}, // refunded in full
		{id: "a6", at: liftDay(-30), amount: 70, status: "paid", refunds: []float64{60}, otherSource: true},
	}},
	{id: "out-b", snapshot: true, orders: []liftOrder{{id: "b1", at: liftDay(-10), amount: 0, status: "paid"}}}, // a free order
	{id: "out-c", orders: []liftOrder{{id: "c1", at: liftDay(-10), amount: 45, status: "cancelled"}}},
	{id: "out-d", orders: []liftOrder{{id: "d1", at: liftDay(-10), amount: 45, refunded: 45, status: "paid"}}},
	{id: "out-e", orders: []liftOrder{{id: "e1", at: liftDay(-5), amount: 12.5, status: "refunded"}, {id: "e2", at: liftDay(-400), amount: 12.34, status: "paid"}}},
	// A member first seen on an account before the member row (joined day -160),
	// with spend before joining, after and later.
	{id: "mem-1", member: true, created: liftDay(-150), seen: []time.Time{liftDay(-140), liftDay(-160)}, level: 1, snapshot: true, predicted: ptr(500),
		orders: []liftOrder{
			{id: "m1", at: liftDay(-300), amount: 80, status: "paid"},
			{id: "m2", at: liftDay(-170), amount: 60, status: "paid"},
			{id: "m3", at: liftDay(-100), amount: 90, refunded: 10, status: "paid", refunds: []float64{30}},
			{id: "m4", at: liftDay(-20), amount: 25, status: "paid"},
			{id: "m5", at: liftDay(-250), amount: 11, status: "paid"}, // exactly 90 days before joining: counts before
			{id: "m6", at: liftDay(-70), amount: 13, status: "paid"},  // exactly 90 days after: not after
		}},
	// A member with no standings or snapshot, joined long before their first order.
	{id: "mem-2", member: true, created: liftDay(-400), orders: []liftOrder{{id: "n1", at: liftDay(-100), amount: 40, status: "paid"}}},
	// A member who joined 30 days ago, seen later on an account.
	{id: "mem-3", member: true, created: liftDay(-30), seen: []time.Time{liftDay(-20)}, level: 4, snapshot: true,
		orders: []liftOrder{{id: "p1", at: liftDay(-60), amount: 70, status: "paid"}, {id: "p2", at: liftDay(-30), amount: 5, status: "paid"}}},
	// A member whose customer has bought nothing.
	{id: "mem-4", member: true, created: liftDay(-30), level: 2},
}

// insertLiftFixtures writes the fixtures, and a member who is not a
// customer.
func insertLiftFixtures(t testing.TB, s *storage.Store) {
	t.Helper()
	db := s.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var model int64
	if err := db.Get(&model, `INSERT INTO clv_models (computed_at, observation_end, period, customers, bgnbd, gammagamma)
		VALUES ($1, $1, 'week', 1, '{}', '{}') RETURNING id`, liftAsOf); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO members (display_name, created_at) VALUES ('not a customer', $1)`, liftDay(-500))
	for _, f := range liftFixtures {
		var member *int64
		if f.member {
			var id int64
			if err := db.Get(&id, `INSERT INTO members (display_name, created_at) VALUES ($1, $2) RETURNING id`, f.id, f.created); err != nil {
				t.Fatal(err)
			}
			member = &id
			for k, seen := range f.seen {
				exec(`INSERT INTO identities (platform, platform_user_id, member_id, first_seen_at) VALUES ('telegram', $1, $2, $3)`,
					fmt.Sprintf("%s-%d", f.id, k), id, seen)
			}
			if f.level > 0 {
				exec(`INSERT INTO member_standings (member_id, tier, priority, value_percentile, engagement_percentile, level,
					this_week, prev_weekly, points, computed_at) VALUES ($1, 'regular', 0, 0, 0, $2, 0, 0, 0, $3)`, id, f.level, liftAsOf)
			}
		}
		exec(`INSERT INTO customers (id, member_id, linked_at) VALUES ($1, $2, $3)`, f.id, member, liftAsOf)
		for _, o := range f.orders {
			exec(`INSERT INTO orders (id, customer_id, ordered_at, amount, refunded, status, source) VALUES ($1, $2, $3, $4, $5, $6, 'csv')`,
				o.id, f.id, o.at, o.amount, o.refunded, o.status)
			source := "csv"
			if o.otherSource {
				source = "shopify"
			}
			for k, r := range o.refunds {
				exec(`INSERT INTO refunds (id, order_id, amount, refunded_at, source) VALUES ($1, $2, $3, $4, $5)`,
					fmt.Sprintf("%s-r%d", o.id, k), o.id, r, o.at, source)
			}
		}
		if f.snapshot {
			exec(`INSERT INTO clv_snapshots (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
				predicted_clv, p_alive, expected_purchases, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, computed_at)
				VALUES ($1, $2, 1, $3, $3, 0, 0, $4, NULL, NULL, 1, 1, 1, 'Lost', $3)`, f.id, model, liftAsOf, f.predicted)
		}
	}
}

// expectedLift works the facts out from the fixtures in Go: purchases as
// clv.IsPurchase counts them, refunds the larger of the order's and its
// own source's, joined at the earliest sighting; in customer id order.
func expectedLift() []digest.LiftCustomer {
	fixtures := slices.Clone(liftFixtures)
	slices.SortFunc(fixtures, func(a, b liftFixture) int { return strings.Compare(a.id, b.id) })
	var out []digest.LiftCustomer
	for _, f := range fixtures {
		c := digest.LiftCustomer{InCommunity: f.member, Level: f.level}
		if f.predicted != nil {
			c.Predicted, c.HasPrediction = *f.predicted, true
		}
		if f.member {
			c.Joined = f.created
			for _, seen := range f.seen {
				if seen.Before(c.Joined) {
					c.Joined = seen
				}
			}
		}
		bought := false
		for _, o := range f.orders {
			refunded := o.refunded
			if total := sum(o.refunds); !o.otherSource && total > refunded {
				refunded = total
			}
			if o.status != "paid" || o.at.After(liftAsOf) || !(o.amount == 0 || refunded < o.amount) {
				continue
			}
			net := o.amount - refunded
			c.Revenue += net
			if !bought || o.at.Before(c.FirstOrder) {
				c.FirstOrder = o.at
			}
			bought = true
			if f.member && !o.at.Before(c.Joined.Add(-digest.JoinWindow)) && o.at.Before(c.Joined) {
				c.Before += net
			}
			if f.member && !o.at.Before(c.Joined) && o.at.Before(c.Joined.Add(digest.JoinWindow)) {
				c.After += net
			}
		}
		if bought {
			out = append(out, c)
		}
	}
	return out
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

func TestLiftFacts(t *testing.T) {
	s := newStore(t)
	insertLiftFixtures(t, s)
	got, err := s.LiftFacts(context.Background(), liftAsOf)
	if err != nil {
		t.Fatal(err)
	}
	want := expectedLift()
	if !got.AsOf.Equal(liftAsOf) {
		t.Errorf("as of %s, want %s", got.AsOf, liftAsOf)
	}
	if len(got.Customers) != len(want) {
		t.Fatalf("%d customers, want %d:\n%+v", len(got.Customers), len(want), got.Customers)
	}
	for i, w := range want {
		g := got.Customers[i]
		if g.InCommunity != w.InCommunity || g.Level != w.Level || math.Abs(g.Revenue-w.Revenue) > 1e-9 || !g.FirstOrder.Equal(w.FirstOrder) ||
			g.HasPrediction != w.HasPrediction || g.Predicted != w.Predicted || !g.Joined.Equal(w.Joined) ||
			math.Abs(g.Before-w.Before) > 1e-9 || math.Abs(g.After-w.After) > 1e-9 {
			t.Errorf("customer %d:\n got %+v\nwant %+v", i+1, g, w)
		}
	}
	// The fixtures are what they say: spot checks worked out by hand.
	// mem-1, mem-2, mem-3, out-a, out-b, out-e
	if len(want) != 6 || want[3].Revenue != 100+30+70 || want[4].Revenue != 0 || !want[4].FirstOrder.Equal(liftDay(-10)) || want[5].Revenue != 12.34 ||
		want[0].Revenue != 80+60+60+25+11+13 || want[0].Before != 60+11 || want[0].After != 60 || !want[0].Joined.Equal(liftDay(-160)) ||
		want[2].Before != 70 || want[2].After != 5 || !want[2].Joined.Equal(liftDay(-30)) || want[1].Level != 0 || want[1].HasPrediction {
		t.Fatalf("the fixtures' expectation is not what the comments say: %+v", want)
	}
	// The report is made from them: mem-1 is the only joiner.
	l, err := digest.BuildLift(got, digest.DefaultBootstrap)
	if err != nil || l.Joiners.Members != 1 || l.Joiners.Before != 71 || l.Community.Customers != 3 || l.Outside.Customers != 3 {
		t.Errorf("report %+v, %v", l, err)
	}
}

// An empty shop has no customers, and the report says so.
func TestLiftFactsOfAnEmptyShop(t *testing.T) {
	s := newStore(t)
	f, err := s.LiftFacts(context.Background(), liftAsOf)
	if err != nil || len(f.Customers) != 0 {
		t.Errorf("%+v, %v", f, err)
	}
}

// liftBenchSetup makes a shop of 100,000 customers, 20,000 of them
// members (a quarter at each level, most ranked) and about 1,000,000
// orders over two years, a tenth refunded in part. $1 is the report's
// time.
var liftBenchSetup = []string{
	`INSERT INTO members (display_name, created_at) SELECT 'Member ' || i, $1::timestamptz - interval '700 days' * random() FROM generate_series(1, 20000) i`,
	`INSERT INTO identities (platform, platform_user_id, member_id, first_seen_at)
	 SELECT 'telegram', 'tg' || id, id, created_at - interval '1 day' * random() FROM members`,
	`INSERT INTO member_standings (member_id, tier, priority, value_percentile, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
	 SELECT id, 'regular', 0, 0, 0, 1 + id % 4, 0, 0, 0, $1 FROM members WHERE id % 10 <> 0`,
	`INSERT INTO customers (id, member_id, linked_at, linked_via)
	 SELECT 'c' || i, CASE WHEN i % 5 = 0 THEN i / 5 END, $1, CASE WHEN i % 5 = 0 THEN 'token' ELSE '' END FROM generate_series(1, 100000) i`,
	`INSERT INTO orders (id, customer_id, ordered_at, amount, refunded, status, source)
	 SELECT 'o' || g, 'c' || (1 + floor(random() * 100000)::int), $1::timestamptz - interval '730 days' * random(),
	        round(CAST(5 + random() * 200 AS numeric), 2), CASE WHEN g % 10 = 0 THEN 3 ELSE 0 END,
	        CASE WHEN g % 50 = 0 THEN 'cancelled' ELSE 'paid' END, 'csv'
	 FROM generate_series(1, 1000000) g`,
	`INSERT INTO refunds (id, order_id, amount, refunded_at, source) SELECT 'r' || g, 'o' || g, 2, $1, 'csv' FROM generate_series(7, 1000000, 100) g`,
	`INSERT INTO clv_models (computed_at, observation_end, period, customers, bgnbd, gammagamma) VALUES ($1, $1, 'week', 100000, '{}', '{}')`,
	`INSERT INTO clv_snapshots (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
	        predicted_clv, p_alive, expected_purchases, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, computed_at)
	 SELECT 'c' || i, (SELECT max(id) FROM clv_models), 1, $1, $1, 0, 0, 300 * random(), random(), 1, 3, 3, 3, 'Loyal', $1
	 FROM generate_series(1, 100000) i`,
	`VACUUM ANALYZE`,
	`CHECKPOINT`,
}

// BenchmarkLiftFacts reads the lift report's facts of a shop of 100,000
// customers and about 1,000,000 orders (liftBenchSetup, made by SQL
// before the timer).
func BenchmarkLiftFacts(b *testing.B) {
	db := storagetest.New(b)
	s := storage.New(db)
	ctx := context.Background()
	for _, q := range liftBenchSetup {
		var args []any
		if strings.Contains(q, "$1") {
			args = []any{liftAsOf}
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	for b.Loop() {
		f, err := s.LiftFacts(ctx, liftAsOf)
		if err != nil {
			b.Fatal(err)
		}
		if len(f.Customers) < 99_000 {
			b.Fatalf("%d customers, want about 100,000", len(f.Customers))
		}
	}
}
