package digest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Years a week may be asked for: a digest reads the sixteen weeks before
// one, and dates must stay within four-digit years, as PostgreSQL and
// ISO 8601 write them.
const (
	FirstYear = 2000
	LastYear  = 9998
)

// Week is an ISO 8601 week: weeks start on Monday, and week 1 of a year
// is the one with the year's first Thursday, so a year has 52 or 53
// weeks and its first days may belong to the year before.
type Week struct {
	Year int
	Num  int
}

// WeekOf is the week t falls in, in loc.
func WeekOf(t time.Time, loc *time.Location) Week {
	y, n := t.In(loc).ISOWeek()
	return Week{Year: y, Num: n}
}

// ParseWeek reads a week written as ISO 8601 does, "2026-W49".
func ParseWeek(s string) (Week, error) {
	year, num, ok := strings.Cut(strings.TrimSpace(s), "-W")
	if !ok || len(year) != 4 || len(num) != 2 || !digits(year+num) {
		return Week{}, fmt.Errorf("week %q: want a year and a week number, as in 2026-W49", s)
	}
	y, _ := strconv.Atoi(year)
	n, _ := strconv.Atoi(num)
	if y < FirstYear || y > LastYear {
		return Week{}, fmt.Errorf("week %q: the year must be %d to %d", s, FirstYear, LastYear)
	}
	if last := WeeksIn(y); n < 1 || n > last {
		return Week{}, fmt.Errorf("week %q: %d has weeks 1 to %d", s, y, last)
	}
	return Week{Year: y, Num: n}, nil
}

// WeeksIn is how many ISO weeks a year has: 53 when it starts on a
// Thursday, or on a Wednesday in a leap year; 52 otherwise.
func WeeksIn(year int) int {
	_, n := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return n
}

// String writes the week as ISO 8601 does, "2026-W49".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// MarshalText writes the week as String does.
func (w Week) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads a week as ParseWeek does.
func (w *Week) UnmarshalText(b []byte) error {
	v, err := ParseWeek(string(b))
	*w = v
	return err
}

// Start is the week's Monday at midnight in loc.
func (w Week) Start(loc *time.Location) time.Time {
	// 4 January is always in week 1; go back to its Monday.
	jan4 := time.Date(w.Year, time.January, 4, 12, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w.Num-1)*7)
	return time.Date(monday.Year(), monday.Month(), monday.Day(), 0, 0, 0, 0, loc)
}

// End is the next week's Monday at midnight in loc: the week is
// [Start, End).
func (w Week) End(loc *time.Location) time.Time { return w.Next().Start(loc) }

// Next is the week after.
func (w Week) Next() Week {
	if w.Num < WeeksIn(w.Year) {
		return Week{Year: w.Year, Num: w.Num + 1}
	}
	return Week{Year: w.Year + 1, Num: 1}
}

// Before reports whether w comes before v.
func (w Week) Before(v Week) bool { return w.Year < v.Year || w.Year == v.Year && w.Num < v.Num }

// Prev is the week before.
func (w Week) Prev() Week {
	if w.Num > 1 {
		return Week{Year: w.Year, Num: w.Num - 1}
	}
	return Week{Year: w.Year - 1, Num: WeeksIn(w.Year - 1)}
}

// Last is the n weeks that end with w, oldest first: what a chart of n
// weeks shows.
func (w Week) Last(n int) []Week {
	out := make([]Week, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = w
		w = w.Prev()
	}
	return out
}

// digits reports whether s is only the digits 0 to 9.
func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
