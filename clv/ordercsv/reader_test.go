package ordercsv_test

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/ordercsv"
)

func ptr(f float64) *float64 { return &f }

// now is when the test's orders are received.
var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// readAll reads every valid order of file and the final report.
func readAll(t *testing.T, file string) ([]clv.Order, ordercsv.Report) {
	t.Helper()
	var got []clv.Order
	rep, err := ordercsv.Read(strings.NewReader(file), now, func(o clv.Order) error {
		got = append(got, o)
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return got, rep
}

func TestReadsAGoodFileWithBOMCRLFAndQuotes(t *testing.T) {
	file := "\uFEFF Amount ,ORDER_ID,customer_id,Ordered_At,currency,cost,status,email,phone,telegram_id,telegram_username,discord_id\r\n" +
		"12.50,A-1,c1,2024-03-01T14:30:00+02:00,eur,2.5,,ann@example.com,+30 210 1234567,123456789,@ann_shop,80351110224678912\r\n" +
		"\r\n" + // a blank line is skipped
		`"1234.5","A,2","c ""two""",2024-03-02, USD ,,Refunded,,"line one` + "\r\n" + `line two",,,` + "\r\n" +
		"0,A-3,c1,2024-03-03,,3,cancelled,,,,,\r\n"
	got, rep := readAll(t, file)

	want := []clv.Order{
		{ID: "A-1", CustomerID: "c1", OrderedAt: time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC), Amount: 12.5,
			Currency: "EUR", Margin: ptr(10), Status: clv.StatusPaid, Email: "ann@example.com",
			Phone: "+30 210 1234567", TelegramID: "123456789", TelegramUsername: "ann_shop", DiscordID: "80351110224678912"},
		{ID: "A,2", CustomerID: `c "two"`, OrderedAt: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), Amount: 1234.5,
			Currency: "USD", Status: clv.StatusRefunded, Phone: "line one\nline two"},
		{ID: "A-3", CustomerID: "c1", OrderedAt: time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC), Amount: 0,
			Margin: ptr(-3), Status: clv.StatusCancelled},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d orders, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !got[i].OrderedAt.Equal(want[i].OrderedAt) {
			t.Errorf("order %d: ordered_at %v, want %v", i, got[i].OrderedAt, want[i].OrderedAt)
		}
		got[i].OrderedAt, want[i].OrderedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("order %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if want := (ordercsv.Report{Rows: 3, Orders: 3}); !reflect.DeepEqual(rep, want) {
		t.Errorf("report %+v, want %+v", rep, want)
	}
	if err := rep.Err(); err != nil {
		t.Errorf("Err on a good file: %v", err)
	}
}

