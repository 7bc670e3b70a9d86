package community

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	ok := map[string]time.Duration{"30m": 30 * time.Minute, "2h": 2 * time.Hour, "3d": 72 * time.Hour, "1w": 168 * time.Hour,
		"1d12h": 36 * time.Hour, " 2H ": 2 * time.Hour, "1825d": MaxDuration, "260w": 260 * 7 * 24 * time.Hour}
	for in, want := range ok {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]error{
		"": ErrDurationSyntax, "h": ErrDurationSyntax, "30": ErrDurationSyntax, "3x": ErrDurationSyntax, "1.5h": ErrDurationSyntax,
		"0m": ErrDurationNotPositive, "-3d": ErrDurationNotPositive, "-5m": ErrDurationNotPositive, "+2h": ErrDurationNotPositive,
		"\u22125m": ErrDurationNotPositive,
		// Each of these once overflowed: 100000w into 163 years, 15251w
		// into a negative duration.
		"100000w": ErrDurationTooLong, "15251w": ErrDurationTooLong, "1826d": ErrDurationTooLong, "99999999999d": ErrDurationTooLong,
		"1825d1m": ErrDurationTooLong, "99999999999999999999999m": ErrDurationTooLong,
	}
	for in, want := range bad {
		if got, err := ParseDuration(in); !errors.Is(err, want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want an error wrapping %q", in, got, err, want)
		}
	}
}

func TestParseLadder(t *testing.T) {
	got, err := ParseLadder([]string{"3=mute 1h", "4=kick", "5=ban", "7=ban 30d"})
	want := []LadderStep{{3, SanctionMute, time.Hour}, {4, SanctionKick, 0}, {5, SanctionBan, 0}, {7, SanctionBan, 720 * time.Hour}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseLadder = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"three=mute"}, {"3=jail"}, {"3=kick 1h"}, {"3=mute", "3=ban"}, {"0=mute"}, {"3=mute soon"}} {
		if _, err := ParseLadder(bad); err == nil {
			t.Errorf("ParseLadder(%q): want an error", bad)
		}
	}
}

func TestQuietHoursNext(t *testing.T) {
	athens, _ := time.LoadLocation("Europe/Athens")
	at := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, athens) }
	night, err := ParseQuietHours("22:00-08:00")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q        QuietHours
		now, due time.Time
	}{
		{night, at(12, 0), at(12, 0)},
		{night, at(22, 0), at(8, 0).AddDate(0, 0, 1)},
		{night, at(23, 30), at(8, 0).AddDate(0, 0, 1)},
		{night, at(3, 0), at(8, 0)},
		{night, at(8, 0), at(8, 0)},
		{QuietHours{From: 13 * time.Hour, To: 14 * time.Hour}, at(13, 15), at(14, 0)},
		{QuietHours{}, at(23, 0), at(23, 0)},
	}
	for _, c := range cases {
		if got := c.q.Next(c.now); !got.Equal(c.due) {
			t.Errorf("%+v.Next(%s) = %s, want %s", c.q, c.now, got, c.due)
		}
	}
	if _, err := ParseQuietHours("08:00-08:00"); err == nil {
		t.Error("an empty span: want an error")
	}
}

func TestBlocklist(t *testing.T) {
	b, err := ParseBlocklist([]string{"spam", "/fr[e3]{2} money/"})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]string{"Buy SPAM now": "spam", "spammer": "", "get FR33 money": "/fr[e3]{2} money/", "hello": ""} {
		if got, _ := b.Match(text); got != want {
			t.Errorf("Match(%q) = %q, want %q", text, got, want)
		}
	}
	if _, err := ParseBlocklist([]string{"/[/"}); err == nil {
		t.Error("a bad expression: want an error")
	}
}

// TestLadderAndDurationsReadBackAsWritten: the configuration writes the
// default ladder with String, and ParseLadder must read the same steps.
func TestLadderAndDurationsReadBackAsWritten(t *testing.T) {
	steps := []LadderStep{{Warnings: 2, Action: SanctionMute, For: 90 * time.Minute}, {Warnings: 3, Action: SanctionKick},
		{Warnings: 4, Action: SanctionBan, For: 8*24*time.Hour + 2*time.Hour}, {Warnings: 6, Action: SanctionBan}}
	var entries []string
	for _, s := range steps {
		entries = append(entries, s.String())
	}
	if got := strings.Join(entries, ", "); got != "2=mute 1h30m, 3=kick, 4=ban 1w1d2h, 6=ban" {
		t.Fatalf("written as %q", got)
	}
	back, err := ParseLadder(entries)
	if err != nil || !reflect.DeepEqual(back, steps) {
		t.Fatalf("read back as %+v, %v", back, err)
	}
}
