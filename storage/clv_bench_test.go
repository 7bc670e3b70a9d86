package storage_test

import (
	"bufio"
	"context"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
)

// BenchmarkCLVRunSeeded runs the nightly CLV run (clv.Refresh: the orders
// streamed customer by customer, the fits, the snapshots saved) on the
// database HEARTH_SEEDED_DATABASE_URL names, one `hearth bench seed`
// filled, with GOGC at 25 as hearth runs it (cmd/hearth's clvGCPercent),
// and reports the customers scored and the process's peak resident
// memory. Run it once per process, so that the peak is the run's:
//
//	HEARTH_SEEDED_DATABASE_URL=postgres://... go test ./storage -run '^$' -bench CLVRunSeeded -benchtime 1x -timeout 30m
func BenchmarkCLVRunSeeded(b *testing.B) {
	s := seededStore(b)
	ctx := context.Background()
	opt := clv.ScoreOptions{Period: clv.Week, HorizonMonths: 12, DiscountRate: 0.01, MarginRate: 1}
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	var customers int
	for b.Loop() {
		run, _, err := clv.Refresh(ctx, s, opt, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		customers = run.Customers
	}
	b.ReportMetric(float64(customers), "customers")
	b.ReportMetric(peakRSS(b), "peak-RSS-MB")
}

// peakRSS is the process's peak resident memory so far, in MB (VmHWM).
func peakRSS(b *testing.B) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status to read the peak memory from")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if kb, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(kb, "kB")))
			if err != nil {
				b.Fatal(err)
			}
			return float64(n) / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