func TestHeaderProblemsAreNamed(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"empty file", "", "order file header: line 1: the file is empty; its first line must name the columns, such as order_id,customer_id,ordered_at,amount"},
		{"missing column", "order_id,customer_id,ordered_at\n", "order file header: line 1, column amount: missing; order_id, customer_id, ordered_at and amount are required"},
		{"unknown column", "order_id,customer_id,ordered_at,amout,amount\n", "order file header: line 1, column amout: unknown column; the columns are order_id, customer_id, ordered_at, amount, currency, margin, cost, status, email, phone, telegram_id, telegram_username, discord_id"},
		{"twice", "order_id,customer_id,Email,ordered_at,amount,email\n", "order file header: line 1, column email: given twice (columns 3 and 6)"},
		{"unnamed", "order_id,customer_id,ordered_at,amount,\n", "order file header: line 1: column 5 has no name"},
		{"margin and cost", "order_id,customer_id,ordered_at,amount,margin,cost\n", "order file header: line 1, column cost: give a margin column or a cost column, not both"},
		{"semicolons", "order_id;customer_id;ordered_at;amount\n", "order file header: line 1: the columns must be separated by commas, not semicolons or tabs"},
		{"bad quote", "order_id,\"customer_id,ordered_at,amount\n", "order file header: line 1: a quoted field is not closed, or a \" inside it is not doubled"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ordercsv.NewReader(strings.NewReader(c.file), now)
			if _, ok := errors.AsType[*ordercsv.HeaderError](err); !ok || err.Error() != c.want {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

const header = "order_id,customer_id,ordered_at,amount,currency,margin,status,email,telegram_id,telegram_username,discord_id\n"

// badFieldRows are one bad row each, with the error that must name it.
var badFieldRows = []struct{ row, want string }{
	{",c,2024-01-01,1,,,,,,,", "line 2, column order_id: empty, but required"},
	{"o, ,2024-01-01,1,,,,,,,", "line 2, column customer_id: empty, but required"},
	{"o,c,,1,,,,,,,", "line 2, column ordered_at: empty, but required"},
	{"o,c,2024-02-30,1,,,,,,,", `line 2, column ordered_at: "2024-02-30" is not a date: want RFC 3339 such as 2024-03-01T14:30:00Z, or YYYY-MM-DD`},
	{"o,c,01/03/2024,1,,,,,,,", `line 2, column ordered_at: "01/03/2024" is not a date: want RFC 3339 such as 2024-03-01T14:30:00Z, or YYYY-MM-DD`},
	{"o,c,2024-03-01T10:00:00,1,,,,,,,", `line 2, column ordered_at: "2024-03-01T10:00:00" is not a date: want RFC 3339 such as 2024-03-01T14:30:00Z, or YYYY-MM-DD`},
	{"o,c,2024-01-01,,,,,,,,", "line 2, column amount: empty, but required"},
	{"o,c,2024-01-01,12.5O,,,,,,,", `line 2, column amount: "12.5O" is not a number`},
	{`o,c,2024-01-01,"12,50",,,,,,,`, `line 2, column amount: "12,50" is not a number (use a dot for decimals and no thousands separators, such as 1234.50)`},
	{`o,c,2024-01-01,"1,234.50",,,,,,,`, `line 2, column amount: "1,234.50" is not a number (use a dot for decimals and no thousands separators, such as 1234.50)`},
	{"o,c,2024-01-01,-5,,,,,,,", `line 2, column amount: "-5" is negative`},
	{"o,c,2024-01-01,NaN,,,,,,,", `line 2, column amount: "NaN" is not a number`},
	{"o,c,2024-01-01,Inf,,,,,,,", `line 2, column amount: "Inf" is not a number`},
	{"o,c,2024-01-01,1e3,,,,,,,", `line 2, column amount: "1e3" is not a number`},
	{"o,c,2024-01-01,1.2.3,,,,,,,", `line 2, column amount: "1.2.3" is not a number`},
	{"o,c,2024-01-01,1" + strings.Repeat("0", 400) + ",,,,,,,", `line 2, column amount: "1` + strings.Repeat("0", 39) + `"... is too large: amounts must be below 1000000000000`},
	{"o,c,2024-01-01,10,EURO,,,,,,", `line 2, column currency: "EURO" is not a 3-letter currency code such as EUR`},
	{"o,c,2024-01-01,10,€,,,,,,", `line 2, column currency: "€" is not a 3-letter currency code such as EUR`},
	{"o,c,2024-01-01,10,,11,,,,,", `line 2, column margin: 11 is more than the amount 10`},
	{"o,c,2024-01-01,10,,x,,,,,", `line 2, column margin: "x" is not a number`},
	{"o,c,2024-01-01,10,,,shipped,,,,", `line 2, column status: "shipped" is not one of paid, refunded, cancelled`},
	{"o,c,2024-01-01,10,,,,ann.example.com,,,", `line 2, column email: "ann.example.com" is not an e-mail address`},
	{"o,c,2024-01-01,10,,,,ann@example,,,", `line 2, column email: "ann@example" is not an e-mail address`},
	{"o,c,2024-01-01,10,,,,ann smith@example.com,,,", `line 2, column email: "ann smith@example.com" is not an e-mail address`},
	{"o,c,2024-01-01,10,,,,,12a,,", `line 2, column telegram_id: "12a" is not a Telegram user id (digits only)`},
	{"o,c,2024-01-01,10,,,,,-12,,", `line 2, column telegram_id: "-12" is not a Telegram user id (digits only)`},
	{"o,c,2024-01-01,10,,,,,,@ann,", `line 2, column telegram_username: "@ann" is not a Telegram username (5 to 32 letters, digits or _)`},
	{"o,c,2024-01-01,10,,,,,,ann-smith,", `line 2, column telegram_username: "ann-smith" is not a Telegram username (5 to 32 letters, digits or _)`},
	{"o,c,2024-01-01,10,,,,,," + strings.Repeat("a", 33) + ",", `line 2, column telegram_username: "` + strings.Repeat("a", 33) + `" is not a Telegram username (5 to 32 letters, digits or _)`},
	{"o,c,2024-01-01,10,,,,,,,ann#1234", `line 2, column discord_id: "ann#1234" is not a Discord user id (digits only)`},
	{"o,c,2024-01-01,10,,,,,,,99999999999999999999", `line 2, column discord_id: "99999999999999999999" is not a Discord user id (digits only)`},
	{"o,c,2024-01-01,10,,,", "line 2: 7 fields, but the header has 11 columns"},
	{"o", "line 2: 1 field, but the header has 11 columns"},
	// What PostgreSQL would refuse, or store wrongly, is refused here.
	{"o\x00,c,2024-01-01,10,,,,,,,", `line 2, column order_id: "o\x00" contains a NUL byte (\x00)`},
	{"o,c\xff,2024-01-01,10,,,,,,,", `line 2, column customer_id: "c\xff" is not valid UTF-8 text`},
	{"o,c,2024-01-01,10,,,,ann\x00@example.com,,,", `line 2, column email: "ann\x00@example.com" contains a NUL byte (\x00)`},
	{strings.Repeat("o", 256) + ",c,2024-01-01,10,,,,,,,", `line 2, column order_id: is 256 bytes long; at most 255 are allowed`},
	{"o," + strings.Repeat("c", 300) + ",2024-01-01,10,,,,,,,", `line 2, column customer_id: is 300 bytes long; at most 255 are allowed`},
	{"o,c,2024-01-01,1000000000000,,,,,,,", `line 2, column amount: "1000000000000" is too large: amounts must be below 1000000000000`},
	{"o,c,2024-01-01,999999999999.99,,999999999999.999,,,,,", `line 2, column margin: "999999999999.999" has more than 2 decimals`},
	{"o,c,2024-01-01,10,,-1000000000000,,,,,", `line 2, column margin: "-1000000000000" is too large: amounts must be below 1000000000000`},
	{"o,c,2024-01-01,12.345,,,,,,,", `line 2, column amount: "12.345" has more than 2 decimals`},
	{"o,c,2024-01-01,0.001,,,,,,,", `line 2, column amount: "0.001" has more than 2 decimals`},
	{"o,c,2024-01-01T10:00:00+16:00,10,,,,,,,", `line 2, column ordered_at: 2024-01-01T10:00:00+16:00 has a UTC offset of +16:00; offsets go from -15:59 to +15:59`},
	{"o,c,2024-01-01T10:00:00-20:30,10,,,,,,,", `line 2, column ordered_at: 2024-01-01T10:00:00-20:30 has a UTC offset of -20:30; offsets go from -15:59 to +15:59`},
	{"o,c,0000-01-01,10,,,,,,,", `line 2, column ordered_at: 0000-01-01T00:00:00Z is before 1970`},
	{"o,c,1969-12-31T23:59:59Z,10,,,,,,,", `line 2, column ordered_at: 1969-12-31T23:59:59Z is before 1970`},
	{"o,c,2026-03-03T12:00:01Z,10,,,,,,,", `line 2, column ordered_at: 2026-03-03T12:00:01Z is in the future (now is 2026-03-02T12:00:00Z; at most a day ahead is accepted)`},
	{"o,c,2030-01-01,10,,,,,,,", `line 2, column ordered_at: 2030-01-01T00:00:00Z is in the future (now is 2026-03-02T12:00:00Z; at most a day ahead is accepted)`},
	{`o,c,2024-01-01,10 "inch",,,,,,,`, `line 2: a " inside a field that is not in quotes (put the field in quotes and double the " inside it)`},
}

func TestEachBadFieldIsReportedWithLineAndColumn(t *testing.T) {
	for _, c := range badFieldRows {
		t.Run(c.want, func(t *testing.T) {
			r, err := ordercsv.NewReader(strings.NewReader(header+c.row+"\n"), now)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Next()
			if _, ok := errors.AsType[*ordercsv.RowError](err); !ok || err.Error() != c.want {
				t.Errorf("got  %v\nwant %s", err, c.want)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("after the bad row: %v, want io.EOF", err)
			}
			if rep := r.Report(); rep.Rows != 1 || rep.Invalid != 1 || rep.Orders != 0 {
				t.Errorf("report %+v, want 1 row, 1 invalid", rep)
			}
		})
	}
}

// TestTheLimitsThemselvesAreAccepted: the largest amount, two decimals
// (and zeros after them), a 255-byte id, offsets of ±15:59, 1970 and a day
// ahead of now are all fine.
func TestTheLimitsThemselvesAreAccepted(t *testing.T) {
	id := strings.Repeat("o", 255)
	file := header +
		id + ",c,1970-01-01,999999999999.99,,-999999999999.99,,,,,\n" +
		"o2,c,2026-03-03T12:00:00Z,12.500,,,,,,,\n" +
		"o3,c,2024-01-01T10:00:00+15:59,10,,,,,,,\n" +
		"o4,c,2024-01-01T10:00:00-15:59,10,,,,,,,\n"
	got, rep := readAll(t, file)
	if err := rep.Err(); err != nil || len(got) != 4 {
		t.Fatalf("%d orders: %v", len(got), err)
	}
	if got[0].ID != id || got[0].Amount != 999999999999.99 || *got[0].Margin != -999999999999.99 || got[1].Amount != 12.5 {
		t.Errorf("orders %+v", got[:2])
	}
}

func TestARowWithSeveralProblemsListsThemAll(t *testing.T) {
	file := header + "o,,2024-01-01,x,,,,,,,\n" + `o2,"c` + "\n" + `2",2024-01-01,10,,,,,abc,,` + "\n"
	r, err := ordercsv.NewReader(strings.NewReader(file), now)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	want := `line 2, column customer_id: empty, but required; line 2, column amount: "x" is not a number`
	if err == nil || err.Error() != want {
		t.Errorf("row 2: %v\nwant %s", err, want)
	}
	_, err = r.Next()
	want = `line 4, column telegram_id: "abc" is not a Telegram user id (digits only)`
	if re, ok := errors.AsType[*ordercsv.RowError](err); !ok || err.Error() != want || re.Line != 3 {
		t.Errorf("row on lines 3-4: %v (%+v)\nwant %s, starting on line 3", err, re, want)
	}

	_, rep := readAll(t, file)
	want = "2 of 2 rows are invalid:\n  line 2, column customer_id: empty, but required\n  line 2, column amount: \"x\" is not a number\n" +
		`  line 4, column telegram_id: "abc" is not a Telegram user id (digits only)`
	if err := rep.Err(); err == nil || err.Error() != want {
		t.Errorf("Err: %v\nwant %s", err, want)
	}
}

// TestTheReportCountsInGoodEnglish: one row, one problem, no "1 rows".
func TestTheReportCountsInGoodEnglish(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{header + "o,c,2024-01-01,-1,,,,,,,\n", "1 of 1 row is invalid:"},
		{header + "o,c,2024-01-01,-1,,,,,,,\no2,c,2024-01-01,1,,,,,,,\n", "1 of 2 rows is invalid:"},
		{header + "o,c,2024-01-01,-1,,,,,,,\no2,c,2024-01-01,-1,,,,,,,\n", "2 of 2 rows are invalid:"},
	} {
		if _, rep := readAll(t, c.file); rep.Err() == nil || !strings.HasPrefix(rep.Err().Error(), c.want) {
			t.Errorf("Err: %v\nwant it to start %q", rep.Err(), c.want)
		}
	}
}

func TestProblemsAreCollectedAndCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := range 150 {
		if i%3 == 0 {
			fmt.Fprintf(&b, "o%d,c,2024-01-01,10,,,,,,,\n", i)
		} else {
			fmt.Fprintf(&b, "o%d,c,2024-01-01,-%d,,,,,,,\n", i, i)
		}
	}
	got, rep := readAll(t, b.String())
	if len(got) != 50 || rep.Orders != 50 || rep.Rows != 150 || rep.Invalid != 100 {
		t.Fatalf("got %d orders, report %d rows %d orders %d invalid; want 50, 150, 50, 100", len(got), rep.Rows, rep.Orders, rep.Invalid)
	}
	b.WriteString("x,c,2024-01-01,-1,,,,,,,\n")
	_, rep = readAll(t, b.String())
	if len(rep.Problems) != ordercsv.MaxProblems || rep.More != 1 {
		t.Fatalf("listed %d problems and %d more, want %d and 1", len(rep.Problems), rep.More, ordercsv.MaxProblems)
	}
	if first := rep.Problems[0].Error(); first != `line 3, column amount: "-1" is negative` {
		t.Errorf("first problem %q", first)
	}
	if msg := rep.Err().Error(); !strings.HasPrefix(msg, "101 of 151 rows are invalid:\n  line 3,") || !strings.HasSuffix(msg, "\n  and 1 more problem") {
		t.Errorf("Err:\n%s", msg)
	}
}

