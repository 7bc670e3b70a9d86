package community

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// staffSetFake is an in-memory AccessStore and StaffStore: members, the
// members named staff, the changes written.
type staffSetFake struct {
	members map[MemberID]Member
	staff   map[MemberID]bool
	added   []StaffChange
	removed []StaffChange
	chats   []StaffChatChange
	err     error
}

func (s *staffSetFake) IsStaff(_ context.Context, m MemberID) (bool, error) { return s.staff[m], s.err }
func (s *staffSetFake) Member(_ context.Context, id MemberID) (Member, error) {
	m, ok := s.members[id]
	if !ok {
		return m, Errorf(ENotFound, "member.not_found", nil, "no member %d", id)
	}
	return m, nil
}
func (s *staffSetFake) AddStaff(_ context.Context, c StaffChange) error {
	s.added = append(s.added, c)
	return nil
}
func (s *staffSetFake) RemoveStaff(_ context.Context, c StaffChange) error {
	s.removed = append(s.removed, c)
	return nil
}
func (s *staffSetFake) ListStaff(context.Context) ([]StaffMember, error) { return nil, s.err }
func (s *staffSetFake) SetStaffChat(_ context.Context, c StaffChatChange) error {
	s.chats = append(s.chats, c)
	return nil
}

// adminsFake is a platform's group administrators.
type adminsFake map[string]bool

func (a adminsFake) IsAdmin(_ context.Context, userID string) (bool, error) {
	if userID == "broken" {
		return false, errors.New("platform down")
	}
	return a[userID], nil
}

var accessOwner = Account{Platform: Telegram, UserID: "1"}

// TestRoles: owners come from the configuration, staff from the store or
// a platform's administrators, everyone else is a member; a failing
// store or platform is an error, not a role.
func TestRoles(t *testing.T) {
	store := &staffSetFake{staff: map[MemberID]bool{2: true}}
	a := NewAccess([]Account{accessOwner}, store)
	a.SetPlatformAdmins(Discord, adminsFake{"77": true})
	ctx := context.Background()
	for _, c := range []struct {
		acct   Account
		member MemberID
		want   Role
	}{
		{accessOwner, 1, RoleOwner},
		{Account{Platform: Telegram, UserID: "2"}, 2, RoleStaff},
		{Account{Platform: Discord, UserID: "77"}, 3, RoleStaff},
		{Account{Platform: Discord, UserID: "78"}, 4, RoleMember},
		{Account{Platform: Telegram, UserID: "77"}, 5, RoleMember},
	} {
		if got, err := a.RoleOf(ctx, c.acct, c.member); err != nil || got != c.want {
			t.Errorf("%s: %s, %v; want %s", c.acct, got, err, c.want)
		}
	}
	if _, err := a.RoleOf(ctx, Account{Platform: Discord, UserID: "broken"}, 6); err == nil {
		t.Error("a platform failing to say who administers: no error")
	}
	store.err = errStandingsDown
	if _, err := a.RoleOf(ctx, Account{Platform: Telegram, UserID: "9"}, 9); !errors.Is(err, errStandingsDown) {
		t.Errorf("the store failing: %v", err)
	}
	if owners := a.Owners(); len(owners) != 1 || owners[0] != accessOwner || !a.IsOwner(accessOwner) {
		t.Errorf("owners %v", owners)
	}
	if RoleOwner.String() != "owner" || RoleStaff.String() != "staff" || RoleMember.String() != "member" {
		t.Error("role names")
	}
}

// TestNamingStaff: an owner names a member staff once, never an owner;
// takes the role back only from staff; each change carries its event.
func TestNamingStaff(t *testing.T) {
	store := &staffSetFake{staff: map[MemberID]bool{}, members: map[MemberID]Member{
		1: {ID: 1, DisplayName: "Olga", Identities: []Identity{{Account: accessOwner}}},
		2: {ID: 2, DisplayName: "Sam", Identities: []Identity{{Account: Account{Platform: Discord, UserID: "5"}}}},
	}}
	s := NewStaff(store, NewAccess([]Account{accessOwner}, store), func() time.Time { return recomputeNow })
	ctx := context.Background()
	if err := s.Add(ctx, 1, 2); err != nil || len(store.added) != 1 || store.added[0].Event.Kind != EventStaffAdded {
		t.Fatalf("add Sam: %v, %+v", err, store.added)
	}
	store.staff[2] = true
	for _, c := range []struct {
		member MemberID
		key    string
	}{{2, "staff.already"}, {1, "staff.is_owner"}, {3, "member.not_found"}} {
		if err := s.Add(ctx, 1, c.member); err == nil || err.(*Error).Key != c.key {
			t.Errorf("add %d: %v; want %s", c.member, err, c.key)
		}
	}
	if err := s.Remove(ctx, 1, 2); err != nil || len(store.removed) != 1 || store.removed[0].Event.Kind != EventStaffRemoved {
		t.Fatalf("remove Sam: %v, %+v", err, store.removed)
	}
	store.staff[2] = false
	if err := s.Remove(ctx, 1, 2); ErrorCode(err) != ENotFound {
		t.Errorf("remove Sam again: %v", err)
	}
	if err := s.Remove(ctx, 1, 3); ErrorCode(err) != ENotFound {
		t.Errorf("remove an unknown member: %v", err)
	}
	store.err = errStandingsDown
	if _, err := s.List(ctx); !errors.Is(err, errStandingsDown) {
		t.Errorf("list with the store down: %v", err)
	}
}

// TestStaffChatIsAGroup: a direct conversation cannot be the staff chat,
// the staff chat cannot become it again, a group can.
func TestStaffChatIsAGroup(t *testing.T) {
	store := &staffSetFake{}
	s := NewStaff(store, NewAccess(nil, store), func() time.Time { return recomputeNow })
	ctx := context.Background()
	if err := s.SetStaffChat(ctx, 1, Chat{ID: 1, Kind: ChatDirect}); ErrorCode(err) != EInvalid {
		t.Errorf("a direct chat: %v", err)
	}
	if err := s.SetStaffChat(ctx, 1, Chat{ID: 2, Kind: ChatGroup, IsStaff: true}); ErrorCode(err) != EConflict {
		t.Errorf("the staff chat again: %v", err)
	}
	if err := s.SetStaffChat(ctx, 1, Chat{ID: 3, Kind: ChatGroup}); err != nil || len(store.chats) != 1 || store.chats[0].At != recomputeNow {
		t.Errorf("a group: %v, %+v", err, store.chats)
	}
}

// TestNamesForLogsAndMessages: ids, accounts and errors read as staff and
// logs expect.
func TestNamesForLogsAndMessages(t *testing.T) {
	if got := fmt.Sprint(MemberID(42), " ", Account{Platform: Discord, UserID: "7"}); got != "42 discord:7" {
		t.Errorf("names %q", got)
	}
	if err := Errorf(EConflict, "link.taken", nil, "customer %q is taken", "c1"); err.Error() != `customer "c1" is taken` {
		t.Errorf("error text %q", err.Error())
	}
}
