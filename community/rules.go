package community

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MaxDuration is the longest mute or ban staff may give for a time: five
// years. Longer is "for good", which is written with no duration.
const MaxDuration = 5 * 365 * 24 * time.Hour

// Why a staff-written duration is refused; ParseDuration's errors wrap
// one of them.
var (
	ErrDurationSyntax      = errors.New("not a duration such as 30m, 2h, 3d or 1w")
	ErrDurationNotPositive = errors.New("a duration must be more than zero")
	ErrDurationTooLong     = errors.New("longer than the longest allowed, 5 years")
)

// ParseDuration reads a duration as staff write one: a number and a unit,
// m (minutes), h (hours), d (days) or w (weeks), such as 30m, 2h, 3d; or
// several, such as 1d12h. It must be more than zero and at most
// MaxDuration; a sign (-5m, +2h) is refused rather than ignored.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return 0, fmt.Errorf("no duration given: %w", ErrDurationSyntax)
	case IsSignedDuration(s):
		return 0, fmt.Errorf("%q: %w", s, ErrDurationNotPositive)
	}
	var total time.Duration
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q: %w", s, ErrDurationSyntax)
		}
		unit, ok := durationUnits[rest[i]]
		if !ok {
			return 0, fmt.Errorf("%q: the unit must be m, h, d or w: %w", s, ErrDurationSyntax)
		}
		// Compared before multiplying, so that no number, however long,
		// can overflow into a short or negative duration.
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil || n > int64((MaxDuration-total)/unit) {
			return 0, fmt.Errorf("%q: %w", s, ErrDurationTooLong)
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	if total <= 0 {
		return 0, fmt.Errorf("%q: %w", s, ErrDurationNotPositive)
	}
	return total, nil
}

var durationUnits = map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}

// IsSignedDuration reports whether a word is a duration with a sign, such
// as -5m or +2h (or with the Unicode minus): a duration staff meant, and
// that is refused, rather than a word of a reason.
func IsSignedDuration(word string) bool {
	for _, sign := range []string{"-", "+", "−"} {
		if rest, ok := strings.CutPrefix(word, sign); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return true
		}
	}
	return false
}

// SanctionKind is what a moderator or the warning ladder does to a member.
type SanctionKind string

// The sanctions.
const (
	SanctionWarn SanctionKind = "warn"
	SanctionMute SanctionKind = "mute"
	SanctionBan  SanctionKind = "ban"
	SanctionKick SanctionKind = "kick"
)

// LadderStep is one rung of the warning ladder: on reaching Warnings
// active warnings, the member is muted or banned, For a while (0: for
// good, or a mute as long as the platform allows).
type LadderStep struct {
	Warnings int
	Action   SanctionKind
	For      time.Duration
}

// String writes the step as ParseLadder reads it, such as "3=mute 1h".
func (s LadderStep) String() string {
	if s.For == 0 {
		return fmt.Sprintf("%d=%s", s.Warnings, s.Action)
	}
	return fmt.Sprintf("%d=%s %s", s.Warnings, s.Action, FormatDuration(s.For))
}

// FormatDuration writes a duration as ParseDuration reads it, in weeks,
// days, hours and minutes, such as 1d12h; less than a minute is dropped.
func FormatDuration(d time.Duration) string {
	var b strings.Builder
	for _, u := range []struct {
		unit string
		size time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}} {
		if n := d / u.size; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.unit)
			d -= n * u.size
		}
	}
	return b.String()
}

