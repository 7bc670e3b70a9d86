package community

import (
	"reflect"
	"testing"
	"time"
)

// TestAnnouncementSendEffects: a send is audited with its reach counted;
// it posts in groups only when it reaches any, and starts the expansion
// of its recipients, from the first member, only when it writes to any
// privately; a held one's recipients are due when the hold ends. A send
// that reaches no one causes its audit entry alone.
func TestAnnouncementSendEffects(t *testing.T) {
	aud := Audience{Tiers: []Tier{TierLoyal, TierVIP}, Platforms: []Platform{Telegram}, HearthOpens: []Platform{Discord},
		Cap: 2, Window: AnnouncementCapWindow}
	send := AnnouncementSend{ID: 9, By: 3, At: effectsAt, Audience: aud}
	audit := func(groups, members, capped int) []AuditEntry {
		return []AuditEntry{{At: effectsAt, Actor: 3, Action: AuditAnnounceSend,
			Details: map[string]any{"announcement": AnnouncementID(9), "groups": groups, "members": members, "capped": capped}}}
	}
	posts := NewEvent(EventAnnouncementPosts, AnnouncementPosts{Announcement: 9}, effectsAt)
	expand := NewEvent(EventAnnouncementExpand, AnnouncementExpansion{Announcement: 9, Tiers: aud.Tiers, Platforms: aud.Platforms,
		HearthOpens: aud.HearthOpens, Cap: 2, Window: AnnouncementCapWindow, Due: effectsAt}, effectsAt)
	for _, c := range []struct {
		name  string
		reach Reach
		want  Effects
	}{
		{"groups and members", Reach{Groups: map[Platform]int{"telegram": 2, "discord": 1}, Members: map[Tier]int{TierVIP: 600}, Capped: 4, Cap: 2},
			Effects{Audit: audit(3, 600, 4), Events: []Event{posts, expand}}},
		{"members only", Reach{Members: map[Tier]int{TierVIP: 600}, Cap: 2},
			Effects{Audit: audit(0, 600, 0), Events: []Event{expand}}},
		{"groups only", Reach{Groups: map[Platform]int{"telegram": 1}, Capped: 5},
			Effects{Audit: audit(1, 0, 5), Events: []Event{posts}}},
		{"no one", Reach{Cap: 2}, Effects{Audit: audit(0, 0, 0)}},
	} {
		if got := send.Effects(c.reach); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: effects %+v, want %+v", c.name, got, c.want)
		}
	}
	held := send
	held.Audience.HoldUntil = effectsAt.Add(9 * time.Hour)
	if got := held.Expansion().Due; !got.Equal(held.Audience.HoldUntil) {
		t.Errorf("held announcement's recipients due %s, want %s", got, held.Audience.HoldUntil)
	}
}

// TestAnnouncementExpansionEffects: a step writes privately to the
// recipients it recorded, and queues the next step, after the last member
// it took, only when it took as many as it could.
func TestAnnouncementExpansionEffects(t *testing.T) {
	x := AnnouncementExpansion{Announcement: 9, After: 100, Tiers: []Tier{TierVIP}, Cap: 2}
	batch := RecipientBatch{From: 101, To: 900}
	dms := NewEvent(EventAnnouncementDMs, AnnouncementDMs{Announcement: 9, From: 101, To: 900}, effectsAt)
	next := x
	next.After = 900
	step := NewEvent(EventAnnouncementExpand, next, effectsAt)
	for _, c := range []struct {
		name     string
		recorded int
		full     bool
		want     []Event
	}{
		{"full batch", 500, true, []Event{dms, step}},
		{"the last batch", 20, false, []Event{dms}},
		{"a full batch all capped", 0, true, []Event{step}},
		{"nothing left", 0, false, nil},
	} {
		if got := x.Effects(batch, c.recorded, c.full, effectsAt); !reflect.DeepEqual(got.Events, c.want) {
			t.Errorf("%s: events %+v, want %+v", c.name, got.Events, c.want)
		}
	}
}
