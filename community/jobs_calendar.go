package community

import (
	"sort"
	"time"
)

// Slots of a cron spec are wall-clock times in the job's zone. Across a
// daylight-saving change a wall-clock time the clocks repeat runs once, at
// its first occurrence, and one they skip runs when the clocks jump over
// it: a night run at 03:30 runs every night, once.

// calendarDays is how far the slot search looks: a spec that can match at
// all (29 February included) matches within eight years.
const calendarDays = 8*366 + 1

// cronStar is the bit robfig/cron sets in a field given as * or ?: when
// day-of-month or day-of-week is a star, a day must match both, else either.
const cronStar = 1 << 63

// nextCalendar is the first slot after t.
func (tt Timetable) nextCalendar(t time.Time) time.Time {
	day := civilDay(t.In(tt.loc))
	for i := 0; i < calendarDays; i++ {
		for _, slot := range tt.slotsOn(day.AddDate(0, 0, i)) {
			if slot.After(t) {
				return slot
			}
		}
	}
	return time.Time{}
}

// lastCalendar is the last slot at t or before.
func (tt Timetable) lastCalendar(t time.Time) time.Time {
	day := civilDay(t.In(tt.loc))
	for i := 0; i < calendarDays; i++ {
		slots := tt.slotsOn(day.AddDate(0, 0, -i))
		for k := len(slots) - 1; k >= 0; k-- {
			if !slots[k].After(t) {
				return slots[k]
			}
		}
	}
	return time.Time{}
}

// civilDay is t's calendar day, as midnight UTC: days counted this way are
// all 24 hours long.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// slotsOn lists the slots of day (a civilDay) in order, once each.
func (tt Timetable) slotsOn(day time.Time) []time.Time {
	if !tt.dayMatches(day) {
		return nil
	}
	var slots []time.Time
	for hour := 0; hour < 24; hour++ {
		if tt.spec.Hour&(1<<hour) == 0 {
			continue
		}
		for minute := 0; minute < 60; minute++ {
			if tt.spec.Minute&(1<<minute) == 0 {
				continue
			}
			slot := wallInstant(day.Add(time.Duration(hour)*time.Hour+time.Duration(minute)*time.Minute), tt.loc)
			if n := len(slots); n == 0 || slot.After(slots[n-1]) {
				slots = append(slots, slot)
			}
		}
	}
	return slots
}

// dayMatches reports whether the spec runs on day, as cron reads it.
func (tt Timetable) dayMatches(day time.Time) bool {
	s := tt.spec
	if s.Month&(1<<uint(day.Month())) == 0 {
		return false
	}
	dom, dow := s.Dom&(1<<uint(day.Day())) != 0, s.Dow&(1<<uint(day.Weekday())) != 0
	if s.Dom&cronStar != 0 || s.Dow&cronStar != 0 {
		return dom && dow
	}
	return dom || dow
}

// wallInstant is when the clocks in loc first read wall (a wall-clock time
// written in UTC); for a time a daylight-saving change skips, the moment
// the clocks jump over it.
func wallInstant(wall time.Time, loc *time.Location) time.Time {
	probe := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc)
	_, before := probe.Add(-6 * time.Hour).Zone()
	_, after := probe.Add(6 * time.Hour).Zone()
	var first time.Time
	for _, offset := range []int{before, after} {
		at := wall.Add(-time.Duration(offset) * time.Second).In(loc)
		if reads(at, wall) && (first.IsZero() || at.Before(first)) {
			first = at
		}
	}
	if !first.IsZero() {
		return first
	}
	// Skipped: the clocks moved forward from before to after in between.
	lo, hi := wall.Add(-time.Duration(after)*time.Second), wall.Add(-time.Duration(before)*time.Second)
	n := sort.Search(int(hi.Sub(lo)/time.Second)+1, func(s int) bool {
		_, offset := lo.Add(time.Duration(s) * time.Second).In(loc).Zone()
		return offset == after
	})
	return lo.Add(time.Duration(n) * time.Second).In(loc)
}

// reads reports whether the clock at t reads wall, to the minute.
func reads(t, wall time.Time) bool {
	y, m, d := t.Date()
	return y == wall.Year() && m == wall.Month() && d == wall.Day() && t.Hour() == wall.Hour() && t.Minute() == wall.Minute()
}
