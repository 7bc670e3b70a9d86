package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/ordercsv"
)

// summaryColumns are the names a summary file's columns may have, as the
// BTYD literature and lifetimes write them.
var summaryColumns = map[string][]string{
	"id":             {"customer_id", "id", "cust", "customer"},
	"frequency":      {"frequency", "x", "frequency_cal"},
	"recency":        {"recency", "t_x", "recency_cal"},
	"T":              {"t", "t_cal"},
	"monetary_value": {"monetary_value", "monetary", "m", "m_x", "zbar"},
}

// readSummaryFile reads customer summaries (id, frequency, recency, T and
// optionally monetary_value) from a CSV file with a header row. It says
// whether the file had monetary values.
func readSummaryFile(path string) ([]clv.Summary, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, false, fmt.Errorf("%s: no header row: %w", path, err)
	}
	col := map[string]int{}
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		for key, names := range summaryColumns {
			for _, n := range names {
				if name == n {
					col[key] = i
				}
			}
		}
	}
	for _, key := range []string{"id", "frequency", "recency", "T"} {
		if _, ok := col[key]; !ok {
			return nil, false, fmt.Errorf("%s: no %s column (want customer_id, frequency, recency, T and optionally monetary_value)", path, key)
		}
	}
	_, monetary := col["monetary_value"]
	var out []clv.Summary
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		s, err := summaryRow(rec, col, monetary)
		if err != nil {
			return nil, false, fmt.Errorf("%s: line %d, %w", path, line, err)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, false, fmt.Errorf("%s: no customers", path)
	}
	return out, monetary, nil
}

func summaryRow(rec []string, col map[string]int, monetary bool) (clv.Summary, error) {
	num := func(key string) (float64, error) {
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[col[key]]), 64)
		if err != nil {
			return 0, fmt.Errorf("column %s: %q is not a number", key, rec[col[key]])
		}
		return v, nil
	}
	s := clv.Summary{CustomerID: strings.TrimSpace(rec[col["id"]])}
	x, err := num("frequency")
	if err != nil {
		return s, err
	}
	if x != float64(int(x)) || x < 0 {
		return s, fmt.Errorf("column frequency: %v is not a whole number of repeat purchases", x)
	}
	s.Frequency = int(x)
	if s.Recency, err = num("recency"); err != nil {
		return s, err
	}
	if s.T, err = num("T"); err != nil {
		return s, err
	}
	if monetary {
		if s.MonetaryValue, err = num("monetary_value"); err != nil {
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
