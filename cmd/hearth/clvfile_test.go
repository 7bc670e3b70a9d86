package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/clv"
)

// TestReadSummaryFileReadsEveryRow: a file big enough to be parsed in
// pieces side by side, with Windows line ends, a byte-order mark, blank
// lines, quoted fields and spaces, gives every customer in file order.
func TestReadSummaryFileReadsEveryRow(t *testing.T) {
	var b strings.Builder
	b.WriteString("\ufeffcustomer_id,frequency,recency,T,monetary_value\r\n")
	var want []clv.Summary
	for i := range 30_000 {
		s := clv.Summary{CustomerID: fmt.Sprintf("c%d", i), Frequency: i % 7, Recency: float64(i%7) * 1.5, T: 40.25, MonetaryValue: float64(i%100) / 4}
		switch {
		case i%1000 == 0:
			fmt.Fprintf(&b, "\"%s\", %d ,%g,\"%g\",%g\r\n\r\n", s.CustomerID, s.Frequency, s.Recency, s.T, s.MonetaryValue)
		default:
			fmt.Fprintf(&b, "%s,%d,%g,%g,%g\r\n", s.CustomerID, s.Frequency, s.Recency, s.T, s.MonetaryValue)
		}
		want = append(want, s)
	}
	got, monetary, err := readSummaryFile(writeTemp(t, "s.csv", b.String()))
	if err != nil || !monetary {
		t.Fatalf("monetary %v, %v", monetary, err)
	}
	if !slices.Equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("%d customers, want %d; customer %d is %+v, want %+v", len(got), len(want), i, got[i], want[i])
			}
		}
		t.Fatalf("%d customers, want %d", len(got), len(want))
	}
	if pieces := splitLines(b.String(), 2, 1<<16); len(pieces) != 2 {
		t.Errorf("the file was parsed in %d pieces; the test wants two", len(pieces))
	}
}

// TestReadSummaryFileNamesTheBadLine: a bad row, in the first piece or a
// later one, is refused with the file, its line and its column.
func TestReadSummaryFileNamesTheBadLine(t *testing.T) {
	rows := make([]string, 30_000)
	for i := range rows {
		rows[i] = fmt.Sprintf("%d,1,2.5,30,12.5", i)
	}
	for _, c := range []struct {
		line int // of the file, the header being line 1
		row  string
		want string
	}{
		{2, "0,1,2.5,thirty,12.5", `line 2, column T: "thirty" is not a number`},
		{25_000, "x,1.5,2,30,1", "line 25000, column frequency: 1.5 is not a whole number of repeat purchases"},
		{29_999, "x,1,2,30", "line 29999: 4 fields, but the header has 5"},
		{3, "x,1,2,30,1,9", "line 3: 6 fields, but the header has 5"},
		{7, `x,"1,2,30,1`, `line 7: parse error`},
	} {
		bad := slices.Clone(rows)
		bad[c.line-2] = c.row
		path := writeTemp(t, "bad.csv", "id,frequency,recency,T,monetary_value\n"+strings.Join(bad, "\n")+"\n")
		_, _, err := readSummaryFile(path)
		if err == nil || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("row %q on line %d: %v; want %q", c.row, c.line, err, c.want)
		}
	}
}

// TestReadSummaryFileReadsCDNOW: the CDNOW summary, in the BTYD
// literature's column names, reads as the clv package's tests read it.
func TestReadSummaryFileReadsCDNOW(t *testing.T) {
	path := filepath.Join("testdata", "cdnow_customers_summary_with_transactions.csv")
	got, monetary, err := readSummaryFile(path)
	if err != nil || !monetary || len(got) != 2357 {
		t.Fatalf("%d customers, monetary %v, %v", len(got), monetary, err)
	}
	if first := (clv.Summary{CustomerID: "1", Frequency: 2, Recency: 30.43, T: 38.86, MonetaryValue: 22.35}); got[0] != first {
		t.Errorf("customer 1: %+v, want %+v", got[0], first)
	}
}

// TestParseNumberGivesParseFloatsBits: the summary reader's number parser
// gives strconv.ParseFloat's result, to the bit, on plain decimals of
// every length (its fast path) and on everything else (which it hands
// to ParseFloat), and refuses what ParseFloat refuses.
func TestParseNumberGivesParseFloatsBits(t *testing.T) {
	inputs := []string{"0", "1", "0.22406", "36.142857", "19.9323", "007.50", "1.", ".5", "123456789012345",
		"1234567890123456", "0.1234567890123456789", "99999999999999.9", "1e3", "-2.5", "+1", "NaN", "inf", "",
		".", "1.2.3", "12a", "0x10", "1_000"}
	r := rand.New(rand.NewPCG(7, 18))
	for range 200_000 {
		whole, frac := r.Uint64N(1_000_000_000), r.Uint64N(1_000_000)
		inputs = append(inputs, strconv.FormatUint(whole, 10)+"."+fmt.Sprintf("%0*d", 1+r.IntN(6), frac%1_000_000))
	}
	for _, in := range inputs {
		want, wantErr := strconv.ParseFloat(in, 64)
		got, err := parseNumber(in)
		if (err != nil) != (wantErr != nil) || math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("%q: %v (%v), want %v (%v)", in, got, err, want, wantErr)
		}
	}
}