func TestARepeatedOrderIsReadOnceAndAConflictingOneIsAnError(t *testing.T) {
	file := header +
		"o1,c,2024-01-01,10.0,eur,,,,,,\n" +
		"o2,c,2024-01-01,20,,,,,,,\n" +
		"o1,c,2024-01-01T00:00:00Z,10,EUR,,paid,,,,\n" + // the same order, written differently
		"o1,c,2024-01-01,11,EUR,,,,,,\n"
	got, rep := readAll(t, file)
	if len(got) != 2 || got[0].ID != "o1" || got[0].Amount != 10 || got[1].ID != "o2" {
		t.Errorf("orders %+v, want o1 (10) and o2", got)
	}
	want := ordercsv.Report{Rows: 4, Orders: 2, Repeats: 1, Invalid: 1, Problems: []ordercsv.Problem{
		{Line: 5, Column: "order_id", Msg: `order "o1" is already on line 2 with different content`},
	}}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("report\n got %+v\nwant %+v", rep, want)
	}
}

func TestReadingGoesOnAfterACSVSyntaxError(t *testing.T) {
	file := header + "o1,c,2024-01-01,10,,,,,,,\n" + `o2,c,2024-01-01,5 " x,,,,,,,` + "\n" + "o3,c,2024-01-01,10,,,,,,,\n"
	got, rep := readAll(t, file)
	if len(got) != 2 || got[1].ID != "o3" {
		t.Errorf("orders %+v, want o1 and o3", got)
	}
	if rep.Invalid != 1 || rep.Rows != 3 || rep.Problems[0].Line != 3 {
		t.Errorf("report %+v, want row 3 invalid", rep)
	}
}

