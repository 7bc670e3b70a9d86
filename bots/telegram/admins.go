package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/hearthbot/hearth/bots"
)

// adminCache knows the administrators of the community's groups, asking
// Telegram (getChatAdministrators) at most once per group per TTL.
type adminCache struct {
	bot    *bot.Bot
	groups func(ctx context.Context) ([]string, error)
	ttl    time.Duration
	log    *slog.Logger
	mu     sync.Mutex
	lists  map[string]adminList
	// refreshing: groups whose list is being fetched in the background.
	refreshing map[string]bool
}

type adminList struct {
	users   map[string]bool
	fetched time.Time
}

func newAdminCache(b *bot.Bot, groups func(ctx context.Context) ([]string, error), ttl time.Duration, log *slog.Logger) *adminCache {
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	return &adminCache{bot: b, groups: groups, ttl: ttl, log: log, lists: map[string]adminList{}, refreshing: map[string]bool{}}
}

// isAdmin reports whether userID administers any of the groups.
func (c *adminCache) isAdmin(ctx context.Context, userID string) (bool, error) {
	groups, err := c.groups(ctx)
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		admins, err := c.list(ctx, g)
		if err != nil {
			return false, err
		}
		if admins[userID] {
			return true, nil
		}
	}
	return false, nil
}

// adminLookup bounds a call for a group's administrators made while a
// member waits; a stale list is refreshed in the background instead.
const adminLookup = 5 * time.Second

// list returns a group's administrators: from the cache, refreshed in the
// background once stale (the member is served with the list Hearth has);
// asked of Telegram, with a short timeout, only the first time.
func (c *adminCache) list(ctx context.Context, group string) (map[string]bool, error) {
	c.mu.Lock()
	l, ok := c.lists[group]
	refresh := ok && time.Since(l.fetched) >= c.ttl && !c.refreshing[group]
	if refresh {
		c.refreshing[group] = true
	}
	c.mu.Unlock()
	if refresh {
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), adminLookup)
			defer cancel()
			if _, err := c.fetch(ctx, group); err != nil {
				c.log.Warn("telegram group administrators not refreshed", "group", group, "error", err)
			}
			c.mu.Lock()
			delete(c.refreshing, group)
			c.mu.Unlock()
		}()
	}
	if ok {
		return l.users, nil
	}
	ctx, cancel := context.WithTimeout(ctx, adminLookup)
	defer cancel()
	return c.fetch(ctx, group)
}

// fetch asks Telegram for a group's administrators and caches them.
func (c *adminCache) fetch(ctx context.Context, group string) (map[string]bool, error) {
	id, err := strconv.ParseInt(group, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("telegram group id %q is not a number", group)
	}
	members, err := c.bot.GetChatAdministrators(ctx, &bot.GetChatAdministratorsParams{ChatID: id})
	if err != nil && !bots.IsPermanent(classify(err)) {
		return nil, fmt.Errorf("administrators of telegram group %s: %w", group, err)
	}
	if err != nil {
		// Telegram refuses for good (Hearth was removed without hearing
		// of it, the group became a supergroup): nobody is staff through
		// this group, and the other groups still count.
		c.log.Warn("telegram group administrators not readable", "group", group, "error", err)
		members = nil
	}
	users := map[string]bool{}
	for _, m := range members {
		if u := memberUser(m); u.ID != 0 && !u.IsBot && isAdminStatus(m) {
			users[strconv.FormatInt(u.ID, 10)] = true
		}
	}
	c.mu.Lock()
	c.lists[group] = adminList{users: users, fetched: time.Now()}
	c.mu.Unlock()
	return users, nil
}

func isAdminStatus(m models.ChatMember) bool {
	return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator
}

// forget drops every cached list (Hearth joined or left a group).
func (c *adminCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lists = map[string]adminList{}
}
