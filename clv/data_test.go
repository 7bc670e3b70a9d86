package clv_test

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
)

// readSummaries reads a summary CSV from testdata (gzipped if its name ends
// in .gz) whose columns are id, frequency, recency, T and optionally the
// monetary value, under any header names. Capacity is the number of rows
// expected: with it a million summaries take their own size in memory and
// no more, their ids sharing one string.
func readSummaries(t testing.TB, name string, capacity int) []clv.Summary {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r = zr
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		t.Fatalf("%s: header: %v", name, err)
	}
	out := make([]clv.Summary, 0, capacity)
	var ids []byte
	var ends []int
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s:%d: %v", name, line, err)
		}
		if out, err = appendSummary(out, rec); err != nil {
			t.Fatalf("%s:%d: %v", name, line, err)
		}
		ids = append(ids, rec[0]...)
		ends = append(ends, len(ids))
	}
	all, start := string(ids), 0
	for i, end := range ends {
		out[i].CustomerID, start = all[start:end], end
	}
	return out
}

// appendSummary parses one summary row, all but its id.
func appendSummary(out []clv.Summary, rec []string) ([]clv.Summary, error) {
	var s clv.Summary
	var err error
	s.Frequency, err = strconv.Atoi(strings.TrimSuffix(rec[1], ".0"))
	if err == nil {
		s.Recency, err = strconv.ParseFloat(rec[2], 64)
	}
	if err == nil {
		s.T, err = strconv.ParseFloat(rec[3], 64)
	}
	if err == nil && len(rec) > 4 {
		s.MonetaryValue, err = strconv.ParseFloat(rec[4], 64)
	}
	return append(out, s), err
}

// readCDNOWSample reads testdata/CDNOW_sample.txt as transactions of the
// sample customer ids: master id, sample id, YYYYMMDD, CDs, dollars. Ids
// are written without leading zeros, as the summary files have them.
func readCDNOWSample(t testing.TB) []clv.Transaction {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "CDNOW_sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []clv.Transaction
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 {
			t.Fatalf("CDNOW_sample.txt:%d: %d fields", i+1, len(f))
		}
		at, err := time.Parse("20060102", f[2])
		if err != nil {
			t.Fatalf("CDNOW_sample.txt:%d: %v", i+1, err)
		}
		v, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			t.Fatalf("CDNOW_sample.txt:%d: %v", i+1, err)
		}
		id, err := strconv.Atoi(f[1]) // the file pads some ids with zeros
		if err != nil {
			t.Fatalf("CDNOW_sample.txt:%d: %v", i+1, err)
		}
		out = append(out, clv.Transaction{CustomerID: strconv.Itoa(id), At: at, Value: v})
	}
	return out
}

// cdnowEnd is the end of CDNOW's 39-week calibration period.
var cdnowEnd = time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC)
