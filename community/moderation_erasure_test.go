package community

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// TestEndsByItself: what a platform ends without Hearth, by its
// capabilities.
func TestEndsByItself(t *testing.T) {
	p := newFakePlatforms()
	tg, dc, console := p.caps[Telegram], p.caps[Discord], ModerationCapabilities{}
	day := 24 * time.Hour
	for _, c := range []struct {
		name string
		caps ModerationCapabilities
		kind SanctionKind
		d    time.Duration
		want bool
	}{
		{"Telegram mute", tg, SanctionMute, day, true},
		{"Telegram ban", tg, SanctionBan, 366 * day, true},
		{"Telegram ban past 366 days", tg, SanctionBan, 367 * day, false},
		{"Discord timeout", dc, SanctionMute, 40 * day, true},
		{"Discord ban", dc, SanctionBan, day, false},
		{"console mute", console, SanctionMute, day, false},
		{"no end", tg, SanctionMute, 0, false},
		{"a kick", tg, SanctionKick, day, false},
	} {
		if got := c.caps.EndsByItself(c.kind, c.d); got != c.want {
			t.Errorf("%s: ends by itself %v, want %v", c.name, got, c.want)
		}
	}
}

// TestErasureWaitsForSanctionsHearthMustEnd: a member is not erased
// while a sanction runs that Hearth must still end (a timed Discord ban,
// a capped mute it renews, a Telegram ban past 366 days); the refusal
// names the latest such end. Sanctions the platform ends, open-ended or
// over ones do not stand in the way.
func TestErasureWaitsForSanctionsHearthMustEnd(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	caps := newFakePlatforms().Capabilities
	tg, dc := Group{Platform: Telegram, ID: "-100"}, Group{Platform: Discord, ID: "900"}
	s := func(kind SanctionKind, g Group, d time.Duration) Sanction {
		return Sanction{Member: 2, Kind: kind, Groups: []Group{g}, At: now.Add(-time.Hour), Until: now.Add(-time.Hour + d)}
	}
	renewed := s(SanctionMute, dc, 40*24*time.Hour)
	renewed.RenewAt = now.Add(24 * time.Hour)
	lifted := s(SanctionBan, dc, 48*time.Hour)
	lifted.Lifted = now
	for _, c := range []struct {
		name    string
		inForce []Sanction
		until   string
	}{
		{"nothing", nil, ""},
		{"a Telegram ban", []Sanction{s(SanctionBan, tg, 72*time.Hour)}, ""},
		{"a Discord timeout", []Sanction{s(SanctionMute, dc, 24*time.Hour)}, ""},
		{"a ban for good", []Sanction{{Member: 2, Kind: SanctionBan, Groups: []Group{dc}, At: now}}, ""},
		{"a Discord ban over", []Sanction{s(SanctionBan, dc, 30*time.Minute)}, ""},
		{"a Discord ban lifted", []Sanction{lifted}, ""},
		{"a timed Discord ban", []Sanction{s(SanctionBan, tg, 72*time.Hour), s(SanctionBan, dc, 48*time.Hour)}, "2026-11-25 11:00 UTC"},
		{"a mute Hearth renews", []Sanction{renewed}, "2027-01-02 11:00 UTC"},
		{"a Telegram ban past 366 days", []Sanction{s(SanctionBan, tg, 400*24*time.Hour)}, "2027-12-28 11:00 UTC"},
	} {
		err := RefuseErasure(c.inForce, caps, now)
		got := ""
		if e, ok := err.(*Error); ok && e.Key == "privacy.sanction_running" && e.Code == EConflict {
			got, _ = e.Data["Until"].(string)
		} else if err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if got != c.until {
			t.Errorf("%s: refused until %q, want %q", c.name, got, c.until)
		}
	}
}

// erasures is a PrivacyStore that erases unless admitting refuses, and
// exports what it is given.
type erasures struct {
	inForce []Sanction
	erased  []Erasure
}

func (e *erasures) ExportMember(context.Context, MemberID) (map[string][]json.RawMessage, error) {
	return map[string][]json.RawMessage{"members": {json.RawMessage(`{"id":2}`)}}, nil
}

func (e *erasures) EraseMember(_ context.Context, er Erasure, admit func([]Sanction) error) error {
	if err := admit(e.inForce); err != nil {
		return err
	}
	e.erased = append(e.erased, er)
	return nil
}

// TestForgetRefusesWhileHearthMustEndASanction: /forgetme erases the
// member unless a sanction Hearth must end runs, by the platforms'
// capabilities.
func TestForgetRefusesWhileHearthMustEndASanction(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	dcBan := Sanction{Member: 2, Kind: SanctionBan, Groups: []Group{{Platform: Discord, ID: "900"}}, At: now, Until: now.Add(time.Hour)}
	store := &erasures{inForce: []Sanction{dcBan}}
	p := NewPrivacy(store, "Tea Lovers", newFakePlatforms().Capabilities, func() time.Time { return now })
	if err := p.Forget(context.Background(), 2, 7); ErrorCode(err) != EConflict || len(store.erased) != 0 {
		t.Errorf("forget during a Discord ban: %v, erased %v", err, store.erased)
	}
	store.inForce = nil
	if err := p.Forget(context.Background(), 2, 7); err != nil || len(store.erased) != 1 || store.erased[0].Chat != 7 || store.erased[0].At != now {
		t.Errorf("forget: %v, erased %+v", err, store.erased)
	}
	doc, err := p.Export(context.Background(), 2)
	var got DataExport
	if err != nil || json.Unmarshal(doc, &got) != nil || got.Community != "Tea Lovers" || len(got.Data["members"]) != 1 {
		t.Errorf("export %s, %v", doc, err)
	}
}
