package discord

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// StaffPermissions are the permissions that make a server member staff.
const StaffPermissions = discordgo.PermissionAdministrator | discordgo.PermissionManageGuild | discordgo.PermissionModerateMembers

// adminCache knows which members of Hearth's servers are staff: the
// server's owner, members with a staff permission, members with a staff
// role. Members are not cached by the gateway state (to keep memory
// small), so they are fetched when needed and remembered for a TTL.
type adminCache struct {
	s          *discordgo.Session
	groups     func(ctx context.Context) ([]string, error)
	staffRoles []string
	ttl        time.Duration
	mu         sync.Mutex
	members    map[string]cachedMember // guild + user
}

type cachedMember struct {
	member  *discordgo.Member // nil: not in the guild
	fetched time.Time
}

// memberLookup bounds a call for a member's roles made while a member
// waits for an answer.
const memberLookup = 5 * time.Second

func newAdminCache(s *discordgo.Session, groups func(ctx context.Context) ([]string, error), staffRoles []string, ttl time.Duration) *adminCache {
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	return &adminCache{s: s, groups: groups, staffRoles: staffRoles, ttl: ttl, members: map[string]cachedMember{}}
}

// isAdmin reports whether userID is staff in any of the community's
// servers: connected ones Hearth is in. An administrator of any other
// server is nobody here.
func (c *adminCache) isAdmin(ctx context.Context, userID string) (bool, error) {
	connected, err := c.groups(ctx)
	if err != nil {
		return false, err
	}
	for _, g := range c.guildIDs() {
		if !slices.Contains(connected, g) {
			continue
		}
		m, err := c.member(ctx, g, userID)
		if err != nil {
			return false, err
		}
		if m != nil && c.isStaff(g, m) {
			return true, nil
		}
	}
	return false, nil
}

// guildIDs lists Hearth's servers. The gateway adds and removes servers
// while commands run, so the state is read under its lock.
func (c *adminCache) guildIDs() []string {
	c.s.State.RLock()
	defer c.s.State.RUnlock()
	ids := make([]string, 0, len(c.s.State.Guilds))
	for _, g := range c.s.State.Guilds {
		ids = append(ids, g.ID)
	}
	return ids
}

func (c *adminCache) member(ctx context.Context, guildID, userID string) (*discordgo.Member, error) {
	key := guildID + ":" + userID
	c.mu.Lock()
	cm, ok := c.members[key]
	c.mu.Unlock()
	if ok && time.Since(cm.fetched) < c.ttl {
		return cm.member, nil
	}
	ctx, cancel := context.WithTimeout(ctx, memberLookup)
	defer cancel()
	m, err := c.s.GuildMember(guildID, userID, discordgo.WithContext(ctx))
	if rest, ok := errors.AsType[*discordgo.RESTError](err); ok && rest.Response != nil && rest.Response.StatusCode == http.StatusNotFound {
		m, err = nil, nil // not a member of this server
	}
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.members[key] = cachedMember{member: m, fetched: time.Now()}
	c.mu.Unlock()
	return m, nil
}

// isStaff decides from the member's roles and the server's role
// permissions.
func (c *adminCache) isStaff(guildID string, m *discordgo.Member) bool {
	g, err := c.s.State.Guild(guildID)
	if err != nil {
		return false
	}
	if m.User != nil && g.OwnerID == m.User.ID {
		return true
	}
	var perms int64
	for _, r := range g.Roles {
		if r.ID == guildID || slices.Contains(m.Roles, r.ID) { // the @everyone role has the guild's id
			perms |= r.Permissions
		}
	}
	if m.Permissions != 0 {
		perms |= m.Permissions
	}
	if perms&StaffPermissions != 0 {
		return true
	}
	for _, r := range m.Roles {
		if slices.Contains(c.staffRoles, r) {
			return true
		}
	}
	return false
}

// seen remembers a member as an interaction shows them, with their
// permissions computed by Discord.
func (c *adminCache) seen(guildID string, m *discordgo.Member) {
	if guildID == "" || m == nil || m.User == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.members[guildID+":"+m.User.ID] = cachedMember{member: m, fetched: time.Now()}
}

func (c *adminCache) drop(guildID, userID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.members, guildID+":"+userID)
}

func (c *adminCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.members = map[string]cachedMember{}
}
