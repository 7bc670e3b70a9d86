package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// TestOnlyConnectedGroupsAreTheCommunitys: in a group nobody connected,
// recording a message creates no member and no activity; in a group the
// configuration connects, it does. Only the connected group has staff
// through its administrators (GroupIDs), is moderated and is posted to;
// taking it off the configuration disconnects it, audited both ways.
func TestOnlyConnectedGroupsAreTheCommunitys(t *testing.T) {
	s := newBareStore(t)
	ctx := context.Background()
	if err := s.SyncConfiguredGroups(ctx, community.Telegram, []string{"-6"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	rec, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-5"), message("2", "200", "-6")})
	if err != nil {
		t.Fatal(err)
	}
	if !rec[0].Outside || rec[0].Member != 0 || rec[1].Outside || rec[1].Member == 0 {
		t.Fatalf("recorded %+v; want -5 outside with nobody recorded, -6 inside", rec)
	}
	if n := count(t, s, `SELECT count(*) FROM identities WHERE platform_user_id = '100'`); n != 0 {
		t.Errorf("the member of the unconnected group was recorded")
	}
	if n := count(t, s, `SELECT count(*) FROM activities`); n != 1 {
		t.Errorf("%d activities, want only the connected group's", n)
	}
	ids, err := s.GroupIDs(ctx, community.Telegram)
	if err != nil || !slices.Equal(ids, []string{"-6"}) {
		t.Errorf("groups = %v, %v; want [-6]", ids, err)
	}
	mod, err := s.ModerationGroups(ctx, community.Telegram)
	if err != nil || len(mod) != 1 || mod[0].PlatformID != "-6" {
		t.Errorf("moderated groups = %+v, %v; want -6 only", mod, err)
	}
	reach, err := s.AnnouncementReach(ctx, community.Audience{AllGroups: true, Platforms: []community.Platform{community.Telegram}, Window: time.Hour}, time.Now())
	if err != nil || reach.GroupCount() != 1 {
		t.Errorf("announcement reach = %+v, %v; want the connected group only", reach, err)
	}
	if err := s.SyncConfiguredGroups(ctx, community.Telegram, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.GroupIDs(ctx, community.Telegram); len(ids) != 0 {
		t.Errorf("groups after the configuration dropped -6 = %v", ids)
	}
	if n := count(t, s, `SELECT count(*) FROM audit_log WHERE action IN ('group.connect', 'group.disconnect') AND details->>'via' = 'config'`); n != 2 {
		t.Errorf("%d configuration changes audited, want 2", n)
	}
}
