package storage_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/storage"
)

// manyOrders are n orders of n/4 customers, o0 to o(n-1), the first
// customer with an e-mail address on its latest order.
func manyOrders(n int) []clv.Order {
	orders := make([]clv.Order, n)
	for i := range orders {
		orders[i] = order(fmt.Sprintf("o%d", i), fmt.Sprintf("c%d", i%(n/4)), 1+i%28, float64(i%300))
	}
	orders[n/4*3].Email = "first@example.com" // c0's latest order
	return orders
}

// foreignKeys lists the foreign keys of orders as pg_dump would write them,
// with whether each is validated.
func foreignKeys(t *testing.T, s *storage.Store) string {
	t.Helper()
	var keys string
	if err := s.DB().Get(&keys, `
SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated, '; ' ORDER BY conname)
FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f'`); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestFirstBulkImportKeepsTheForeignKeys: a large import into an empty
// orders table checks its customers in one join with the foreign keys set
// aside, and puts them back as they were: an order of an unknown customer is
// refused afterwards, and importing the same orders again changes nothing.
func TestFirstBulkImportKeepsTheForeignKeys(t *testing.T) {
	s := newStore(t)
	before := foreignKeys(t, s)
	if before != "orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE CASCADE true" {
		t.Fatalf("foreign keys of orders before the import: %s", before)
	}
	orders := manyOrders(10_000)
	if res := importOrders(t, s, orders...); res != (storage.ImportResult{Rows: 10_000, Inserted: 10_000, Customers: 2_500}) {
		t.Fatalf("first import = %+v", res)
	}
	if after := foreignKeys(t, s); after != before {
		t.Errorf("foreign keys of orders after the import: %s, want %s", after, before)
	}
	if n := count(t, s, `SELECT count(*) FROM customers WHERE id = 'c0' AND email = 'first@example.com'`); n != 1 {
		t.Error("the customer's e-mail address was not kept")
	}
	_, err := s.DB().Exec(`INSERT INTO orders (id, customer_id, ordered_at, amount, status, source) VALUES ('x', 'nobody', now(), 1, 'paid', 'csv')`)
	if err == nil {
		t.Error("an order of an unknown customer was stored")
	}
	if res := importOrders(t, s, orders...); res != (storage.ImportResult{Rows: 10_000, Unchanged: 10_000}) {
		t.Errorf("second import = %+v", res)
	}
}

// TestFirstImportWithARepeatedID: an order id given twice in a first
// import, large or small, is stored once, as it was given last, and the
// foreign keys stay.
func TestFirstImportWithARepeatedID(t *testing.T) {
	for _, n := range []int{8, 10_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s := newStore(t)
			before := foreignKeys(t, s)
			orders := manyOrders(n)
			again := orders[0]
			again.Amount = 12.5
			res := importOrders(t, s, append(orders, again)...)
			if res != (storage.ImportResult{Rows: n + 1, Inserted: n, Customers: n / 4}) {
				t.Fatalf("import = %+v", res)
			}
			if got := count(t, s, `SELECT count(*) FROM orders WHERE id = 'o0' AND amount = 12.5`); got != 1 {
				t.Error("the order given last did not win")
			}
			if after := foreignKeys(t, s); after != before {
				t.Errorf("foreign keys of orders after the import: %s, want %s", after, before)
			}
		})
	}
}

// TestFirstBulkImportWhileCustomersAreBusy: when another transaction holds
// the customers table, a large first import does not wait for it: it
// checks each order's customer as it goes.
func TestFirstBulkImportWhileCustomersAreBusy(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	busy, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Rollback()
	if _, err := busy.Exec(`SELECT count(*) FROM customers`); err != nil {
		t.Fatal(err)
	}
	if res := importOrders(t, s, manyOrders(10_000)...); res.Inserted != 10_000 {
		t.Fatalf("import = %+v", res)
	}
}

// TestImportKeepsEveryCharacter: backslashes, tabs and line ends in an
// order's text arrive as they were (they are escaped for COPY).
func TestImportKeepsEveryCharacter(t *testing.T) {
	s := newStore(t)
	odd := order(`o\1	x`, "c\n2\r", 1, 10)
	odd.Currency = `E\t`
	odd.Email = `a\b	c@example.com`
	importOrders(t, s, odd)
	var got struct {
		ID       string `db:"id"`
		Customer string `db:"customer_id"`
		Currency string `db:"currency"`
		Email    string `db:"email"`
	}
	if err := s.DB().Get(&got, `SELECT o.id, o.customer_id, o.currency, c.email FROM orders o JOIN customers c ON c.id = o.customer_id`); err != nil {
		t.Fatal(err)
	}
	if got.ID != odd.ID || got.Customer != odd.CustomerID || got.Currency != odd.Currency || got.Email != odd.Email {
		t.Errorf("stored %+v, want %q %q %q %q", got, odd.ID, odd.CustomerID, odd.Currency, odd.Email)
	}
}

// TestImportOfAnOrderPostgreSQLRefuses: an order PostgreSQL refuses (a NUL
// character, which ordercsv would have refused first) fails the whole
// import at Commit, leaves nothing, and the next import works.
func TestImportOfAnOrderPostgreSQLRefuses(t *testing.T) {
	s := newStore(t)
	imp, err := s.BeginImport(context.Background(), storage.SourceCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer imp.Rollback()
	for _, o := range append(manyOrders(8_000), order("o\x00", "c1", 1, 10)) {
		if err := imp.Add(o); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := imp.Commit(); err == nil {
		t.Fatal("an order id with a NUL character was stored")
	}
	if n := count(t, s, `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM customers)`); n != 0 {
		t.Errorf("%d rows left after a failed import", n)
	}
	if res := importOrders(t, s, order("o1", "c1", 1, 10)); res.Inserted != 1 {
		t.Errorf("the next import = %+v", res)
	}
}
