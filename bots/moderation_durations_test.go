package bots

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
)

// TestDurationTextSpeaksTheReadersLanguage: durations shown to people are
// written in their language with its plural forms, never with the units
// staff type (2h, 1w 2d).
func TestDurationTextSpeaksTheReadersLanguage(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	const (
		h = time.Hour
		d = 24 * time.Hour
		w = 7 * d
	)
	cases := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", h, "1 hour"},
		{"en", 2 * h, "2 hours"},
		{"en", w + 2*d, "1 week and 2 days"},
		{"en", d + 12*h + 5*time.Minute, "1 day, 12 hours and 5 minutes"},
		{"en", community.MaxDuration, "5 years"},
		{"en", 20 * time.Second, "0 minutes"},
		{"ru", h, "1 час"},
		{"ru", 2 * h, "2 часа"},
		{"ru", 5 * h, "5 часов"},
		{"ru", 21 * h, "21 час"},
		{"ru", time.Minute, "1 минуту"},
		{"ru", w + 2*d, "1 неделю и 2 дня"},
		{"ru", community.MaxDuration, "5 лет"},
		{"pl", h, "1 godzinę"},
		{"pl", 2 * h, "2 godziny"},
		{"pl", 5 * h, "5 godzin"},
		{"pl", 22 * h, "22 godziny"},
		{"pl", 12 * time.Minute, "12 minut"},
		{"pl", community.MaxDuration, "5 lat"},
		{"el", h, "1 ώρα"},
		{"el", 3 * h, "3 ώρες"},
		{"el", 3*d + 30*time.Minute, "3 ημέρες και 30 λεπτά"},
		{"ro", h, "1 oră"},
		{"ro", 2 * h, "2 ore"},
		{"ro", 20 * time.Minute, "20 de minute"},
		{"ro", 2*w + d, "2 săptămâni și 1 zi"},
		{"ro", community.MaxDuration, "5 ani"},
	}
	for _, c := range cases {
		if got := durationText(cat, c.lang, c.d); got != c.want {
			t.Errorf("durationText(%s, %v) = %q, want %q", c.lang, c.d, got, c.want)
		}
	}
}

// TestBadDurationNamesTheLimit: a duration above the longest allowed is
// refused with the limit in the reader's language; a negative or zero one
// is refused as such.
func TestBadDurationNamesTheLimit(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang, value, want string
	}{
		{"en", "100000w", "“100000w” is too long: the longest is 5 years. To mute or ban for good, give no duration."},
		{"ru", "15251w", "«15251w» — слишком долго: самое большее можно на 5 лет."},
		{"en", "-5m", "“-5m” will not do: a duration must be more than zero"},
		{"en", "0m", "“0m” will not do: a duration must be more than zero"},
		{"en", "30s", "“30s” is not a duration such as 30m, 2h, 3d or 1w."},
	}
	for _, c := range cases {
		_, perr := community.ParseDuration(c.value)
		derr := badDuration(cat, c.lang, c.value, perr)
		if got := cat.Text(c.lang, derr.Key, derr.Data); !strings.Contains(got, c.want) || derr.Code != community.EInvalid {
			t.Errorf("%s %q: %q (%s), want %q", c.lang, c.value, got, derr.Code, c.want)
		}
	}
	wait := withDurations(cat, "pl", community.Errorf(community.EConflict, "report.cooldown", map[string]any{"Wait": 5 * time.Minute}, "wait"))
	var derr *community.Error
	if !errors.As(wait, &derr) || fmt.Sprint(derr.Data["Wait"]) != "5 minut" {
		t.Errorf("report cooldown in Polish: %v", wait)
	}
}
