package support_test

import (
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

func TestUrgencyOf(t *testing.T) {
	vip := support.Customer{Ranked: true, Tier: community.TierVIP}
	atRisk := vip
	atRisk.Flags = community.FlagAtRiskVIP | community.FlagVerifiedBuyer
	vipDetractor := vip
	vipDetractor.Detractor = true
	loyal := support.Customer{Ranked: true, Tier: community.TierLoyal}
	regularDetractor := support.Customer{Ranked: true, Tier: community.TierRegular, Detractor: true}
	for _, c := range []struct {
		name string
		c    support.Customer
		want support.Urgency
	}{
		{"at-risk VIP", atRisk, support.UrgencyUrgent},
		{"VIP, recent detractor", vipDetractor, support.UrgencyUrgent},
		{"VIP", vip, support.UrgencyHigh},
		{"Regular, recent detractor", regularDetractor, support.UrgencyHigh},
		{"Loyal", loyal, support.UrgencyNormal},
		{"Regular", support.Customer{Ranked: true, Tier: community.TierRegular}, support.UrgencyLow},
		{"Newcomer", support.Customer{Ranked: true, Tier: community.TierNewcomer}, support.UrgencyLow},
		{"not ranked (the zero tier is not VIP)", support.Customer{}, support.UrgencyLow},
		{"not ranked, detractor", support.Customer{Detractor: true}, support.UrgencyHigh},
	} {
		if got := support.UrgencyOf(c.c); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	got, err := support.ParseTarget(" 15m / 4h ")
	if err != nil || got != (support.Target{FirstResponse: 15 * time.Minute, Resolution: 4 * time.Hour}) || got.String() != "15m/4h" {
		t.Fatalf("15m/4h: %+v %q %v", got, got.String(), err)
	}
	for _, bad := range []string{"", "1h", "1h/", "/4h", "0m/4h", "4h/1h", "1h/soon", "-1h/4h"} {
		if _, err := support.ParseTarget(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestBusinessHoursAdd(t *testing.T) {
	athens, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	h, err := support.ParseBusinessHours("09:00-18:00", "mon-fri", athens)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, athens)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from string
		d    time.Duration
		want string
	}{
		{"2026-12-07 10:00", time.Hour, "2026-12-07 11:00"},        // Monday, inside
		{"2026-12-07 07:30", time.Hour, "2026-12-07 10:00"},        // before opening
		{"2026-12-04 17:30", time.Hour, "2026-12-07 09:30"},        // Friday evening: Monday
		{"2026-12-05 12:00", 15 * time.Minute, "2026-12-07 09:15"}, // Saturday
		{"2026-12-07 10:00", 24 * time.Hour, "2026-12-09 16:00"},   // 9 h a day: 8 + 9 + 7
		{"2026-12-07 18:00", time.Minute, "2026-12-08 09:01"},      // at closing
		{"2026-03-27 17:00", 2 * time.Hour, "2026-03-30 10:00"},    // over the spring change (29 March)
		{"2026-10-23 17:30", 10 * time.Hour, "2026-10-27 09:30"},   // over the autumn change (25 October)
	} {
		if got := h.Add(at(c.from), c.d); !got.Equal(at(c.want)) {
			t.Errorf("%s + %s = %s, want %s", c.from, c.d, got.In(athens).Format("Mon 2006-01-02 15:04"), c.want)
		}
	}
	// Every day, over both changes: the hours stay 09:00-18:00 on the
	// clock (29 March and 25 October are Sundays).
	daily, err := support.ParseBusinessHours("09:00-18:00", "", athens)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from string
		d    time.Duration
		want string
	}{
		{"2026-03-29 08:00", time.Hour, "2026-03-29 10:00"},
		{"2026-03-29 17:00", 2 * time.Hour, "2026-03-30 10:00"},
		{"2026-10-25 08:00", time.Hour, "2026-10-25 10:00"},
		{"2026-10-25 17:30", time.Hour, "2026-10-26 09:30"},
	} {
		if got := daily.Add(at(c.from), c.d); !got.Equal(at(c.want)) {
			t.Errorf("every day: %s + %s = %s, want %s", c.from, c.d, got.In(athens).Format("2006-01-02 15:04"), c.want)
		}
	}
	always := support.BusinessHours{}
	if from := at("2026-12-05 12:00"); !always.Add(from, time.Hour).Equal(from.Add(time.Hour)) || !always.AroundTheClock() {
		t.Error("the zero business hours are not around the clock")
	}
	weekend, err := support.ParseBusinessHours("", "sat,sun", athens)
	if err != nil {
		t.Fatal(err)
	}
	if got := weekend.Add(at("2026-12-04 23:00"), 2*time.Hour); !got.Equal(at("2026-12-05 02:00")) {
		t.Errorf("weekend days: %s", got)
	}
	for _, bad := range [][2]string{{"18:00-09:00", ""}, {"9-18", ""}, {"09:00-18:00", "mon-fry"}, {"", "weekdays"}} {
		if _, err := support.ParseBusinessHours(bad[0], bad[1], athens); err == nil {
			t.Errorf("%q %q parsed", bad[0], bad[1])
		}
	}
	if d, err := support.ParseBusinessHours("", "fri-mon", athens); err != nil || d.Days != [7]bool{true, true, false, false, false, true, true} {
		t.Errorf("fri-mon: %v %v", d.Days, err)
	}
}

func TestSLAPolicyDue(t *testing.T) {
	p := support.DefaultSLAPolicy()
	opened := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tk := p.Due(support.Ticket{OpenedAt: opened}, support.Customer{Ranked: true, Tier: community.TierVIP})
	if tk.Urgency != support.UrgencyHigh || !tk.FirstResponseDue.Equal(opened.Add(time.Hour)) || !tk.ResolutionDue.Equal(opened.Add(8*time.Hour)) {
		t.Fatalf("VIP ticket: %+v", tk)
	}
	if !tk.Due().Equal(tk.FirstResponseDue) {
		t.Error("an unanswered ticket is not due for its first response")
	}
	tk.FirstResponseAt = opened
	if !tk.Due().Equal(tk.ResolutionDue) {
		t.Error("an answered ticket is not due for its resolution")
	}
}
