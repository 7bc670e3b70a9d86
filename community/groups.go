package community

import (
	"context"
	"errors"
	"time"
)

// ConnectVia says how a group joined the community.
type ConnectVia string

// The ways a group joins the community.
const (
	ViaOwner  ConnectVia = "owner"  // an owner added Hearth to it, or ran /connect in it
	ViaConfig ConnectVia = "config" // listed in the configuration (telegram.groups, discord.guild_ids)
)

// GroupState is a group Hearth knows (a Telegram group or a Discord
// server) and whether it is the community's. Only connected groups are:
// their members are counted, their administrators are staff,
// announcements and moderation reach them. In any other group Hearth does
// nothing.
type GroupState struct {
	Chat
	Connected   bool
	ConnectedAt time.Time
	ConnectedBy MemberID // 0: connected by the configuration
	Via         ConnectVia
	// Present: Hearth is in the group now.
	Present bool
	// HoldsStaffChat: the group is, or holds, a staff chat.
	HoldsStaffChat bool
}

// GroupChange is a group joining or leaving the community; the store
// writes its audit entry in the same transaction.
type GroupChange struct {
	Group     Group
	Title     string
	By        MemberID // 0 for the configuration, or an owner not yet a member
	ByAccount Account  // the owner's account; empty for the configuration
	Via       ConnectVia
	At        time.Time
}

// AuditEntry is the audit entry of the change (action AuditGroupConnect
// or AuditGroupDisconnect) of the group recorded as chat: which group,
// how, and which owner's account did it.
func (c GroupChange) AuditEntry(action string, chat ChatID) AuditEntry {
	details := map[string]any{"platform": string(c.Group.Platform), "group": c.Group.ID, "title": c.Title, "via": string(c.Via)}
	if c.ByAccount.UserID != "" {
		details["by"] = c.ByAccount.String()
	}
	return AuditEntry{At: c.At, Actor: c.By, Action: action, Chat: chat, Details: details}
}

// GroupStore is what the connected groups need from persistence.
type GroupStore interface {
	// Group returns a known group, or an ENotFound error.
	Group(ctx context.Context, p Platform, id string) (GroupState, error)
	// Groups lists every group Hearth is in or that is connected.
	Groups(ctx context.Context) ([]GroupState, error)
	// GroupIDs lists the platform ids of p's connected groups Hearth is in.
	GroupIDs(ctx context.Context, p Platform) ([]string, error)
	// ConnectGroup makes a group connected (recording it if Hearth has
	// not seen it yet), with its audit entry; ErrConflict if it is
	// already.
	ConnectGroup(ctx context.Context, c GroupChange) error
	// DisconnectGroup takes a group out of the community, with its audit
	// entry; ErrConflict if it is not connected.
	DisconnectGroup(ctx context.Context, c GroupChange) error
	// SyncConfiguredGroups makes the groups of platform p connected by the
	// configuration exactly those listed.
	SyncConfiguredGroups(ctx context.Context, p Platform, ids []string, at time.Time) error
}

// Groups holds the rules of which groups are the community's.
type Groups struct {
	store  GroupStore
	access *Access
	now    func() time.Time
}

// NewGroups returns the connected-groups rules.
func NewGroups(store GroupStore, access *Access, now func() time.Time) *Groups {
	return &Groups{store: store, access: access, now: now}
}

// MayConnect reports whether an account may connect a group: only the
// community's owners may. A platform administrator of some group is
// nobody here until an owner connects that group.
func (g *Groups) MayConnect(by Account) bool { return g.access.IsOwner(by) }

// Connect makes a group part of the community, on an owner's word.
func (g *Groups) Connect(ctx context.Context, by Account, member MemberID, group Group, title string) error {
	if !g.MayConnect(by) {
		return Errorf(EForbidden, "groups.owner_only", nil, "%s is not an owner and may not connect %s group %s", by, group.Platform, group.ID)
	}
	current, err := g.store.Group(ctx, group.Platform, group.ID)
	if err != nil && ErrorCode(err) != ENotFound {
		return err
	}
	already := Errorf(EConflict, "groups.already", map[string]any{"Group": groupName(current.Title, title, group.ID)},
		"%s group %s is connected already", group.Platform, group.ID)
	if current.Connected {
		return already
	}
	err = g.store.ConnectGroup(ctx, GroupChange{Group: group, Title: title, By: member, ByAccount: by, Via: ViaOwner, At: g.now()})
	if errors.Is(err, ErrConflict) {
		return already // connected meanwhile
	}
	return err
}

// Disconnect takes a group out of the community. A group from the
// configuration leaves it only with the configuration, and a group holding
// the staff chat only once the staff chat has moved.
func (g *Groups) Disconnect(ctx context.Context, by Account, member MemberID, p Platform, id string) (GroupState, error) {
	if !g.MayConnect(by) {
		return GroupState{}, Errorf(EForbidden, "groups.owner_only", nil, "%s is not an owner and may not disconnect %s group %s", by, p, id)
	}
	current, err := g.store.Group(ctx, p, id)
	if err != nil {
		return GroupState{}, err
	}
	name := map[string]any{"Group": groupName(current.Title, "", id)}
	notConnected := Errorf(EConflict, "groups.not_connected", name, "%s group %s is not connected", p, id)
	switch {
	case !current.Connected:
		return current, notConnected
	case current.Via == ViaConfig:
		return current, Errorf(EConflict, "groups.configured", name, "%s group %s is connected by the configuration", p, id)
	case current.HoldsStaffChat:
		return current, Errorf(EConflict, "groups.staff_chat", name, "%s group %s holds the staff chat", p, id)
	}
	err = g.store.DisconnectGroup(ctx, GroupChange{Group: Group{Platform: p, ID: id}, Title: current.Title, By: member, ByAccount: by, Via: current.Via, At: g.now()})
	if errors.Is(err, ErrConflict) {
		return current, notConnected // disconnected meanwhile
	}
	return current, err
}

// Connected lists the platform ids of the community's groups on p that
// Hearth is in: the only groups whose administrators are staff.
func (g *Groups) Connected(ctx context.Context, p Platform) ([]string, error) {
	return g.store.GroupIDs(ctx, p)
}

// List returns the groups Hearth knows, connected or not.
func (g *Groups) List(ctx context.Context) ([]GroupState, error) { return g.store.Groups(ctx) }

// SyncConfigured connects the groups the configuration lists for p, and
// disconnects those it listed before and no longer does.
func (g *Groups) SyncConfigured(ctx context.Context, p Platform, ids []string) error {
	return g.store.SyncConfiguredGroups(ctx, p, ids, g.now())
}

// groupName is the first of a group's names that is known.
func groupName(names ...string) string {
	for _, n := range names {
		if n != "" {
			return n
		}
	}
	return ""
}
