package ordercsv

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/clv"
)

// Problem is one thing wrong with the input, and where it is.
type Problem struct {
	Line   int    // line in the file, from 1; 0 when the input is not a file
	Column string // the column (or JSON field) at fault; empty for a whole row
	Msg    string // what is wrong, such as `"12,5O" is not a number`
}

// Error reads like `line 17, column amount: "12,5O" is not a number`.
func (p Problem) Error() string {
	switch {
	case p.Line > 0 && p.Column != "":
		return fmt.Sprintf("line %d, column %s: %s", p.Line, p.Column, p.Msg)
	case p.Line > 0:
		return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
	case p.Column != "":
		return p.Column + ": " + p.Msg
	}
	return p.Msg
}

// Record is one order as text, field by column name: a CSV row, or an object
// of Hearth's JSON order API, which uses the same names. Margin and Cost are
// two ways to give the same thing (margin = amount - cost); give one.
type Record struct {
	OrderID          string
	CustomerID       string
	OrderedAt        string
	Amount           string
	Currency         string
	Margin           string
	Cost             string
	Status           string
	Email            string
	Phone            string
	TelegramID       string
	TelegramUsername string
	DiscordID        string
}

// Order checks every field and returns the order, or every problem found
// (with Column set and Line 0). Surrounding spaces are ignored, a currency
// is upper-cased and a Telegram username loses its leading @. now is the
// time the order is received: it may be dated at most MaxAhead after it.
func (rec *Record) Order(now time.Time) (clv.Order, []Problem) {
	var (
		o    clv.Order
		errs []Problem
		err  error
	)
	bad := func(column string, err error) {
		errs = append(errs, Problem{Column: column, Msg: err.Error()})
	}
	if o.ID, err = ParseID(rec.OrderID); err != nil {
		bad("order_id", err)
	}
	if o.CustomerID, err = ParseID(rec.CustomerID); err != nil {
		bad("customer_id", err)
	}
	if o.OrderedAt, err = ParseTimeAt(rec.OrderedAt, now); err != nil {
		bad("ordered_at", err)
	}
	amountOK := true
	if o.Amount, err = ParseAmount(rec.Amount); err != nil {
		bad("amount", err)
		amountOK = false
	}
	if o.Currency, err = ParseCurrency(rec.Currency); err != nil {
		bad("currency", err)
	}
	if column, err := rec.margin(&o, amountOK); err != nil {
		bad(column, err)
	}
	if o.Status, err = parseStatus(rec.Status); err != nil {
		bad("status", err)
	}
	if o.Email, err = parseEmail(rec.Email); err != nil {
		bad("email", err)
	}
	o.Phone = strings.TrimSpace(rec.Phone)
	if err := CheckText(o.Phone, MaxIDLength); err != nil {
		bad("phone", err)
	}
	if o.TelegramID, err = parseID(rec.TelegramID, "Telegram user id", 63); err != nil {
		bad("telegram_id", err)
	}
	if o.TelegramUsername, err = parseTelegramUsername(rec.TelegramUsername); err != nil {
		bad("telegram_username", err)
	}
	if o.DiscordID, err = parseID(rec.DiscordID, "Discord user id", 64); err != nil {
		bad("discord_id", err)
	}
	return o, errs
}

// margin sets o.Margin from the margin or the cost, and names the column at
// fault when one is wrong. amountOK says whether o.Amount can be compared.
func (rec *Record) margin(o *clv.Order, amountOK bool) (string, error) {
	margin, cost := strings.TrimSpace(rec.Margin), strings.TrimSpace(rec.Cost)
	switch {
	case margin != "" && cost != "":
		return "cost", fmt.Errorf("give margin or cost, not both")
	case margin != "":
		m, err := parseDecimal(margin, true)
		if err != nil {
			return "margin", err
		}
		if amountOK && m > o.Amount {
			return "margin", fmt.Errorf("%s is more than the amount %s", margin, strings.TrimSpace(rec.Amount))
		}
		o.Margin = &m
	case cost != "":
		c, err := ParseAmount(cost)
		if err != nil {
			return "cost", err
		}
		if amountOK {
			m := o.Amount - c // a cost above the amount is a loss, which happens
			o.Margin = &m
		}
	}
	return "", nil
}

