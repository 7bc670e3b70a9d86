package storage_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/pressly/goose/v3"
)

func order(id, customer string, day int, amount float64) clv.Order {
	return clv.Order{ID: id, CustomerID: customer, OrderedAt: time.Date(2026, 1, day, 10, 0, 0, 0, time.UTC),
		Amount: amount, Currency: "EUR", Status: clv.StatusPaid}
}

func importOrders(t *testing.T, s *storage.Store, orders ...clv.Order) storage.ImportResult {
	t.Helper()
	imp, err := s.BeginImport(context.Background(), storage.SourceCSV)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		if err := imp.Add(o); err != nil {
			t.Fatal(err)
		}
	}
	res, err := imp.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestImportIsAnIdempotentUpsert imports orders, the same orders again (no
// change at all), then a file where one order changed and one is new.
func TestImportIsAnIdempotentUpsert(t *testing.T) {
	s := newStore(t)
	margin := 4.5
	first := []clv.Order{order("o1", "c1", 1, 10), order("o2", "c1", 5, 20.5), order("o3", "c2", 7, 99.99)}
	first[1].Margin = &margin
	first[2].Email = "ann@example.com"
	res := importOrders(t, s, first...)
	if res != (storage.ImportResult{Rows: 3, Inserted: 3, Customers: 2}) {
		t.Fatalf("first import = %+v", res)
	}
	stamp := func() string {
		var at string
		if err := s.DB().Get(&at, `SELECT string_agg(id || updated_at::text, ',' ORDER BY id) FROM (SELECT id, updated_at FROM orders UNION ALL SELECT id, updated_at FROM customers) x`); err != nil {
			t.Fatal(err)
		}
		return at
	}
	before := stamp()
	if res := importOrders(t, s, first...); res != (storage.ImportResult{Rows: 3, Unchanged: 3}) {
		t.Fatalf("second import = %+v", res)
	}
	if stamp() != before {
		t.Error("re-importing the same orders changed rows")
	}
	changed := order("o3", "c2", 7, 89.99)
	changed.Status = clv.StatusRefunded // no e-mail this time: the stored one stays
	res = importOrders(t, s, first[0], changed, order("o4", "c3", 9, 5), order("o4", "c3", 9, 6))
	if res != (storage.ImportResult{Rows: 4, Inserted: 1, Updated: 1, Unchanged: 1, Customers: 1}) {
		t.Fatalf("third import = %+v", res)
	}
	var got struct {
		Amount float64 `db:"amount"`
		Status string  `db:"status"`
		Email  string  `db:"email"`
	}
	if err := s.DB().Get(&got, `SELECT o.amount, o.status, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = 'o3'`); err != nil {
		t.Fatal(err)
	}
	if got.Amount != 89.99 || got.Status != "refunded" || got.Email != "ann@example.com" {
		t.Errorf("o3 = %+v", got)
	}
	if n := count(t, s, `SELECT count(*) FROM orders WHERE id = 'o4' AND amount = 6`); n != 1 {
		t.Error("the last line of a repeated order id should win")
	}
	if n := count(t, s, `SELECT count(*) FROM orders WHERE id = 'o2' AND margin = 4.5`); n != 1 {
		t.Error("margin not stored")
	}
}

// TestRolledBackImportLeavesNothing abandons an import half way.
func TestRolledBackImportLeavesNothing(t *testing.T) {
	s := newStore(t)
	imp, err := s.BeginImport(context.Background(), storage.SourceCSV)
	if err != nil {
		t.Fatal(err)
	}
	if err := imp.Add(order("o1", "c1", 1, 10)); err != nil {
		t.Fatal(err)
	}
	if err := imp.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM customers)`); n != 0 {
		t.Errorf("%d rows left after a rollback", n)
	}
}

// TestOrdersLinkCustomersByPlatformID: an order carrying a member's Telegram
// id links its customer to that member, whether the member was seen before
// the order or after it; a token link is refused for a customer another
// member holds.
func TestOrdersLinkCustomersByPlatformID(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	seen, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-5")})
	if err != nil {
		t.Fatal(err)
	}
	early := order("o1", "c1", 1, 10)
	early.TelegramID = "100"
	late := order("o2", "c2", 2, 10)
	late.TelegramID = "200"
	if res := importOrders(t, s, early, late); res.Linked != 1 {
		t.Fatalf("linked %d at import, want 1", res.Linked)
	}
	v, err := s.MemberValue(ctx, seen[0].Member)
	if err != nil || v.CustomerID != "c1" || v.Scored {
		t.Fatalf("MemberValue = %+v, %v", v, err)
	}
	after, err := s.RecordInbound(ctx, []inbox.Inbound{message("2", "200", "-5")})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.MemberValue(ctx, after[0].Member); err != nil || v.CustomerID != "c2" {
		t.Fatalf("member seen after the order: %+v, %v", v, err)
	}
	if err := s.LinkCustomer(ctx, after[0].Member, "c1"); community.ErrorCode(err) != community.EConflict {
		t.Fatalf("linking a customer another member holds: %v", err)
	}
	if err := s.LinkCustomer(ctx, seen[0].Member, "c-new"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.MemberValue(ctx, seen[0].Member); err != nil || v.CustomerID != "c-new" {
		t.Fatalf("relinked member: %+v, %v", v, err)
	}
	if n := count(t, s, `SELECT count(*) FROM audit_log WHERE action = 'member.linked'`); n != 3 {
		t.Errorf("audit entries = %d, want 3", n)
	}
	third, err := s.RecordInbound(ctx, []inbox.Inbound{message("3", "300", "-5")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MemberValue(ctx, third[0].Member); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("unlinked member: err = %v, want not found", err)
	}
}

// TestRefundsCountOnce stores a refund twice.
func TestRefundsCountOnce(t *testing.T) {
	s := newStore(t)
	r := clv.Refund{ID: "r1", OrderID: "o1", Amount: 5, At: time.Now()}
	for range 2 {
		if err := s.SaveRefund(context.Background(), "shopify", r); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM refunds`); n != 1 {
		t.Errorf("refunds = %d", n)
	}
}

