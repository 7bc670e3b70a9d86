package community

import (
	"reflect"
	"testing"
)

// TestAnnouncementSendEffects: a send is audited with its reach counted;
// it posts in groups only when it reaches any, and writes privately by
// one event per batch of recipients, in order. A send that reaches no
// one causes its audit entry alone.
func TestAnnouncementSendEffects(t *testing.T) {
	send := AnnouncementSend{ID: 9, By: 3, At: effectsAt}
	audit := func(groups, members, capped int) []AuditEntry {
		return []AuditEntry{{At: effectsAt, Actor: 3, Action: AuditAnnounceSend,
			Details: map[string]any{"announcement": AnnouncementID(9), "groups": groups, "members": members, "capped": capped}}}
	}
	posts := NewEvent(EventAnnouncementPosts, AnnouncementPosts{Announcement: 9}, effectsAt)
	dms := func(from, to MemberID) Event {
		return NewEvent(EventAnnouncementDMs, AnnouncementDMs{Announcement: 9, From: from, To: to}, effectsAt)
	}
	batches := []RecipientBatch{{From: 1, To: 700}, {From: 701, To: 900}}
	for _, c := range []struct {
		name    string
		reach   Reach
		batches []RecipientBatch
		want    Effects
	}{
		{"groups and members", Reach{Groups: map[Platform]int{"telegram": 2, "discord": 1}, Members: map[Tier]int{TierVIP: 600}, Capped: 4, Cap: 2},
			batches, Effects{Audit: audit(3, 600, 4), Events: []Event{posts, dms(1, 700), dms(701, 900)}}},
		{"members only", Reach{Members: map[Tier]int{TierVIP: 600}, Cap: 2},
			batches, Effects{Audit: audit(0, 600, 0), Events: []Event{dms(1, 700), dms(701, 900)}}},
		{"groups only", Reach{Groups: map[Platform]int{"telegram": 1}, Capped: 5},
			nil, Effects{Audit: audit(1, 0, 5), Events: []Event{posts}}},
		{"no one", Reach{Cap: 2}, nil, Effects{Audit: audit(0, 0, 0)}},
	} {
		if got := send.Effects(c.reach, c.batches); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: effects %+v, want %+v", c.name, got, c.want)
		}
	}
}