// ErrEmpty is the error of a required field left empty.
var ErrEmpty = errors.New("empty, but required")

// ParseAmount reads a money amount: a plain, non-negative decimal below
// MaxAmount with at most MaxDecimals decimals, such as 12.50, with a dot
// for decimals and no thousands separators, exponent or currency sign.
func ParseAmount(s string) (float64, error) {
	return parseDecimal(strings.TrimSpace(s), false)
}

// parseDecimal reads [-]digits[.digits]; negative says whether a minus sign
// is allowed. It checks the syntax itself because strconv.ParseFloat would
// also take "Inf", "1e9" and "0x1p3". Zeros after the second decimal are
// allowed (12.500 is 12.50); other digits there would be rounded away.
func parseDecimal(s string, negative bool) (float64, error) {
	if s == "" {
		return 0, ErrEmpty
	}
	digits, dots, dot, decimals := 0, 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
			if dots > 0 && c != '0' {
				decimals = i - dot // the last significant decimal so far
			}
		case c == '.':
			dots, dot = dots+1, i
		case c == '-' && i == 0:
		default:
			if c == ',' || c == '\'' || c == ' ' {
				return 0, fmt.Errorf("%s is not a number (use a dot for decimals and no thousands separators, such as 1234.50)", quoteShort(s))
			}
			return 0, fmt.Errorf("%s is not a number", quoteShort(s))
		}
	}
	if digits == 0 || dots > 1 {
		return 0, fmt.Errorf("%s is not a number", quoteShort(s))
	}
	if s[0] == '-' && !negative {
		return 0, fmt.Errorf("%q is negative", s)
	}
	if decimals > MaxDecimals {
		return 0, fmt.Errorf("%q has more than %d decimals", s, MaxDecimals)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.Abs(f) >= MaxAmount {
		return 0, fmt.Errorf("%s is too large: amounts must be below 1000000000000", quoteShort(s))
	}
	return f, nil
}

// ParseTime reads an RFC 3339 time (2024-03-01T14:30:00Z, any offset) or a
// date (2024-03-01), which means midnight UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, ErrEmpty
	}
	layout := time.RFC3339
	if len(s) == len(time.DateOnly) {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date: want RFC 3339 such as 2024-03-01T14:30:00Z, or YYYY-MM-DD", s)
	}
	return t, nil
}

// ParseCurrency reads an optional ISO 4217 code such as EUR, in any case,
// and returns it upper-cased.
func ParseCurrency(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) != 3 || !isLetter(s[0]) || !isLetter(s[1]) || !isLetter(s[2]) {
		return "", fmt.Errorf("%q is not a 3-letter currency code such as EUR", s)
	}
	return strings.ToUpper(s), nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func parseStatus(s string) (clv.OrderStatus, error) {
	st, err := clv.ParseOrderStatus(s)
	if err != nil {
		return "", fmt.Errorf("%q is not one of paid, refunded, cancelled", strings.TrimSpace(s))
	}
	return st, nil
}

// parseEmail checks that s looks like an e-mail address: something, one @,
// and a domain with a dot inside; no spaces.
func parseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if err := CheckText(s, MaxIDLength); err != nil {
		return "", err
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	dot := strings.IndexByte(domain, '.')
	if at < 1 || dot < 1 || dot == len(domain)-1 || strings.ContainsAny(s, " \t\r\n<>,;") || strings.Contains(domain, "..") {
		return "", fmt.Errorf("%q is not an e-mail address", s)
	}
	return s, nil
}

// parseID checks a numeric platform id that fits in bits bits.
func parseID(s, what string, bits int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if n, err := strconv.ParseUint(s, 10, bits); err != nil || n == 0 {
		return "", fmt.Errorf("%q is not a %s (digits only)", s, what)
	}
	return s, nil
}

// parseTelegramUsername checks a username's syntax: 5 to 32 letters, digits
// or underscores, after an optional @ that is dropped.
func parseTelegramUsername(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	name := strings.TrimPrefix(s, "@")
	ok := len(name) >= 5 && len(name) <= 32
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = isLetter(c) || c >= '0' && c <= '9' || c == '_'
	}
	if !ok {
		return "", fmt.Errorf("%q is not a Telegram username (5 to 32 letters, digits or _)", s)
	}
	return name, nil
}