func TestOffsetCountsTheBytesRead(t *testing.T) {
	file := "\uFEFF" + header + "o1,c,2024-01-01,10,,,,,,,\n" + "o2,c,2024-01-01,10,,,,,,,\n"
	r, err := ordercsv.NewReader(strings.NewReader(file), now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Offset(), int64(3+len(header)); got != want {
		t.Errorf("after the header: offset %d, want %d", got, want)
	}
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Offset(); got != int64(len(file)) {
		t.Errorf("at the end: offset %d, want %d", got, len(file))
	}
}

func TestReadStopsWhenTheCallerFails(t *testing.T) {
	file := header + "o1,c,2024-01-01,10,,,,,,,\n" + "o2,c,2024-01-01,10,,,,,,,\n"
	boom := errors.New("copy failed")
	rep, err := ordercsv.Read(strings.NewReader(file), now, func(o clv.Order) error {
		if o.ID == "o2" {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || err.Error() != "order o2 on line 3: copy failed" || rep.Orders != 2 {
		t.Errorf("got %v (report %+v), want the caller's error naming o2 on line 3", err, rep)
	}
}

type failingReader struct{ data io.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if err == io.EOF {
		return n, errors.New("disk on fire")
	}
	return n, err
}

func TestAFailedReadEndsTheFile(t *testing.T) {
	_, err := ordercsv.Read(failingReader{strings.NewReader(header + "o1,c,2024-01-01,10,,,,,,,\n")}, now, nil)
	if err == nil || err.Error() != "read orders: disk on fire" {
		t.Errorf("got %v, want read orders: disk on fire", err)
	}
}

func TestRecordWithoutAFileHasNoLine(t *testing.T) {
	rec := ordercsv.Record{OrderID: "o", CustomerID: "c", OrderedAt: "2024-01-01", Amount: "10", Margin: "1", Cost: "2"}
	_, problems := rec.Order(now)
	if len(problems) != 1 || problems[0].Error() != "cost: give margin or cost, not both" {
		t.Errorf("problems %v", problems)
	}
	if cols := ordercsv.Columns(); len(cols) != 13 || cols[3] != "amount" {
		t.Errorf("Columns() = %v", cols)
	}
}

func TestAnUnclosedQuoteIsReportedWhereItsRowStarts(t *testing.T) {
	file := header + "o1,c,2024-01-01,10,,,,,,,\n" + `o2,"c,2024-01-01,10,,,,,,,` + "\n" + "o3,c,2024-01-01,10,,,,,,,\n"
	got, rep := readAll(t, file)
	if len(got) != 1 || rep.Invalid != 1 {
		t.Fatalf("orders %+v, report %+v: want o1 and one invalid row", got, rep)
	}
	if msg := rep.Problems[0].Error(); msg != `line 3: a quoted field is not closed, or a " inside it is not doubled` {
		t.Errorf("problem %q", msg)
	}
}
