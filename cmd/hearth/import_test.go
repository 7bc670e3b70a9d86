package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func countRows(t *testing.T, dsn, query string) int {
	t.Helper()
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Get(&n, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

const goodOrders = `order_id,customer_id,ordered_at,amount,currency,status,telegram_id
1001,C1,2026-01-05,25.00,EUR,paid,
1002,C1,2026-02-10T09:30:00Z,40.50,EUR,paid,
1003,C2,2026-03-01,12.00,EUR,refunded,777
`

// TestImportOrders: a valid file is imported and importing it again changes
// nothing; a file with bad rows imports nothing and names each problem by
// line and column, unless --skip-invalid is given.
func TestImportOrders(t *testing.T) {
	dsn := storagetest.URL(t)
	env := map[string]string{"DATABASE_URL": dsn}
	good := writeTemp(t, "orders.csv", goodOrders)
	code, stdout, stderr := inProcess(t, env, "import", "orders", good)
	if code != 0 || !strings.Contains(stdout, "3 orders: 3 new, 0 changed, 0 unchanged") {
		t.Fatalf("first import: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = inProcess(t, env, "import", "orders", good)
	if code != 0 || !strings.Contains(stdout, "0 new, 0 changed, 3 unchanged") {
		t.Fatalf("second import: exit %d\n%s%s", code, stdout, stderr)
	}

	checkImportOfABadFile(t, dsn, env)

	// One of each is counted in the singular.
	one := writeTemp(t, "one.csv", "order_id,customer_id,ordered_at,amount\n2001,C9,2026-01-05,5.00\n")
	code, stdout, stderr = inProcess(t, env, "import", "orders", one)
	if code != 0 || !strings.Contains(stdout, "1 row, 1 order: 1 new, 0 changed, 0 unchanged\n1 customer new or updated,") {
		t.Errorf("import of one order: exit %d\n%s%s", code, stdout, stderr)
	}

	// The same ids from Shopify are other orders; imported as Shopify's,
	// they are the orders Shopify's webhooks update.
	code, stdout, stderr = inProcess(t, env, "import", "orders", good, "--source", "shopify")
	if code != 0 || !strings.Contains(stdout, "3 orders: 3 new") {
		t.Fatalf("import --source shopify: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM orders WHERE id IN ('1001', '1002', '1003')`); n != 6 {
		t.Errorf("%d orders 1001-1003, want 3 from the files and 3 from Shopify", n)
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", "orders"}, 2, "name the CSV file"},
		{[]string{"import", "orders", filepath.Join(t.TempDir(), "missing.csv")}, 1, "no such file"},
		{[]string{"import", "orders", writeTemp(t, "h.csv", "order,customer\n1,2\n")}, 1, "order_id"},
		{[]string{"import", "orders", "--source", "etsy", good}, 2, `--source: "etsy" is not an order source (want csv, api, shopify or woocommerce)`},
	} {
		code, _, stderr := inProcess(t, env, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

// checkImportOfABadFile: a file with bad rows imports nothing, unless
// --skip-invalid, which imports the good rows and names the bad ones.
func checkImportOfABadFile(t *testing.T, dsn string, env map[string]string) {
	t.Helper()
	bad := writeTemp(t, "bad.csv", goodOrders+"1004,C3,yesterday,10,EUR,paid,\n1005,C3,2026-03-02,12;50,EUR,paid,\n1006,C4,2026-03-03,9.99,EUR,paid,\n")
	code, _, stderr := inProcess(t, env, "import", "orders", bad)
	if code != 1 || !strings.Contains(stderr, "line 5") || !strings.Contains(stderr, "ordered_at") ||
		!strings.Contains(stderr, "line 6") || !strings.Contains(stderr, "amount") || !strings.Contains(stderr, "nothing was imported") {
		t.Fatalf("strict import of a bad file: exit %d\n%s", code, stderr)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM orders`); n != 3 {
		t.Fatalf("%d orders after a refused import, want the 3 from before", n)
	}
	code, stdout, stderr := inProcess(t, env, "import", "orders", "--skip-invalid", bad)
	if code != 0 || !strings.Contains(stdout, "1 new") || !strings.Contains(stdout, "2 invalid rows skipped") || !strings.Contains(stderr, "line 5") {
		t.Fatalf("--skip-invalid: exit %d\n%s%s", code, stdout, stderr)
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM orders WHERE id = '1006'`); n != 1 {
		t.Error("the valid row was not imported")
	}
}

// TestImportRefusesWhatPostgreSQLWould: rows PostgreSQL would refuse (or
// round) are reported by line and column before anything reaches it, never
// as a database error; --skip-invalid imports the rest.
func TestImportRefusesWhatPostgreSQLWould(t *testing.T) {
	dsn := storagetest.URL(t)
	env := map[string]string{"DATABASE_URL": dsn}
	file := writeTemp(t, "odd.csv", "order_id,customer_id,ordered_at,amount\n"+
		"ok-1,C1,2026-01-05,25.00\n"+
		"nul,C\x001,2026-01-05,25.00\n"+
		"utf8,C\xff,2026-01-05,25.00\n"+
		"big,C1,2026-01-05,1000000000000\n"+
		"cents,C1,2026-01-05,25.005\n"+
		"offset,C1,2026-01-05T10:00:00+18:00,25.00\n"+
		strings.Repeat("x", 256)+",C1,2026-01-05,25.00\n"+
		"old,C1,1969-12-31,25.00\n"+
		"ahead,C1,2026-03-04,25.00\n"+
		"ok-2,C2,2026-03-03,12.50\n") // within a day of the clock, 2026-03-02 12:00
	code, stdout, stderr := inProcess(t, env, "import", "orders", file)
	if code != 1 || stdout != "" || strings.Contains(stderr, "pq:") {
		t.Fatalf("strict import: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"8 of 10 rows are invalid", "line 3, column customer_id:", "line 4, column customer_id:",
		"line 5, column amount:", "line 6, column amount:", "line 7, column ordered_at:", "line 8, column order_id:",
		"line 9, column ordered_at:", "line 10, column ordered_at:", "nothing was imported"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := countRows(t, dsn, `SELECT count(*) FROM orders`); n != 0 {
		t.Fatalf("%d orders after a refused import", n)
	}
	code, stdout, stderr = inProcess(t, env, "import", "orders", "--skip-invalid", file)
	if code != 0 || !strings.Contains(stdout, "2 new") || !strings.Contains(stdout, "8 invalid rows skipped") {
		t.Fatalf("--skip-invalid: exit %d\n%s%s", code, stdout, stderr)
	}
}
