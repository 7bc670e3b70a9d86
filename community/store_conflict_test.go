package community

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestSettledMeanwhile: when the store refuses a change because the
// report it settles was settled meanwhile (ErrConflict), staff are told
// it is settled, and nothing is saved.
func TestSettledMeanwhile(t *testing.T) {
	w := newModWorld(DefaultModerationRules())
	ctx := context.Background()
	r, err := w.mod.FileReport(ctx, Report{Reporter: modVera, Reported: modBob, Group: w.tg, ChatRef: "-100", MessageID: "77", Reason: "rude"})
	if err != nil {
		t.Fatal(err)
	}
	w.store.settledMeanwhile = true
	for _, outcome := range []string{ReportDismiss, ReportWarn} {
		if _, _, err := w.mod.SettleReport(ctx, modAlice, r.ID, outcome); modErrKey(err) != "mod.settled" || ErrorCode(err) != EConflict {
			t.Errorf("%s: %v, want mod.settled", outcome, err)
		}
	}
	if len(w.store.saved) != 0 || len(w.store.kinds()) != 0 {
		t.Errorf("saved %+v", w.store.saved)
	}
}

// racedGroups is a GroupStore where another owner always got there first.
type racedGroups struct{ *groupsFake }

func (racedGroups) ConnectGroup(_ context.Context, c GroupChange) error {
	return fmt.Errorf("%s is connected already: %w", c.Group, ErrConflict)
}
func (racedGroups) DisconnectGroup(_ context.Context, c GroupChange) error {
	return fmt.Errorf("%s is not connected: %w", c.Group, ErrConflict)
}

// TestGroupsChangedMeanwhile: a group connected, or disconnected, by
// someone else between the check and the change is told as if the check
// had seen it, naming the group by its title.
func TestGroupsChangedMeanwhile(t *testing.T) {
	tea, coffee := Group{Platform: Telegram, ID: "-1"}, Group{Platform: Telegram, ID: "-2"}
	store := racedGroups{&groupsFake{groups: map[Group]GroupState{coffee: {Chat: Chat{Title: "Coffee"}, Connected: true, Present: true, Via: ViaOwner}}}}
	g := NewGroups(store, NewAccess([]Account{accessOwner}, &staffSetFake{}), func() time.Time { return recomputeNow })
	ctx := context.Background()
	err := g.Connect(ctx, accessOwner, 1, tea, "Tea")
	if e, ok := err.(*Error); !ok || e.Key != "groups.already" || e.Data["Group"] != "Tea" {
		t.Errorf("connected meanwhile: %v", err)
	}
	_, err = g.Disconnect(ctx, accessOwner, 1, Telegram, "-2")
	if e, ok := err.(*Error); !ok || e.Key != "groups.not_connected" || e.Data["Group"] != "Coffee" {
		t.Errorf("disconnected meanwhile: %v", err)
	}
}

// racedStaff is a StaffStore where another owner always named the member
// first.
type racedStaff struct{ *staffSetFake }

func (racedStaff) AddStaff(_ context.Context, c StaffChange) error {
	return fmt.Errorf("member %d is staff already: %w", c.Member, ErrConflict)
}

// TestStaffNamedMeanwhile: a member named staff by someone else between
// the check and the change is told as staff already, by name.
func TestStaffNamedMeanwhile(t *testing.T) {
	store := racedStaff{&staffSetFake{members: map[MemberID]Member{2: {ID: 2, DisplayName: "Sam"}}, staff: map[MemberID]bool{}}}
	s := NewStaff(store, NewAccess([]Account{accessOwner}, store), func() time.Time { return recomputeNow })
	err := s.Add(context.Background(), 1, 2)
	if e, ok := err.(*Error); !ok || e.Key != "staff.already" || e.Data["Name"] != "Sam" {
		t.Errorf("named meanwhile: %v", err)
	}
}
