// Package ordercsv reads shop orders from a CSV file (hearth import orders)
// and checks them, row by row, so that a million rows stream through without
// being held in memory and every problem is reported with its line and
// column.
//
// The file has a header row naming its columns (see Columns): order_id,
// customer_id, ordered_at and amount are required. An order_id repeated with
// the same content is read once; repeated with different content, the first
// row wins and the later one is an error.
package ordercsv

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"math"
	"strings"
	"time"

	"github.com/hearthbot/hearth/clv"
)

// MaxProblems is how many problems a Report lists; it counts the rest.
const MaxProblems = 100

// Reader reads orders from a CSV file one row at a time.
type Reader struct {
	csv    *csv.Reader
	cols   layout
	width  int                  // fields in the header
	skip   int64                // bytes of a byte order mark skipped
	seen   map[uint64]seenOrder // by the hash of the order id
	seed   maphash.Seed
	now    time.Time // when the orders are received (see Record.Order)
	report Report
}

// seenOrder remembers an order already read, to recognise it repeated.
type seenOrder struct {
	hash uint64
	line int
}

// RowError lists what is wrong with one row. The row is left out and reading
// can go on.
type RowError struct {
	Line     int       // the line the row starts on
	Problems []Problem // at least one
}

// Error lists the row's problems.
func (e *RowError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "; ")
}

// NewReader reads the header row of src and returns a Reader for its rows,
// received at now: an order dated more than MaxAhead after now is refused.
// A wrong header is a *HeaderError. A UTF-8 byte order mark is skipped.
func NewReader(src io.Reader, now time.Time) (*Reader, error) {
	buf := bufio.NewReaderSize(src, 64<<10)
	r := &Reader{seed: maphash.MakeSeed(), now: now}
	if bom, _ := buf.Peek(3); string(bom) == "\uFEFF" {
		n, _ := buf.Discard(3)
		r.skip = int64(n)
	}
	r.csv = csv.NewReader(buf)
	r.csv.ReuseRecord = true
	r.csv.FieldsPerRecord = -1 // counted here, for a clearer message

	header, err := r.csv.Read()
	if err == io.EOF {
		return nil, &HeaderError{[]Problem{{Line: 1, Msg: "the file is empty; its first line must name the columns, such as " +
			strings.Join(columnNames[:requiredColumns], ",")}}}
	}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return nil, &HeaderError{[]Problem{{Line: pe.StartLine, Msg: csvMessage(pe.Err)}}}
	}
	if err != nil {
		return nil, fmt.Errorf("read order file header: %w", err)
	}
	line, _ := r.csv.FieldPos(0)
	if r.cols, err = parseHeader(header, line); err != nil {
		return nil, err
	}
	r.width = len(header)
	r.seen = make(map[uint64]seenOrder, expectRows(src, buf))
	return r, nil
}

// expectRows guesses how many rows are left to read, when src is a file:
// its size over the length of the rows already buffered, so that the map
// of orders seen is made once at its size instead of growing row by row.
// It is 0 when src is not a file or too little of it is buffered.
func expectRows(src io.Reader, buf *bufio.Reader) int {
	file, ok := src.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return 0
	}
	info, err := file.Stat()
	ahead, _ := buf.Peek(buf.Buffered())
	lines := bytes.Count(ahead, []byte{'\n'})
	if err != nil || !info.Mode().IsRegular() || lines < 16 {
		return 0
	}
	return int(min(info.Size()/int64(len(ahead)/lines)*11/10, maxExpectedRows))
}

// maxExpectedRows bounds what expectRows guesses (about 1 GB of map).
const maxExpectedRows = 40_000_000

// Next returns the next valid order, or io.EOF after the last row. A row
// that is wrong gives a *RowError; the row is left out of what Next returns,
// counted in the Report, and the caller may call Next again. Any other error
// (reading src failed) ends the file.
func (r *Reader) Next() (clv.Order, error) {
	for {
		fields, err := r.csv.Read()
		if err == io.EOF {
			return clv.Order{}, io.EOF
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			r.report.Rows++
			return clv.Order{}, r.reject(pe.StartLine, Problem{Line: pe.StartLine, Msg: csvMessage(pe.Err)})
		}
		if err != nil {
			return clv.Order{}, fmt.Errorf("read orders: %w", err)
		}
		r.report.Rows++
		line, _ := r.csv.FieldPos(0)
		if len(fields) != r.width {
			return clv.Order{}, r.reject(line, Problem{Line: line,
				Msg: fmt.Sprintf("%s, but the header has %s", count(len(fields), "field", "fields"), count(r.width, "column", "columns"))})
		}
		rec := r.cols.record(fields)
		o, problems := rec.Order(r.now)
		if problems != nil {
			for i := range problems {
				problems[i].Line = line
				if f := r.cols.index(problems[i].Column); f >= 0 {
					problems[i].Line, _ = r.csv.FieldPos(f)
				}
			}
			return clv.Order{}, r.reject(line, problems...)
		}
		if repeat, err := r.repeated(&o, line); repeat || err != nil {
			if err != nil {
				return clv.Order{}, err
			}
			r.report.Repeats++
			continue
		}
		r.report.Orders++
		return o, nil
	}
}

