package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// TestHelpPlacesCoverTheirTopics: a whole chat covers its topics, a
// topic only itself; unmarking takes the place and its audit entry
// together; a member's thread names its member.
func TestHelpPlacesCoverTheirTopics(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	owner := recordMembers(t, s, message("1", "100", "-5"))[0]
	h := support.NewHelpPlaces(s, func() time.Time { return kbNow })
	if _, err := h.Mark(ctx, support.HelpPlace{Platform: community.Telegram, Chat: "-5", Title: "Tea"}, owner, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Mark(ctx, support.HelpPlace{Platform: community.Telegram, Chat: "-6", Thread: "7", Title: "Club"}, owner, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		chat, thread string
		want         bool
	}{{"-5", "", true}, {"-5", "9", true}, {"-6", "7", true}, {"-6", "", false}, {"-6", "8", false}, {"-7", "", false}} {
		if got, err := h.Covers(ctx, community.Telegram, c.chat, c.thread); err != nil || got != c.want {
			t.Errorf("covers %s/%s: %v, %v; want %v", c.chat, c.thread, got, err, c.want)
		}
	}
	if err := h.Unmark(ctx, support.HelpPlace{Platform: community.Telegram, Chat: "-5"}, owner, 0); err != nil {
		t.Fatal(err)
	}
	places, err := h.List(ctx)
	if err != nil || len(places) != 1 || places[0].Chat != "-6" || places[0].SetBy != owner || places[0].Title != "Club" {
		t.Errorf("places %+v, %v", places, err)
	}
	var audited int
	if err := s.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action IN ('help.marked', 'help.unmarked')`); err != nil || audited != 3 {
		t.Errorf("audited %d, %v; want 3", audited, err)
	}

	if err := s.SaveMemberThread(ctx, community.Discord, "c1", "t1", owner, kbNow); err != nil {
		t.Fatal(err)
	}
	if m, ok, err := s.MemberThread(ctx, community.Discord, "t1"); err != nil || !ok || m != owner {
		t.Errorf("thread t1's member %d, %v, %v", m, ok, err)
	}
	if _, ok, err := s.MemberThread(ctx, community.Discord, "t2"); err != nil || ok {
		t.Errorf("thread t2 has a member: %v, %v", ok, err)
	}
}
