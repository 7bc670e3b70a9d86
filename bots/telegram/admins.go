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
	"github.com/hearthbot/hearth/outbox"
)

// adminCache knows the administrators of the community's groups, asking
// Telegram (getChatAdministrators) at most once per group per TTL. A
// stale list serves while it is refreshed in the background (and while
// Telegram cannot be asked); only the first list of a group is waited
// for, once however many commands need it at the same moment.
type adminCache struct {
	bot    *bot.Bot
	groups func(ctx context.Context) ([]string, error)
	ttl    time.Duration
	log    *slog.Logger
	mu     sync.Mutex
	lists  map[string]adminList
	// fetching: groups whose list is being fetched, closed when done.
	fetching map[string]chan struct{}
	// forgotten counts each group's forgetGroup calls: a fetch started
	// before one does not store what it read.
	forgotten map[string]int
}

type adminList struct {
	users   map[string]bool
	fetched time.Time
}

func newAdminCache(b *bot.Bot, groups func(ctx context.Context) ([]string, error), ttl time.Duration, log *slog.Logger) *adminCache {
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	return &adminCache{bot: b, groups: groups, ttl: ttl, log: log, lists: map[string]adminList{}, fetching: map[string]chan struct{}{},
		forgotten: map[string]int{}}
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

// adminLookup bounds a call for a group's administrators.
const adminLookup = 5 * time.Second

// list returns a group's administrators: from the cache, refreshed in the
// background once stale; asked of Telegram, with a short timeout, only
// the first time (or after forgetGroup).
func (c *adminCache) list(ctx context.Context, group string) (map[string]bool, error) {
	c.mu.Lock()
	l, ok := c.lists[group]
	wait, busy := c.fetching[group]
	if !busy && (!ok || time.Since(l.fetched) >= c.ttl) {
		wait = make(chan struct{})
		c.fetching[group] = wait
		go c.fetch(context.WithoutCancel(ctx), group, c.forgotten[group], wait)
	}
	c.mu.Unlock()
	if ok {
		return l.users, nil
	}
	select {
	case <-wait:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c.mu.Lock()
	l, ok = c.lists[group]
	c.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("administrators of telegram group %s: Telegram did not answer", group)
	}
	return l.users, nil
}

// fetch asks Telegram for a group's administrators and caches them; a
// failure keeps the list there was.
func (c *adminCache) fetch(ctx context.Context, group string, generation int, done chan struct{}) {
	defer func() {
		c.mu.Lock()
		delete(c.fetching, group)
		c.mu.Unlock()
		close(done)
	}()
	ctx, cancel := context.WithTimeout(ctx, adminLookup)
	defer cancel()
	id, err := strconv.ParseInt(group, 10, 64)
	if err != nil {
		c.log.Error("telegram group id is not a number", "group", group)
		return
	}
	members, err := c.bot.GetChatAdministrators(ctx, &bot.GetChatAdministratorsParams{ChatID: id})
	if err != nil && !outbox.IsPermanent(classify(err)) {
		c.log.Warn("telegram group administrators not fetched", "group", group, "error", err)
		return
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
	if c.forgotten[group] == generation {
		c.lists[group] = adminList{users: users, fetched: time.Now()}
	}
	c.mu.Unlock()
}

func isAdminStatus(m models.ChatMember) bool {
	return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator
}

// forgetGroup drops a group's list: someone was promoted or demoted there,
// or Hearth joined or left it. The next look asks Telegram again.
func (c *adminCache) forgetGroup(group string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.lists, group)
	c.forgotten[group]++
}
