package bots

import (
	"errors"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
)

// durationUnits are the units a duration is written in for people, the
// largest first. A year is 365 days, as MaxDuration counts it.
var durationUnits = []struct {
	unit time.Duration
	key  string // a plural catalog message
}{
	{365 * 24 * time.Hour, "duration.years"},
	{7 * 24 * time.Hour, "duration.weeks"},
	{24 * time.Hour, "duration.days"},
	{time.Hour, "duration.hours"},
	{time.Minute, "duration.minutes"},
}

// durationText writes a duration for people in lang, to the minute, with
// the language's plural forms: "2 hours", "1 week and 2 days" ("1 неделю и
// 2 дня"). Each language writes it as it reads after "for" (Russian "на",
// Polish "na", Greek "για", Romanian "pentru"), which the catalog's
// sentences keep to.
func durationText(cat *catalog.Catalog, lang string, d time.Duration) string {
	d = d.Round(time.Minute)
	var parts []string
	for _, u := range durationUnits {
		if n := d / u.unit; n > 0 {
			parts = append(parts, cat.Count(lang, u.key, int(n), nil))
			d -= n * u.unit
		}
	}
	switch len(parts) {
	case 0:
		return cat.Count(lang, "duration.minutes", 0, nil)
	case 1:
		return parts[0]
	}
	return cat.Text(lang, "duration.and", map[string]any{
		"First": catalog.Raw(strings.Join(parts[:len(parts)-1], ", ")), "Last": catalog.Raw(parts[len(parts)-1])})
}

// badDuration explains in lang why a duration staff wrote is refused:
// not a duration, not above zero, or longer than the longest allowed,
// which it names.
func badDuration(cat *catalog.Catalog, lang, value string, err error) *community.Error {
	data := map[string]any{"Value": value}
	key := "mod.bad_duration"
	switch {
	case errors.Is(err, community.ErrDurationNotPositive):
		key = "mod.duration_not_positive"
	case errors.Is(err, community.ErrDurationTooLong):
		key, data["Max"] = "mod.duration_too_long", catalog.Raw(durationText(cat, lang, community.MaxDuration))
	}
	return community.Errorf(community.EInvalid, key, data, "%v", err)
}

// withDurations returns a domain error whose data holds durations (such
// as how long to wait) with those durations written for people in lang;
// any other error as it is.
func withDurations(cat *catalog.Catalog, lang string, err error) error {
	derr, ok := errors.AsType[*community.Error](err)
	if !ok {
		return err
	}
	out := *derr
	out.Data = make(map[string]any, len(derr.Data))
	for k, v := range derr.Data {
		if d, ok := v.(time.Duration); ok {
			v = catalog.Raw(durationText(cat, lang, d))
		}
		out.Data[k] = v
	}
	return &out
}
