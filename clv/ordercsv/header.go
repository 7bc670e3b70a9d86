package ordercsv

import (
	"fmt"
	"strings"
)

// column is one known column of an order file.
type column int

const (
	colOrderID column = iota
	colCustomerID
	colOrderedAt
	colAmount
	colCurrency
	colMargin
	colCost
	colStatus
	colEmail
	colPhone
	colTelegramID
	colTelegramUsername
	colDiscordID
	numColumns
)

// columnNames are the header names, in the order a template file lists them.
var columnNames = [numColumns]string{
	"order_id", "customer_id", "ordered_at", "amount", "currency", "margin", "cost", "status",
	"email", "phone", "telegram_id", "telegram_username", "discord_id",
}

// Columns lists every column an order file may have; the first four are
// required.
func Columns() []string { return append([]string(nil), columnNames[:]...) }

const requiredColumns = colAmount + 1

// HeaderError says what is wrong with the header row. Nothing after the
// header is read when it is wrong.
type HeaderError struct {
	Problems []Problem
}

// Error lists the header's problems.
func (e *HeaderError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "order file header: " + strings.Join(msgs, "; ")
}

// layout maps each known column to its field index in a row, -1 if absent.
type layout [numColumns]int

// parseHeader reads the header row found on line. Names are matched in any
// case, without surrounding spaces, in any order. An unknown, unnamed or
// repeated column is an error, so that a typo ("amout") is not silently
// ignored; so is giving both margin and cost.
func parseHeader(fields []string, line int) (layout, error) {
	var (
		l    layout
		errs []Problem
	)
	for i := range l {
		l[i] = -1
	}
	if len(fields) == 1 && strings.ContainsAny(fields[0], ";\t") {
		errs = append(errs, Problem{Line: line, Msg: "the columns must be separated by commas, not semicolons or tabs"})
		return l, &HeaderError{errs}
	}
	for i, f := range fields {
		name := strings.ToLower(strings.TrimSpace(f))
		c := lookupColumn(name)
		switch {
		case name == "":
			errs = append(errs, Problem{Line: line, Msg: fmt.Sprintf("column %d has no name", i+1)})
		case c < 0:
			errs = append(errs, Problem{Line: line, Column: name,
				Msg: "unknown column; the columns are " + strings.Join(columnNames[:], ", ")})
		case l[c] >= 0:
			errs = append(errs, Problem{Line: line, Column: name,
				Msg: fmt.Sprintf("given twice (columns %d and %d)", l[c]+1, i+1)})
		default:
			l[c] = i
		}
	}
	for c := range requiredColumns {
		if l[c] < 0 {
			errs = append(errs, Problem{Line: line, Column: columnNames[c],
				Msg: "missing; order_id, customer_id, ordered_at and amount are required"})
		}
	}
	if l[colMargin] >= 0 && l[colCost] >= 0 {
		errs = append(errs, Problem{Line: line, Column: "cost", Msg: "give a margin column or a cost column, not both"})
	}
	if errs != nil {
		return l, &HeaderError{errs}
	}
	return l, nil
}

func lookupColumn(name string) column {
	for c, n := range columnNames {
		if n == name {
			return column(c)
		}
	}
	return -1
}

// record gathers a row's fields by column; an absent column reads as empty.
func (l *layout) record(fields []string) Record {
	get := func(c column) string {
		if i := l[c]; i >= 0 {
			return fields[i]
		}
		return ""
	}
	return Record{
		OrderID:          get(colOrderID),
		CustomerID:       get(colCustomerID),
		OrderedAt:        get(colOrderedAt),
		Amount:           get(colAmount),
		Currency:         get(colCurrency),
		Margin:           get(colMargin),
		Cost:             get(colCost),
		Status:           get(colStatus),
		Email:            get(colEmail),
		Phone:            get(colPhone),
		TelegramID:       get(colTelegramID),
		TelegramUsername: get(colTelegramUsername),
		DiscordID:        get(colDiscordID),
	}
}

// index is the field index of the named column, -1 if absent.
func (l *layout) index(name string) int {
	if c := lookupColumn(name); c >= 0 {
		return l[c]
	}
	return -1
}
