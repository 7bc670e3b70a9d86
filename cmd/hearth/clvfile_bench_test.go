package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReadSummaryFile1M reads the synthetic summary file of 1,000,000
// customers (clv/testdata, unpacked first) as hearth clv fit --summary
// does.
//
//	go test ./cmd/hearth -run '^$' -bench ReadSummaryFile1M -benchmem
func BenchmarkReadSummaryFile1M(b *testing.B) {
	gz, err := os.Open(filepath.Join("..", "..", "clv", "testdata", "bgnbd_gg_cdnowlike_1m_seed42.csv.gz"))
	if err != nil {
		b.Fatal(err)
	}
	defer gz.Close()
	r, err := gzip.NewReader(gz)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "summary.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, r); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		s, monetary, err := readSummaryFile(path)
		if err != nil || len(s) != 1_000_000 || !monetary {
			b.Fatalf("%d summaries, monetary %v, %v", len(s), monetary, err)
		}
	}
}
