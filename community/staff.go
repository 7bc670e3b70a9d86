package community

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// StaffStore is what the staff rules need from persistence. Each change
// writes its audit entry and its outbox event in the same transaction.
type StaffStore interface {
	AccessStore
	Member(ctx context.Context, id MemberID) (Member, error)
	// AddStaff names a member staff; ErrConflict if they are already.
	AddStaff(ctx context.Context, change StaffChange) error
	RemoveStaff(ctx context.Context, change StaffChange) error
	ListStaff(ctx context.Context) ([]StaffMember, error)
	SetStaffChat(ctx context.Context, change StaffChatChange) error
}

// StaffChange is an owner adding or removing a staff member.
type StaffChange struct {
	By     MemberID
	Member MemberID
	At     time.Time
	Event  Event // told to the member and the staff chat
}

// StaffChatChange is an owner making a chat the staff chat of its platform.
type StaffChatChange struct {
	By   MemberID
	Chat Chat
	At   time.Time
}

// AuditEntry is the audit entry of the change: action is AuditStaffAdd or
// AuditStaffRemove.
func (c StaffChange) AuditEntry(action string) AuditEntry {
	return AuditEntry{At: c.At, Actor: c.By, Action: action, Target: c.Member}
}

// AuditEntry is the audit entry of the change, naming the chat that was
// the staff chat before (0: none).
func (c StaffChatChange) AuditEntry(previous ChatID) AuditEntry {
	details := map[string]any{"platform": string(c.Chat.Platform), "title": c.Chat.Title}
	if previous != 0 {
		details["previous_chat"] = int64(previous)
	}
	return AuditEntry{At: c.At, Actor: c.By, Action: AuditStaffChatSet, Chat: c.Chat.ID, Details: details}
}

// StaffMember is a member named staff by an owner.
type StaffMember struct {
	Member
	AddedBy MemberID
	AddedAt time.Time
}

// Staff holds the rules for naming staff and the staff chat.
type Staff struct {
	store  StaffStore
	access *Access
	now    func() time.Time
}

// NewStaff returns the staff rules.
func NewStaff(store StaffStore, access *Access, now func() time.Time) *Staff {
	return &Staff{store: store, access: access, now: now}
}

// Add makes member staff, on an owner's word.
func (s *Staff) Add(ctx context.Context, by, member MemberID) error {
	m, err := s.store.Member(ctx, member)
	if err != nil {
		return err
	}
	already, err := s.store.IsStaff(ctx, member)
	if err != nil {
		return err
	}
	staffAlready := Errorf(EConflict, "staff.already", map[string]any{"Name": m.DisplayName}, "member %d is staff already", member)
	if already {
		return staffAlready
	}
	for _, id := range m.Identities {
		if s.access.IsOwner(id.Account) {
			return Errorf(EConflict, "staff.is_owner", map[string]any{"Name": m.DisplayName}, "member %d is an owner", member)
		}
	}
	at := s.now()
	err = s.store.AddStaff(ctx, StaffChange{By: by, Member: member, At: at,
		Event: NewEvent(EventStaffAdded, StaffChanged{Member: member, Name: m.DisplayName, By: by}, at)})
	if errors.Is(err, ErrConflict) {
		return staffAlready // named meanwhile
	}
	return err
}

// Remove takes back a member's staff role. Group administrators stay staff
// through their platform role.
func (s *Staff) Remove(ctx context.Context, by, member MemberID) error {
	m, err := s.store.Member(ctx, member)
	if err != nil {
		return err
	}
	staff, err := s.store.IsStaff(ctx, member)
	if err != nil {
		return err
	}
	if !staff {
		return Errorf(ENotFound, "staff.not_staff", map[string]any{"Name": m.DisplayName}, "member %d is not staff", member)
	}
	at := s.now()
	return s.store.RemoveStaff(ctx, StaffChange{By: by, Member: member, At: at,
		Event: NewEvent(EventStaffRemoved, StaffChanged{Member: member, Name: m.DisplayName, By: by}, at)})
}

// List returns the members named staff by an owner.
func (s *Staff) List(ctx context.Context) ([]StaffMember, error) {
	list, err := s.store.ListStaff(ctx)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return list, nil
}

// SetStaffChat makes chat the staff chat of its platform, in place of any
// other. Only a group or a channel can be a staff chat.
func (s *Staff) SetStaffChat(ctx context.Context, by MemberID, chat Chat) error {
	if chat.Kind == ChatDirect {
		return Errorf(EInvalid, "staffchat.not_group", nil, "a direct conversation cannot be the staff chat")
	}
	if chat.IsStaff {
		return Errorf(EConflict, "staffchat.already", nil, "chat %d is the staff chat already", chat.ID)
	}
	return s.store.SetStaffChat(ctx, StaffChatChange{By: by, Chat: chat, At: s.now()})
}