// ParseLadder reads entries such as "3=mute 1h" and "5=ban"; the steps
// must climb.
func ParseLadder(entries []string) ([]LadderStep, error) {
	var out []LadderStep
	for i, e := range entries {
		count, action, ok := strings.Cut(strings.TrimSpace(e), "=")
		n, err := strconv.Atoi(strings.TrimSpace(count))
		if !ok || err != nil || n < 1 {
			return nil, fmt.Errorf("step %d %q: want WARNINGS=ACTION [DURATION], such as 3=mute 1h or 5=ban", i+1, e)
		}
		fields := strings.Fields(action)
		if len(fields) == 0 || len(fields) > 2 {
			return nil, fmt.Errorf("step %d %q: want an action, mute, ban or kick, and maybe a duration", i+1, e)
		}
		step := LadderStep{Warnings: n, Action: SanctionKind(strings.ToLower(fields[0]))}
		if step.Action != SanctionMute && step.Action != SanctionBan && step.Action != SanctionKick {
			return nil, fmt.Errorf("step %d %q: %q is not mute, ban or kick", i+1, e, fields[0])
		}
		if len(fields) == 2 {
			if step.Action == SanctionKick {
				return nil, fmt.Errorf("step %d %q: a kick has no duration", i+1, e)
			}
			if step.For, err = ParseDuration(fields[1]); err != nil {
				return nil, fmt.Errorf("step %d %q: %v", i+1, e, err)
			}
		}
		if len(out) > 0 && n <= out[len(out)-1].Warnings {
			return nil, fmt.Errorf("step %d %q: the steps must climb: %d warnings is not more than %d", i+1, e, n, out[len(out)-1].Warnings)
		}
		out = append(out, step)
	}
	return out, nil
}

// QuietHours is a daily span, in the community's time zone, when Hearth
// sends members no private message that can wait.
type QuietHours struct {
	From, To time.Duration // since midnight; From > To spans midnight
}

// ParseQuietHours reads "22:00-08:00"; "" means none.
func ParseQuietHours(s string) (QuietHours, error) {
	if strings.TrimSpace(s) == "" {
		return QuietHours{}, nil
	}
	from, to, ok := strings.Cut(strings.TrimSpace(s), "-")
	f, err1 := time.Parse("15:04", strings.TrimSpace(from))
	t, err2 := time.Parse("15:04", strings.TrimSpace(to))
	if !ok || err1 != nil || err2 != nil || f.Equal(t) {
		return QuietHours{}, fmt.Errorf("%q is not a span of the day such as 22:00-08:00", s)
	}
	sinceMidnight := func(x time.Time) time.Duration {
		return time.Duration(x.Hour())*time.Hour + time.Duration(x.Minute())*time.Minute
	}
	return QuietHours{From: sinceMidnight(f), To: sinceMidnight(t)}, nil
}

// IsZero reports whether there are no quiet hours.
func (q QuietHours) IsZero() bool { return q.From == q.To }

// Next returns at if it is outside the quiet hours, else when they end.
func (q QuietHours) Next(at time.Time) time.Time {
	if q.IsZero() {
		return at
	}
	midnight := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, at.Location())
	now := at.Sub(midnight)
	switch {
	case q.From < q.To && now >= q.From && now < q.To:
		return midnight.Add(q.To)
	case q.From > q.To && now >= q.From:
		return time.Date(at.Year(), at.Month(), at.Day()+1, 0, 0, 0, 0, at.Location()).Add(q.To)
	case q.From > q.To && now < q.To:
		return midnight.Add(q.To)
	}
	return at
}

// Blocklist matches messages that automod removes: whole words, case
// insensitive, or regular expressions written /like this/.
type Blocklist struct {
	patterns []*regexp.Regexp
	sources  []string
}

// ParseBlocklist reads blocklist entries; it names the entry that is wrong.
func ParseBlocklist(entries []string) (*Blocklist, error) {
	b := &Blocklist{}
	for i, e := range entries {
		e = strings.TrimSpace(e)
		expr := `(?i)\b` + regexp.QuoteMeta(e) + `\b`
		if len(e) > 2 && strings.HasPrefix(e, "/") && strings.HasSuffix(e, "/") {
			expr = "(?i)" + e[1:len(e)-1]
		}
		if e == "" {
			return nil, fmt.Errorf("entry %d is empty", i+1)
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("entry %d %q is not a valid regular expression: %v", i+1, e, err)
		}
		b.patterns, b.sources = append(b.patterns, re), append(b.sources, e)
	}
	return b, nil
}

// Match returns the entry text matches, if any.
func (b *Blocklist) Match(text string) (string, bool) {
	if b == nil {
		return "", false
	}
	for i, re := range b.patterns {
		if re.MatchString(text) {
			return b.sources[i], true
		}
	}
	return "", false
}
