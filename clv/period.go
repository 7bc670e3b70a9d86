package clv

import (
	"fmt"
	"strings"
	"time"
)

// Period is the time unit in which summaries and models measure time. It
// has no usable zero value: every caller says which unit it means.
type Period int

// The periods. Day and Week both merge purchases made on the same calendar
// day; Week measures in days divided by 7, as Hardie's CDNOW summaries and
// lifetimes' summary_data_from_transaction_data(freq="D", freq_multiplier=7)
// do, so recency and T keep their fractions of a week. Month merges
// purchases of the same calendar month and measures in whole months, as
// lifetimes does with freq="M".
const (
	Day Period = iota + 1
	Week
	Month
)

// Average lengths of a calendar month (365.25 / 12 days) in each period.
const (
	daysPerMonth  = 365.25 / 12
	weeksPerMonth = daysPerMonth / 7
)

// Months as lifetimes counts them in customer_lifetime_value: 30 days or
// 4.345 weeks. Use them in CLVOptions.PeriodsPerStep to reproduce its
// numbers.
const (
	LifetimesDaysPerMonth  = 30
	LifetimesWeeksPerMonth = 4.345
)

// ParsePeriod reads "day", "week" or "month", in any case.
func ParsePeriod(s string) (Period, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "day":
		return Day, nil
	case "week":
		return Week, nil
	case "month":
		return Month, nil
	}
	return 0, fmt.Errorf("period %q is not one of day, week, month", s)
}

// String names the period as ParsePeriod reads it.
func (p Period) String() string {
	switch p {
	case Day:
		return "day"
	case Week:
		return "week"
	case Month:
		return "month"
	}
	return fmt.Sprintf("Period(%d)", int(p))
}

// Valid reports whether p is one of Day, Week and Month.
func (p Period) Valid() bool { return p == Day || p == Week || p == Month }

// PeriodsPerMonth is how many periods an average calendar month holds:
// 30.4375 days, 4.348 weeks or 1 month. It is 0 for an invalid period.
func (p Period) PeriodsPerMonth() float64 {
	switch p {
	case Day:
		return daysPerMonth
	case Week:
		return weeksPerMonth
	case Month:
		return 1
	}
	return 0
}

// bucket is the index of the calendar day (Day, Week) or month (Month)
// holding t in loc. Purchases with the same bucket are merged.
func (p Period) bucket(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	if p == Month {
		return int64(y)*12 + int64(m) - 1
	}
	// Civil days since 1970-01-01; midnight UTC divides exactly.
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// perBucket is how many periods one bucket step is.
func (p Period) perBucket() float64 {
	if p == Week {
		return 1.0 / 7
	}
	return 1
}
