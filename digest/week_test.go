package digest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/digest"
)

func TestWeeksAcrossYears(t *testing.T) {
	cases := []struct {
		day  string
		want string
	}{
		{"2026-12-07", "2026-W50"}, // a Monday
		{"2026-12-31", "2026-W53"}, // 2026 starts on a Thursday: 53 weeks
		{"2027-01-03", "2026-W53"}, // a Sunday still in 2026's last week
		{"2027-01-04", "2027-W01"},
		{"2024-12-30", "2025-W01"}, // a Monday in 2025's first week
		{"2021-01-03", "2020-W53"}, // 2020, a leap year starting on a Wednesday
	}
	for _, c := range cases {
		day, err := time.Parse(time.DateOnly, c.day)
		if err != nil {
			t.Fatal(err)
		}
		w := digest.WeekOf(day.Add(12*time.Hour), time.UTC)
		if w.String() != c.want {
			t.Errorf("%s is in %s, want %s", c.day, w, c.want)
		}
		if start, end := w.Start(time.UTC), w.End(time.UTC); day.Before(start) || !day.Before(end) || start.Weekday() != time.Monday {
			t.Errorf("%s: %s runs from %s to %s", c.day, w, start, end)
		}
	}
}

func TestEveryWeekRoundTrips(t *testing.T) {
	loc, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	w := digest.Week{Year: 2019, Num: 1}
	for w.Year < 2032 {
		parsed, err := digest.ParseWeek(w.String())
		if err != nil || parsed != w {
			t.Fatalf("%s parsed as %v, %v", w, parsed, err)
		}
		start := w.Start(loc)
		if got := digest.WeekOf(start, loc); got != w {
			t.Fatalf("%s starts at %s, which is in %s", w, start, got)
		}
		if got := digest.WeekOf(w.End(loc).Add(-time.Nanosecond), loc); got != w {
			t.Fatalf("%s ends at %s, just before which is %s", w, w.End(loc), got)
		}
		if w.Next().Prev() != w {
			t.Fatalf("%s: next then previous is %s", w, w.Next().Prev())
		}
		w = w.Next()
	}
}

// A week with a daylight-saving change is an hour shorter or longer in
// the community's time.
func TestWeeksFollowTheCommunitysClock(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	spring := digest.WeekOf(time.Date(2026, 3, 29, 12, 0, 0, 0, athens), athens) // clocks go forward on 29 March
	if d := spring.End(athens).Sub(spring.Start(athens)); d != 167*time.Hour {
		t.Errorf("%s lasts %s in Athens, want 167h", spring, d)
	}
	autumn := digest.WeekOf(time.Date(2026, 10, 25, 12, 0, 0, 0, athens), athens)
	if d := autumn.End(athens).Sub(autumn.Start(athens)); d != 169*time.Hour {
		t.Errorf("%s lasts %s in Athens, want 169h", autumn, d)
	}
	// Sunday 23:30 in Athens is Sunday 21:30 UTC, and Monday 01:00 is
	// still Sunday in UTC: the week is the community's.
	late := time.Date(2026, 12, 7, 1, 0, 0, 0, athens)
	if got := digest.WeekOf(late, athens); got.String() != "2026-W50" {
		t.Errorf("Monday 01:00 in Athens is in %s, want 2026-W50", got)
	}
	if got := digest.WeekOf(late, time.UTC); got.String() != "2026-W49" {
		t.Errorf("the same moment in UTC is in %s, want 2026-W49", got)
	}
}

func TestParseWeekSaysWhatIsWrong(t *testing.T) {
	for in, want := range map[string]string{
		"2026-W54": `week "2026-W54": 2026 has weeks 1 to 53`,
		"2025-W53": `week "2025-W53": 2025 has weeks 1 to 52`,
		"2026-W00": `week "2026-W00": 2026 has weeks 1 to 53`,
		"2026-49":  `week "2026-49": want a year and a week number, as in 2026-W49`,
		"2026-W9":  `week "2026-W9": want a year and a week number, as in 2026-W49`,
		"":         `week "": want a year and a week number, as in 2026-W49`,
		"W49-2026": `week "W49-2026": want a year and a week number, as in 2026-W49`,
		"-202-W05": `week "-202-W05": want a year and a week number, as in 2026-W49`,
		"2026-W+1": `week "2026-W+1": want a year and a week number, as in 2026-W49`,
		"0001-W01": `week "0001-W01": the year must be 2000 to 9998`,
		"1999-W52": `week "1999-W52": the year must be 2000 to 9998`,
		"9999-W01": `week "9999-W01": the year must be 2000 to 9998`,
	} {
		if _, err := digest.ParseWeek(in); err == nil || err.Error() != want {
			t.Errorf("ParseWeek(%q): %v, want %s", in, err, want)
		}
	}
}

func TestLastWeeksForAChart(t *testing.T) {
	weeks := digest.Week{Year: 2027, Num: 2}.Last(4)
	if got, want := fmt.Sprint(weeks), "[2026-W52 2026-W53 2027-W01 2027-W02]"; got != want {
		t.Errorf("the 4 weeks to 2027-W02: %s, want %s", got, want)
	}
}
