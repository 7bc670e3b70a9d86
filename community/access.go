package community

import (
	"context"
	"fmt"
)

// Role is what a member may do. Each role may do everything the ones
// before it may.
type Role int

// The roles.
const (
	RoleMember Role = iota
	RoleStaff
	RoleOwner
)

// String names the role.
func (r Role) String() string {
	switch r {
	case RoleOwner:
		return "owner"
	case RoleStaff:
		return "staff"
	default:
		return "member"
	}
}

// PlatformAdmins tells whether a platform account administers one of the
// community's groups (a Telegram group administrator, a Discord member with
// a moderation permission or the staff role). The platform adapters
// implement it.
type PlatformAdmins interface {
	IsAdmin(ctx context.Context, userID string) (bool, error)
}

// AccessStore is what Access needs from persistence.
type AccessStore interface {
	IsStaff(ctx context.Context, member MemberID) (bool, error)
}

// Access decides a member's role: owners come from the configuration;
// staff are owners, the platforms' group administrators and the members an
// owner named with /staff add.
type Access struct {
	owners map[Account]bool
	store  AccessStore
	admins map[Platform]PlatformAdmins
}

// NewAccess returns the access rules for the configured owners.
func NewAccess(owners []Account, store AccessStore) *Access {
	a := &Access{owners: map[Account]bool{}, store: store, admins: map[Platform]PlatformAdmins{}}
	for _, o := range owners {
		a.owners[o] = true
	}
	return a
}

// SetPlatformAdmins tells Access how to find a platform's administrators.
// Call it before serving.
func (a *Access) SetPlatformAdmins(p Platform, admins PlatformAdmins) { a.admins[p] = admins }

// IsOwner reports whether the account is a configured owner.
func (a *Access) IsOwner(acct Account) bool { return a.owners[acct] }

// Owners returns the configured owner accounts.
func (a *Access) Owners() []Account {
	out := make([]Account, 0, len(a.owners))
	for o := range a.owners {
		out = append(out, o)
	}
	return out
}

// RoleOf returns the role of the member behind acct.
func (a *Access) RoleOf(ctx context.Context, acct Account, member MemberID) (Role, error) {
	if a.owners[acct] {
		return RoleOwner, nil
	}
	staff, err := a.store.IsStaff(ctx, member)
	if err != nil {
		return RoleMember, fmt.Errorf("role of member %d: %w", member, err)
	}
	if staff {
		return RoleStaff, nil
	}
	if admins := a.admins[acct.Platform]; admins != nil {
		admin, err := admins.IsAdmin(ctx, acct.UserID)
		if err != nil {
			return RoleMember, fmt.Errorf("is %s a group administrator: %w", acct, err)
		}
		if admin {
			return RoleStaff, nil
		}
	}
	return RoleMember, nil
}
