package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/ordercsv"
)

// summaryColumnNames are the names a summary file's columns may have, as
// the BTYD literature and lifetimes write them.
var summaryColumnNames = map[string][]string{
	"id":             {"customer_id", "id", "cust", "customer"},
	"frequency":      {"frequency", "x", "frequency_cal"},
	"recency":        {"recency", "t_x", "recency_cal"},
	"T":              {"t", "t_cal"},
	"monetary_value": {"monetary_value", "monetary", "m", "m_x", "zbar"},
}

// readSummaryFile reads customer summaries (id, frequency, recency, T and
// optionally monetary_value) from a CSV file with a header row. It says
// whether the file had monetary values. The file is read whole, once, and
// its rows parsed in place: the customers' ids are pieces of its text, so a
// row costs no allocation. A quoted field may not span lines.
func readSummaryFile(path string) ([]clv.Summary, bool, error) {
	defer collectSeldom()()
	text, err := readText(path)
	if err != nil {
		return nil, false, err
	}
	head, rest, _ := strings.Cut(text, "\n")
	header, err := csv.NewReader(strings.NewReader(strings.TrimSuffix(head, "\r"))).Read()
	if err != nil {
		return nil, false, fmt.Errorf("%s: no header row: %w", path, err)
	}
	col, err := summaryHeader(header)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	out, err := parseSummaryRows(rest, len(header), col)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, false, fmt.Errorf("%s: no customers", path)
	}
	return out, col.monetary >= 0, nil
}

// parseSummaryRows parses the rows of a summary file after its header,
// split in one piece per CPU parsed side by side, each into its own part
// of the one slice returned. An error names the line and column.
func parseSummaryRows(rows string, width int, col summaryColumns) ([]clv.Summary, error) {
	pieces := splitLines(rows, runtime.GOMAXPROCS(0), 1<<16)
	out := make([]clv.Summary, strings.Count(rows, "\n")+1)
	lines := make([]int, len(pieces)) // lines in each piece
	done := make([]int, len(pieces))  // rows each piece parsed
	errs := make([]error, len(pieces))
	var wg sync.WaitGroup
	lo, line := 0, 2
	for k, p := range pieces {
		lines[k] = strings.Count(p, "\n") + 1
		part, first := out[lo:lo+lines[k]], line
		wg.Go(func() { done[k], errs[k] = parseSummaryPiece(p, first, width, col, part) })
		lo, line = lo+lines[k], line+lines[k]
	}
	wg.Wait()
	for _, err := range errs { // the first piece's error is the first line's
		if err != nil {
			return nil, err
		}
	}
	n := 0
	lo = 0
	for k := range pieces { // close the gaps blank lines left
		n += copy(out[n:], out[lo:lo+done[k]])
		lo += lines[k]
	}
	return out[:n], nil
}

// splitLines cuts text into at most n pieces of whole lines, none under
// least bytes unless text is.
func splitLines(text string, n, least int) []string {
	size := max(len(text)/n+1, least)
	var out []string
	for len(text) > size {
		i := strings.IndexByte(text[size:], '\n')
		if i < 0 {
			break
		}
		out, text = append(out, text[:size+i]), text[size+i+1:]
	}
	return append(out, text)
}

