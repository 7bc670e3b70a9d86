package ordercsv

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The limits of an order Hearth accepts. Each keeps out something the
// database would refuse, or would store wrongly, so that a shop's bad order
// is answered with what is wrong and where instead of a failure while
// saving.
const (
	// MaxIDLength is the longest order, customer or refund id, and the
	// longest e-mail address or phone number, in bytes.
	MaxIDLength = 255
	// MaxAmount bounds every amount: amounts are stored with 12 digits
	// before the point, so they must be below 10¹².
	MaxAmount = 1e12
	// MaxDecimals is how many decimals an amount may have: cents are
	// stored, and a third decimal would be rounded away.
	MaxDecimals = 2
	// MaxAhead is how far after now an order may be dated: enough for a
	// shop whose clock runs ahead, not for a date typed wrong.
	MaxAhead = 24 * time.Hour
	// maxOffset is the largest UTC offset PostgreSQL reads, 15:59.
	maxOffset = 15*time.Hour + 59*time.Minute
)

// Earliest is the earliest date an order may have: a year 0000 or 1900 is
// a date typed wrong, and would put a customer's first purchase decades
// back (their predicted CLV with it).
var Earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// CheckText refuses text the database cannot store (a NUL byte or invalid
// UTF-8) and text longer than max bytes. Its message never quotes a long
// value.
func CheckText(s string, max int) error {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("%s contains a NUL byte (\\x00)", quoteShort(s))
	case !utf8.ValidString(s):
		return fmt.Errorf("%s is not valid UTF-8 text", quoteShort(s))
	case len(s) > max:
		return fmt.Errorf("is %d bytes long; at most %d are allowed", len(s), max)
	}
	return nil
}

// ParseID reads a required id (order, customer or refund): surrounding
// spaces dropped, at most MaxIDLength bytes of text the database can store.
func ParseID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ErrEmpty
	}
	if err := CheckText(s, MaxIDLength); err != nil {
		return "", err
	}
	return s, nil
}

// CheckTime refuses an order date before Earliest or more than MaxAhead
// after now, and a UTC offset beyond ±15:59 (which the database cannot
// read).
func CheckTime(t, now time.Time) error {
	if _, offset := t.Zone(); time.Duration(offset)*time.Second > maxOffset || time.Duration(-offset)*time.Second > maxOffset {
		return fmt.Errorf("%s has a UTC offset of %s; offsets go from -15:59 to +15:59", t.Format(time.RFC3339), t.Format("-07:00"))
	}
	if t.Before(Earliest) {
		return fmt.Errorf("%s is before %d", t.Format(time.RFC3339), Earliest.Year())
	}
	if latest := now.Add(MaxAhead); t.After(latest) {
		return fmt.Errorf("%s is in the future (now is %s; at most a day ahead is accepted)",
			t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// ParseTimeAt reads an order date as ParseTime does and checks it with
// CheckTime against now.
func ParseTimeAt(s string, now time.Time) (time.Time, error) {
	t, err := ParseTime(s)
	if err != nil {
		return t, err
	}
	return t, CheckTime(t, now)
}

// quoteShort quotes s, cut to its first 40 bytes when it is longer.
func quoteShort(s string) string {
	if len(s) <= 40 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", s[:40])
}