// repeated says whether o was read before with the same content, and is an
// error when it was read with different content.
//
// Orders are remembered by 64-bit hashes of their id and content, not by the
// strings: that halves the time and memory a million rows take. Two different
// ids of one file share a hash with a chance of about 1 in 40 million for a
// million rows; the later row would then be reported as a conflict with the
// earlier line, so nothing would be imported wrongly without a word.
func (r *Reader) repeated(o *clv.Order, line int) (bool, error) {
	id, h := maphash.String(r.seed, o.ID), r.hash(o)
	prev, ok := r.seen[id]
	if !ok {
		r.seen[id] = seenOrder{hash: h, line: line}
		return false, nil
	}
	if prev.hash == h {
		return true, nil
	}
	col := r.cols[colOrderID]
	pl, _ := r.csv.FieldPos(col)
	return false, r.reject(line, Problem{Line: pl, Column: "order_id",
		Msg: fmt.Sprintf("order %q is already on line %d with different content", o.ID, prev.line)})
}

// hash sums up everything an order says, to tell a repeat from a conflict.
func (r *Reader) hash(o *clv.Order) uint64 {
	var h maphash.Hash
	h.SetSeed(r.seed)
	for _, s := range []string{o.ID, o.CustomerID, o.Currency, string(o.Status), o.Email, o.Phone,
		o.TelegramID, o.TelegramUsername, o.DiscordID} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	var b [33]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(o.OrderedAt.UnixNano()))
	binary.LittleEndian.PutUint64(b[8:], math.Float64bits(o.Amount))
	binary.LittleEndian.PutUint64(b[16:], math.Float64bits(o.Refunded))
	if o.Margin != nil {
		b[24] = 1
		binary.LittleEndian.PutUint64(b[25:], math.Float64bits(*o.Margin))
	}
	h.Write(b[:])
	return h.Sum64()
}

// reject records a bad row in the report and returns its error.
func (r *Reader) reject(line int, problems ...Problem) error {
	r.report.Invalid++
	for _, p := range problems {
		if len(r.report.Problems) < MaxProblems {
			r.report.Problems = append(r.report.Problems, p)
		} else {
			r.report.More++
		}
	}
	return &RowError{Line: line, Problems: problems}
}

// csvMessage explains a CSV syntax error and how to fix it.
func csvMessage(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `a " inside a field that is not in quotes (put the field in quotes and double the " inside it)`
	case errors.Is(err, csv.ErrQuote):
		return `a quoted field is not closed, or a " inside it is not doubled`
	}
	return err.Error()
}

// Offset is how many bytes of the input have been read so far, for a
// progress bar: compare it with the file's size.
func (r *Reader) Offset() int64 { return r.skip + r.csv.InputOffset() }

// Report sums up what has been read so far; after io.EOF, the whole file.
func (r *Reader) Report() Report { return r.report }

// Report sums up an order file: how many rows were read and kept, and what
// was wrong with the others.
type Report struct {
	Rows     int       // data rows read, the header not counted
	Orders   int       // valid orders handed out
	Repeats  int       // rows identical to an earlier one with the same order_id, left out
	Invalid  int       // rows with at least one problem, left out
	Problems []Problem // the first MaxProblems problems, in file order
	More     int       // further problems, found but not listed
}

// Err is nil when every row was valid, and otherwise lists the problems, one
// a line.
func (rep Report) Err() error {
	if rep.Invalid == 0 {
		return nil
	}
	var b strings.Builder
	verb := "are"
	if rep.Invalid == 1 {
		verb = "is"
	}
	fmt.Fprintf(&b, "%d of %s %s invalid:", rep.Invalid, count(rep.Rows, "row", "rows"), verb)
	for _, p := range rep.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	if rep.More > 0 {
		fmt.Fprintf(&b, "\n  and %s", count(rep.More, "more problem", "more problems"))
	}
	return errors.New(b.String())
}

// Read reads a whole order file, received at now, and hands each valid
// order to each, in file order (a nil each only checks the file). Invalid rows are listed in the
// Report, not returned as the error: the error is for what stops reading (a
// wrong header, a failed read, or an error from each).
//
// To import all or nothing, hand the orders to a transaction and commit only
// when the Report's Err is nil; to skip invalid rows, commit anyway and show
// Report.Err as a warning.
func Read(src io.Reader, now time.Time, each func(clv.Order) error) (Report, error) {
	r, err := NewReader(src, now)
	if err != nil {
		return Report{}, err
	}
	for {
		o, err := r.Next()
		if err == io.EOF {
			return r.report, nil
		}
		if _, bad := errors.AsType[*RowError](err); bad {
			continue
		}
		if err != nil {
			return r.report, err
		}
		if each != nil {
			if err := each(o); err != nil {
				return r.report, fmt.Errorf("order %s on line %d: %w", o.ID, r.lastLine(), err)
			}
		}
	}
}

// lastLine is the line the last row read starts on.
func (r *Reader) lastLine() int {
	line, _ := r.csv.FieldPos(0)
	return line
}

// count is n followed by one or many, as n asks: "1 row", "3 rows".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
