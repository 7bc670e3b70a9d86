package support

import (
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
)

// Urgency is how soon a ticket must be answered: what its SLA targets
// are chosen by. It is decided when the ticket opens, from where its
// member stands then.
type Urgency string

// The urgencies, most urgent first.
const (
	UrgencyUrgent Urgency = "urgent"
	UrgencyHigh   Urgency = "high"
	UrgencyNormal Urgency = "normal"
	UrgencyLow    Urgency = "low"
)

// Urgencies are every urgency, most urgent first.
var Urgencies = []Urgency{UrgencyUrgent, UrgencyHigh, UrgencyNormal, UrgencyLow}

// rank is the urgency's place in Urgencies: 0 is the most urgent; an
// unknown urgency comes last.
func (u Urgency) rank() int {
	for i, v := range Urgencies {
		if v == u {
			return i
		}
	}
	return len(Urgencies)
}

// DetractorWithin is how recent an NPS answer of 0-6 must be for its
// member's tickets to be more urgent.
const DetractorWithin = 90 * 24 * time.Hour

// Customer is what a ticket's urgency is decided from: where its member
// stands (the community priority function's tier and flags) and whether
// they were an NPS detractor within DetractorWithin.
type Customer struct {
	Ranked    bool // the member's standing is computed
	Tier      community.Tier
	Flags     community.Flags
	Detractor bool
}

// UrgencyOf decides a ticket's urgency: an at-risk VIP, or a VIP who was
// a recent detractor, is urgent; any other VIP, or a recent detractor, is
// high; a Loyal member normal; everyone else (Regulars, Newcomers, members
// not ranked yet) low.
func UrgencyOf(c Customer) Urgency {
	vip := c.Ranked && c.Tier == community.TierVIP
	switch {
	case vip && (c.Flags.Has(community.FlagAtRiskVIP) || c.Detractor):
		return UrgencyUrgent
	case vip || c.Detractor:
		return UrgencyHigh
	case c.Ranked && c.Tier == community.TierLoyal:
		return UrgencyNormal
	}
	return UrgencyLow
}

// Target is an SLA's two targets: how long until staff first answer, and
// until the ticket is closed, in business time.
type Target struct {
	FirstResponse time.Duration
	Resolution    time.Duration
}

// ParseTarget reads "15m/4h": the first-response target, then the
// resolution target, each a duration such as 30m, 4h or 2d.
func ParseTarget(s string) (Target, error) {
	first, res, ok := strings.Cut(strings.TrimSpace(s), "/")
	f, err1 := community.ParseDuration(strings.TrimSpace(first))
	r, err2 := community.ParseDuration(strings.TrimSpace(res))
	if !ok || err1 != nil || err2 != nil || f <= 0 || r <= 0 {
		return Target{}, fmt.Errorf("%q is not a first-response and a resolution target such as 1h/8h", s)
	}
	if r < f {
		return Target{}, fmt.Errorf("%q: the resolution target is shorter than the first-response one", s)
	}
	return Target{FirstResponse: f, Resolution: r}, nil
}

// String writes the target as ParseTarget reads it.
func (t Target) String() string {
	return community.FormatDuration(t.FirstResponse) + "/" + community.FormatDuration(t.Resolution)
}

// BusinessHours are when the SLA clocks run: the open days of the week
// and a span of each, in a time zone. The zero value is around the clock.
type BusinessHours struct {
	Days     [7]bool       // indexed by time.Weekday; none set: every day
	From, To time.Duration // since midnight; From == To: the whole day
	Zone     *time.Location
}

// AroundTheClock reports whether the clocks always run.
func (h BusinessHours) AroundTheClock() bool {
	return h.From == h.To && (h.Days == [7]bool{} || h.Days == [7]bool{true, true, true, true, true, true, true})
}