// parseSummaryPiece parses the rows of piece, whose first line is line
// number first, into out (one place per line) and says how many it
// parsed: blank lines are skipped.
func parseSummaryPiece(piece string, first, width int, col summaryColumns, out []clv.Summary) (int, error) {
	fields := make([]string, width)
	n := 0
	for line := first; piece != ""; line++ {
		var row string
		row, piece, _ = strings.Cut(piece, "\n")
		if row = strings.TrimSuffix(row, "\r"); row == "" {
			continue
		}
		if err := splitRow(row, fields); err != nil {
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		s, err := summaryRow(fields, col)
		if err != nil {
			return n, fmt.Errorf("line %d, %w", line, err)
		}
		out[n] = s
		n++
	}
	return n, nil
}

// readText reads a whole file as one string, copied once.
func readText(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	if info, err := f.Stat(); err == nil && info.Size() > 0 {
		b.Grow(int(info.Size()) + 1)
	}
	if _, err := io.Copy(&b, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return b.String(), nil
}

// summaryColumns says which column holds what; monetary is -1 when there is
// no such column.
type summaryColumns struct {
	id, frequency, recency, t, monetary int
}

// summaryHeader finds the columns of a summary file from its header.
func summaryHeader(header []string) (summaryColumns, error) {
	col := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		for key, names := range summaryColumnNames {
			for _, n := range names {
				if name == n {
					col[key] = i
				}
			}
		}
	}
	for _, key := range []string{"id", "frequency", "recency", "T"} {
		if _, ok := col[key]; !ok {
			return summaryColumns{}, fmt.Errorf("no %s column (want customer_id, frequency, recency, T and optionally monetary_value)", key)
		}
	}
	monetary, ok := col["monetary_value"]
	if !ok {
		monetary = -1
	}
	return summaryColumns{id: col["id"], frequency: col["frequency"], recency: col["recency"], t: col["T"], monetary: monetary}, nil
}

// splitRow splits a CSV row into exactly len(fields) fields, pieces of
// row; a row with quotes is read by encoding/csv.
func splitRow(row string, fields []string) error {
	if strings.IndexByte(row, '"') >= 0 {
		rec, err := csv.NewReader(strings.NewReader(row)).Read()
		if err != nil {
			return err
		}
		if len(rec) != len(fields) {
			return fmt.Errorf("%d fields, but the header has %d", len(rec), len(fields))
		}
		copy(fields, rec)
		return nil
	}
	n := 0
	for ; n < len(fields)-1; n++ {
		i := strings.IndexByte(row, ',')
		if i < 0 {
			break
		}
		fields[n], row = row[:i], row[i+1:]
	}
	fields[n] = row
	if n++; n < len(fields) || strings.IndexByte(row, ',') >= 0 {
		return fmt.Errorf("%d fields, but the header has %d", n+strings.Count(row, ","), len(fields))
	}
	return nil
}

// summaryRow reads one customer's summary from a row's fields.
func summaryRow(rec []string, col summaryColumns) (clv.Summary, error) {
	num := func(key string, i int) (float64, error) {
		v, err := parseNumber(strings.TrimSpace(rec[i]))
		if err != nil {
			return 0, fmt.Errorf("column %s: %q is not a number", key, rec[i])
		}
		return v, nil
	}
	s := clv.Summary{CustomerID: strings.TrimSpace(rec[col.id])}
	x, err := num("frequency", col.frequency)
	if err != nil {
		return s, err
	}
	if x != float64(int(x)) || x < 0 {
		return s, fmt.Errorf("column frequency: %v is not a whole number of repeat purchases", x)
	}
	s.Frequency = int(x)
	if s.Recency, err = num("recency", col.recency); err != nil {
		return s, err
	}
	if s.T, err = num("T", col.t); err != nil {
		return s, err
	}
	if col.monetary >= 0 {
		if s.MonetaryValue, err = num("monetary_value", col.monetary); err != nil {
			return s, err
		}
	}
	return s, nil
}

// readAllOrders reads a whole order file as hearth import orders does;
// any invalid row is an error listing the file's problems.
func (c *cli) readAllOrders(path string, r io.Reader) ([]clv.Order, error) {
	var orders []clv.Order
	report, err := ordercsv.Read(r, c.now(), func(o clv.Order) error { orders = append(orders, o); return nil })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := report.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return orders, nil
}

// exactPowers are the powers of ten a float64 holds exactly.
var exactPowers = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseNumber reads a number as strconv.ParseFloat does, to the same bits.
// A plain decimal (digits, at most one point, up to 15 digits) is read
// directly: its digits and its power of ten are both exact as float64,
// so one division rounds it correctly (Clinger's fast path), several
// times faster than the general parser, which reads everything else.
func parseNumber(s string) (float64, error) {
	var mantissa uint64
	digits, point := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			mantissa = mantissa*10 + uint64(c-'0')
			digits++
		case c == '.' && point < 0:
			point = i
		default:
			return strconv.ParseFloat(s, 64)
		}
	}
	if digits == 0 || digits > 15 {
		return strconv.ParseFloat(s, 64)
	}
	if point < 0 {
		return float64(mantissa), nil
	}
	return float64(mantissa) / exactPowers[len(s)-point-1], nil
}

// collectSeldom raises GOGC to 400 (unless it is higher or off) until the
// returned function restores it. Reading a summary file allocates two
// large blocks, the text and the summaries, that live to the end:
// collecting while they fill frees nothing, and the pages the collector
// hands back to the system are faulted in again (1,000,000 customers:
// 70,000 page faults and 0.3-0.5 s of system time instead of 42,000 and
// 0.1 s, at the same peak).
func collectSeldom() (restore func()) {
	old := debug.SetGCPercent(400)
	if old < 0 || old > 400 {
		debug.SetGCPercent(old)
	}
	return func() { debug.SetGCPercent(old) }
}