// TestOrdersOfEachSourceHaveTheirOwnIDs: order 4242 from a file, from
// Shopify and from WooCommerce are three orders; a Shopify refund of order
// 4242 counts against Shopify's only.
func TestOrdersOfEachSourceHaveTheirOwnIDs(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	importOrders(t, s, order("4242", "file-customer", 1, 10))
	if err := s.SaveOrders(ctx, "shopify", []clv.Order{order("4242", "shopify-customer", 2, 20)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveOrders(ctx, "woocommerce", []clv.Order{order("4242", "woo-customer", 3, 30)}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRefund(ctx, "shopify", clv.Refund{ID: "r1", OrderID: "4242", Amount: 5, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	orders := ordersForCLV(t, s)
	refunded := map[string]float64{}
	for _, o := range orders {
		refunded[o.CustomerID] = o.Refunded
	}
	if want := map[string]float64{"file-customer": 0, "shopify-customer": 5, "woo-customer": 0}; len(orders) != 3 || !maps.Equal(refunded, want) {
		t.Errorf("orders for CLV %+v; want three orders 4242, the Shopify one refunded 5", orders)
	}
}

// TestMigration11KeepsOrdersAndRefunds: orders and refunds stored before
// orders were keyed by source stay, and each refund still counts against
// the order it counted against (a refund whose order has not arrived waits
// for Shopify's).
func TestMigration11KeepsOrdersAndRefunds(t *testing.T) {
	ctx := context.Background()
	db, _ := openEmpty(t)
	old, err := goose.NewProvider(goose.DialectPostgres, db.DB, os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.UpTo(ctx, 10); err != nil {
		t.Fatal(err)
	}
	db.MustExec(`INSERT INTO customers (id) VALUES ('c1'), ('c2')`)
	db.MustExec(`INSERT INTO orders (id, customer_id, ordered_at, amount, status, source) VALUES
		('s-1', 'c1', '2026-01-05', 40, 'paid', 'shopify'), ('f-1', 'c2', '2026-01-06', 30, 'paid', 'csv')`)
	db.MustExec(`INSERT INTO refunds (id, order_id, amount, refunded_at) VALUES
		('r1', 's-1', 4, '2026-01-07'), ('r2', 'f-1', 3, '2026-01-08'), ('r3', 'later', 2, '2026-01-09')`)
	if _, err := newMigrator(t, db).Up(ctx); err != nil {
		t.Fatal(err)
	}
	var sources []string
	if err := db.Select(&sources, `SELECT id || ':' || source FROM refunds ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := []string{"r1:shopify", "r2:csv", "r3:shopify"}; !slices.Equal(sources, want) {
		t.Errorf("refund sources %v, want %v", sources, want)
	}
	orders := ordersForCLV(t, storage.New(db))
	if len(orders) != 2 || orders[0].ID != "s-1" || orders[0].Refunded != 4 || orders[1].ID != "f-1" || orders[1].Refunded != 3 {
		t.Errorf("orders for CLV after the migration: %+v", orders)
	}
}
