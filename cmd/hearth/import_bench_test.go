package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearthbot/hearth/storage/storagetest"
)

// BenchmarkImportOrders1M imports a CSV file of 1,000,000 orders of
// 250,000 customers into an empty database through hearth import orders:
// parsing, checking, COPY into the staging table and the upserts.
//
//	go test ./cmd/hearth -run '^$' -bench ImportOrders1M -benchtime 1x
func BenchmarkImportOrders1M(b *testing.B) {
	const rows = 1_000_000
	path := filepath.Join(b.TempDir(), "orders.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "order_id,customer_id,ordered_at,amount,currency,status,email")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		c := i % 250_000
		at := start.Add(time.Duration(i) * 53 * time.Second)
		fmt.Fprintf(w, "ord-%d,cust-%d,%s,%d.%02d,EUR,paid,c%d@example.com\n", i, c, at.Format(time.RFC3339), 5+i%200, i%100, c)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		env := map[string]string{"DATABASE_URL": storagetest.URL(b)}
		b.StartTimer()
		if code, _, stderr := inProcess(b, env, "import", "orders", path); code != 0 {
			b.Fatalf("import: %s", stderr)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
