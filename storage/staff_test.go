package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
)

// TestStaffChangesAreAuditedWithTheirEvent adds and removes a staff member
// and moves the staff chat: each change writes its audit entry and event in
// the same transaction, and a repeated change fails without writing either.
func TestStaffChangesAreAuditedWithTheirEvent(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	got, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-5"), message("2", "200", "-6")})
	if err != nil {
		t.Fatal(err)
	}
	owner, bob := got[0].Member, got[1].Member
	at := time.Now()
	change := community.StaffChange{By: owner, Member: bob, At: at, Event: community.NewEvent(community.EventStaffAdded, community.StaffChanged{Member: bob}, at)}
	if err := s.AddStaff(ctx, change); err != nil {
		t.Fatal(err)
	}
	if err := s.AddStaff(ctx, change); community.ErrorCode(err) != community.EConflict {
		t.Fatalf("adding twice: err = %v, want conflict", err)
	}
	if staff, err := s.IsStaff(ctx, bob); err != nil || !staff {
		t.Fatalf("IsStaff = %t, %v", staff, err)
	}
	list, err := s.ListStaff(ctx)
	if err != nil || len(list) != 1 || list[0].ID != bob || list[0].AddedBy != owner || len(list[0].Identities) != 1 {
		t.Fatalf("ListStaff = %+v, %v", list, err)
	}
	change.Event.Kind = community.EventStaffRemoved
	if err := s.RemoveStaff(ctx, change); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveStaff(ctx, change); community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("removing twice: err = %v, want not found", err)
	}
	if n := count(t, s, `SELECT count(*) FROM audit_log WHERE action IN ('staff.add', 'staff.remove') AND target_member_id = $1`, bob); n != 2 {
		t.Errorf("audit entries = %d, want 2", n)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox_events`); n != 2 {
		t.Errorf("events = %d, want 2", n)
	}

	for _, chat := range []community.ChatID{got[0].Chat, got[1].Chat} {
		if err := s.SetStaffChat(ctx, community.StaffChatChange{By: owner, Chat: community.Chat{ID: chat, Platform: community.Telegram}, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	chats, err := s.StaffChats(ctx)
	if err != nil || len(chats) != 1 || chats[0].ID != got[1].Chat || chats[0].PlatformID != "-6" {
		t.Fatalf("StaffChats = %+v, %v; want only the last chat set", chats, err)
	}
	err = s.SetStaffChat(ctx, community.StaffChatChange{By: owner, Chat: community.Chat{ID: 9999, Platform: community.Telegram}, At: at})
	if community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("unknown chat: err = %v, want not found", err)
	}
	if chats, _ := s.StaffChats(ctx); len(chats) != 1 {
		t.Fatalf("a failed change moved the staff chat: %+v", chats)
	}
}
