package community

import (
	"context"
	"testing"
	"time"
)

// TestReachAddsUp: groups and members are summed over platforms and
// tiers; held messages are the members' only while held; a cap of 0
// means no private messages.
func TestReachAddsUp(t *testing.T) {
	r := Reach{Groups: map[Platform]int{Telegram: 2, Discord: 1}, Members: map[Tier]int{TierVIP: 3, TierLoyal: 4}, Cap: 2}
	if r.GroupCount() != 3 || r.MemberCount() != 7 || r.Held() != 0 || r.PrivateOff() {
		t.Errorf("reach %+v: groups %d, members %d, held %d, private off %v", r, r.GroupCount(), r.MemberCount(), r.Held(), r.PrivateOff())
	}
	r.HeldUntil, r.Cap = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), 0
	if r.Held() != 7 || !r.PrivateOff() {
		t.Errorf("held %d, private off %v", r.Held(), r.PrivateOff())
	}
}

// TestAnnouncementsPassThroughTheirStore: the rules given are kept (UTC
// when no zone is given), and history and subscriptions are the store's.
func TestAnnouncementsPassThroughTheirStore(t *testing.T) {
	store := &announceStore{drafts: map[AnnouncementID]Announcement{}}
	a := NewAnnouncements(store, AnnounceRules{WeeklyCap: 3}, nil, time.Now)
	if r := a.Rules(); r.WeeklyCap != 3 || r.Location != time.UTC {
		t.Errorf("rules %+v", r)
	}
	ctx := context.Background()
	if list, err := a.History(ctx, 5); err != nil || len(list) != 0 {
		t.Errorf("history %v, %v", list, err)
	}
	if err := a.Subscribe(ctx, 1, true); err != nil {
		t.Error(err)
	}
	if on, err := a.Subscribed(ctx, 1); err != nil || on {
		t.Errorf("subscribed %v, %v; the store says no", on, err)
	}
	if _, err := a.Cancel(ctx, 99, 1); ErrorCode(err) != ENotFound {
		t.Errorf("cancel an unknown announcement: %v", err)
	}
}
