package community

import (
	"context"
	"testing"
	"time"
)

// groupsFake is an in-memory GroupStore.
type groupsFake struct {
	groups map[Group]GroupState
	synced []string
}

func (g *groupsFake) Group(_ context.Context, p Platform, id string) (GroupState, error) {
	st, ok := g.groups[Group{Platform: p, ID: id}]
	if !ok {
		return st, Errorf(ENotFound, "groups.unknown", nil, "no group %s", id)
	}
	return st, nil
}
func (g *groupsFake) Groups(context.Context) ([]GroupState, error) {
	var out []GroupState
	for _, st := range g.groups {
		out = append(out, st)
	}
	return out, nil
}
func (g *groupsFake) GroupIDs(_ context.Context, p Platform) ([]string, error) {
	var out []string
	for k, st := range g.groups {
		if k.Platform == p && st.Connected && st.Present {
			out = append(out, k.ID)
		}
	}
	return out, nil
}
func (g *groupsFake) ConnectGroup(_ context.Context, c GroupChange) error {
	st := g.groups[c.Group]
	st.Connected, st.Via, st.Title, st.Present = true, c.Via, c.Title, true
	g.groups[c.Group] = st
	return nil
}
func (g *groupsFake) DisconnectGroup(_ context.Context, c GroupChange) error {
	st := g.groups[c.Group]
	st.Connected = false
	g.groups[c.Group] = st
	return nil
}
func (g *groupsFake) SyncConfiguredGroups(_ context.Context, _ Platform, ids []string, _ time.Time) error {
	g.synced = ids
	return nil
}

// TestOnlyOwnersConnectGroups: an owner connects a group once and takes
// it out again; anyone else may do neither; a group from the
// configuration or holding the staff chat stays.
func TestOnlyOwnersConnectGroups(t *testing.T) {
	tea, cfg, staff := Group{Platform: Telegram, ID: "-1"}, Group{Platform: Telegram, ID: "-2"}, Group{Platform: Telegram, ID: "-3"}
	store := &groupsFake{groups: map[Group]GroupState{
		cfg:   {Connected: true, Present: true, Via: ViaConfig},
		staff: {Connected: true, Present: true, Via: ViaOwner, HoldsStaffChat: true},
	}}
	g := NewGroups(store, NewAccess([]Account{accessOwner}, &staffSetFake{}), func() time.Time { return recomputeNow })
	ctx := context.Background()
	stranger := Account{Platform: Telegram, UserID: "666"}
	if err := g.Connect(ctx, stranger, 6, tea, "Tea"); ErrorCode(err) != EForbidden {
		t.Errorf("a stranger connects: %v", err)
	}
	if err := g.Connect(ctx, accessOwner, 1, tea, "Tea"); err != nil {
		t.Fatalf("the owner connects: %v", err)
	}
	if err := g.Connect(ctx, accessOwner, 1, tea, "Tea"); err == nil || err.(*Error).Key != "groups.already" {
		t.Errorf("connected twice: %v", err)
	}
	if ids, _ := g.Connected(ctx, Telegram); len(ids) != 3 {
		t.Errorf("connected %v, want three groups", ids)
	}
	if _, err := g.Disconnect(ctx, stranger, 6, Telegram, "-1"); ErrorCode(err) != EForbidden {
		t.Errorf("a stranger disconnects: %v", err)
	}
	for id, key := range map[string]string{"-2": "groups.configured", "-3": "groups.staff_chat"} {
		if _, err := g.Disconnect(ctx, accessOwner, 1, Telegram, id); err == nil || err.(*Error).Key != key {
			t.Errorf("disconnect %s: %v; want %s", id, err, key)
		}
	}
	if _, err := g.Disconnect(ctx, accessOwner, 1, Telegram, "-1"); err != nil {
		t.Fatalf("the owner disconnects: %v", err)
	}
	if _, err := g.Disconnect(ctx, accessOwner, 1, Telegram, "-1"); err == nil || err.(*Error).Key != "groups.not_connected" {
		t.Errorf("disconnected twice: %v", err)
	}
	if _, err := g.Disconnect(ctx, accessOwner, 1, Telegram, "-9"); ErrorCode(err) != ENotFound {
		t.Errorf("an unknown group: %v", err)
	}
	if list, err := g.List(ctx); err != nil || len(list) != 3 {
		t.Errorf("list %v, %v", list, err)
	}
	if err := g.SyncConfigured(ctx, Telegram, []string{"-2"}); err != nil || len(store.synced) != 1 {
		t.Errorf("sync: %v, %v", err, store.synced)
	}
}
