package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
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
	seen, err := s.RecordInbound(ctx, []bots.Inbound{message("1", "100", "-5")})
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
	after, err := s.RecordInbound(ctx, []bots.Inbound{message("2", "200", "-5")})
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
	third, err := s.RecordInbound(ctx, []bots.Inbound{message("3", "300", "-5")})
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
		if err := s.SaveRefund(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM refunds`); n != 1 {
		t.Errorf("refunds = %d", n)
	}
}