// ParseBusinessHours reads a span such as "09:00-18:00" ("" for the whole
// day) and days such as "mon-fri" or "mon,tue,thu" ("" for every day).
// The span may not cross midnight.
func ParseBusinessHours(span, days string, zone *time.Location) (BusinessHours, error) {
	h := BusinessHours{Zone: zone}
	if strings.TrimSpace(span) != "" {
		q, err := community.ParseQuietHours(span)
		if err != nil || q.From > q.To {
			return h, fmt.Errorf("%q is not a span of the day such as 09:00-18:00", span)
		}
		h.From, h.To = q.From, q.To
	}
	d, err := parseDays(days)
	if err != nil {
		return h, err
	}
	h.Days = d
	return h, nil
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// parseDays reads "mon-fri", "sat,sun" or a mix: "mon-wed,fri".
func parseDays(s string) ([7]bool, error) {
	var days [7]bool
	if strings.TrimSpace(s) == "" {
		return days, nil
	}
	for part := range strings.SplitSeq(strings.ToLower(s), ",") {
		from, to, span := strings.Cut(strings.TrimSpace(part), "-")
		f, ok1 := dayNames[strings.TrimSpace(from)]
		t, ok2 := dayNames[strings.TrimSpace(to)]
		if !span {
			t, ok2 = f, true
		}
		if !ok1 || !ok2 {
			return days, fmt.Errorf("%q is not a list of days such as mon-fri or sat,sun", s)
		}
		for d := f; ; d = (d + 1) % 7 {
			days[d] = true
			if d == t {
				break
			}
		}
	}
	return days, nil
}

// open reports whether day d is a business day.
func (h BusinessHours) open(d time.Weekday) bool {
	return h.Days == [7]bool{} || h.Days[d]
}

// Add returns the time d of business time after from: the clock runs
// only in business hours, so a question asked on Friday evening with a
// 1h target is due on Monday at 10:00 under 09:00-18:00 mon-fri. Wall
// clock times are kept across daylight-saving changes.
func (h BusinessHours) Add(from time.Time, d time.Duration) time.Time {
	if h.AroundTheClock() || h.Zone == nil {
		return from.Add(d)
	}
	t := from.In(h.Zone)
	for range 800 { // at least one open day a week: 800 days hold over 100 weeks of business time
		y, m, day := t.Date()
		// Wall clock times of the day: on a daylight-saving day 09:00 is
		// not 9 hours after midnight.
		start := time.Date(y, m, day, int(h.From/time.Hour), int(h.From%time.Hour/time.Minute), 0, 0, h.Zone)
		end := time.Date(y, m, day, int(h.To/time.Hour), int(h.To%time.Hour/time.Minute), 0, 0, h.Zone)
		if h.From == h.To {
			start, end = time.Date(y, m, day, 0, 0, 0, 0, h.Zone), time.Date(y, m, day+1, 0, 0, 0, 0, h.Zone)
		}
		if h.open(t.Weekday()) && t.Before(end) {
			if t.Before(start) {
				t = start
			}
			left := end.Sub(t)
			if d <= left {
				return t.Add(d)
			}
			d -= left
		}
		t = time.Date(y, m, day+1, 0, 0, 0, 0, h.Zone)
	}
	return t.Add(d)
}

// SLAPolicy is the support desk's promises: a Target per urgency, counted
// in business hours.
type SLAPolicy struct {
	Targets map[Urgency]Target
	Hours   BusinessHours
}

// DefaultSLAPolicy answers urgent tickets within 15 minutes and closes
// them within 4 hours; high 1h/8h, normal 4h/24h, low 8h/48h, around the
// clock.
func DefaultSLAPolicy() SLAPolicy {
	return SLAPolicy{Targets: map[Urgency]Target{
		UrgencyUrgent: {15 * time.Minute, 4 * time.Hour},
		UrgencyHigh:   {time.Hour, 8 * time.Hour},
		UrgencyNormal: {4 * time.Hour, 24 * time.Hour},
		UrgencyLow:    {8 * time.Hour, 48 * time.Hour},
	}}
}

// Due sets a ticket's urgency from its customer and its two due times
// from its opening.
func (p SLAPolicy) Due(t Ticket, c Customer) Ticket {
	t.Urgency, t.OpenTier = UrgencyOf(c), ""
	if c.Ranked {
		t.OpenTier = c.Tier.String()
	}
	target := p.Targets[t.Urgency]
	t.FirstResponseDue = p.Hours.Add(t.OpenedAt, target.FirstResponse)
	t.ResolutionDue = p.Hours.Add(t.OpenedAt, target.Resolution)
	return t
}
