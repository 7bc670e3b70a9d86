package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/storage/storagetest"
)

// writeOrderFile writes a shop export of n orders, the same for the same
// n: 250,000 customers of whom a few order often, every column filled in as
// a shop has them (a phone for 1 customer in 3, a Telegram id for 1 in 4,
// a Discord id for 1 in 8), 3% refunded and 2% cancelled, over two years in
// order. 1,000,000 orders are about 100 MB.
func writeOrderFile(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(42, 42))
	const customers = 250_000
	fmt.Fprintln(w, "order_id,customer_id,ordered_at,amount,currency,margin,status,email,phone,telegram_id,telegram_username,discord_id")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	step := 2 * 365 * 24 * time.Hour / time.Duration(n)
	for i := range n {
		c := rng.IntN(customers)
		if rng.IntN(2) == 0 {
			c = int(customers * rng.Float64() * rng.Float64()) // the frequent buyers
		}
		at := start.Add(time.Duration(i)*step + time.Duration(rng.IntN(60))*time.Second)
		cents, status := 500+rng.IntN(30000), "paid"
		switch r := rng.IntN(100); {
		case r < 3:
			status = "refunded"
		case r < 5:
			status = "cancelled"
		}
		var phone, tg, tgName, discord string
		if c%3 == 0 {
			phone = fmt.Sprintf("+30 69%08d", c)
		}
		if c%4 == 0 {
			tg = strconv.Itoa(100000000 + c*7)
		}
		if c%8 == 0 {
			tgName = fmt.Sprintf("@shopper_%d", c)
		}
		if c%8 == 3 {
			discord = strconv.Itoa(800000000000000000 + c*13)
		}
		margin := cents * 3 / 10
		fmt.Fprintf(w, "%d,C%07d,%s,%d.%02d,EUR,%d.%02d,%s,customer%d@example.com,%s,%s,%s,%s\n", 1000000+i, c,
			at.Format(time.RFC3339), cents/100, cents%100, margin/100, margin%100, status, c, phone, tg, tgName, discord)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkImportOrders1M imports a shop export of 1,000,000 orders
// (writeOrderFile) into an empty database through hearth import orders:
// parsing, checking, COPY into the staging table, the customers and the
// orders. The whole process, with the PostgreSQL floor beside it, is in
// docs/benchmarks.md.
//
//	go test ./cmd/hearth -run '^$' -bench ImportOrders1M -benchtime 1x
func BenchmarkImportOrders1M(b *testing.B) {
	benchmarkImport(b, false)
}

// BenchmarkImportOrders1MAgain imports the same 1,000,000 orders a second
// time: every order and customer is already stored as it is, so nothing
// changes.
func BenchmarkImportOrders1MAgain(b *testing.B) {
	benchmarkImport(b, true)
}

func benchmarkImport(b *testing.B, again bool) {
	const rows = 1_000_000
	path := filepath.Join(b.TempDir(), "orders.csv")
	writeOrderFile(b, path, rows)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		env := map[string]string{"DATABASE_URL": storagetest.URL(b)}
		if again {
			if code, _, stderr := inProcess(b, env, "import", "orders", path); code != 0 {
				b.Fatalf("first import: %s", stderr)
			}
		}
		b.StartTimer()
		code, stdout, stderr := inProcess(b, env, "import", "orders", path)
		if code != 0 {
			b.Fatalf("import: %s", stderr)
		}
		b.StopTimer()
		want := "1000000 orders: 1000000 new"
		if again {
			want = "1000000 orders: 0 new, 0 changed, 1000000 unchanged"
		}
		if !strings.Contains(stdout, want) {
			b.Fatalf("import said %q, want %q", stdout, want)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
