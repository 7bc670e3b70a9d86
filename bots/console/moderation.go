package console

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/bots"
)

var (
	_ bots.Moderator       = (*Console)(nil)
	_ bots.SanctionChecker = (*Console)(nil)
)

// Mute implements bots.Moderator: the console has no members to silence,
// so it says what Hearth would do, such as "· Hearth muted Bob in the
// group for 1h", and remembers the mute as a platform would.
func (c *Console) Mute(_ context.Context, group, userID string, until time.Time) error {
	c.remember("mute", group, userID, until, true)
	c.act("muted %s in %s %s", capitalize(userID), c.groupName(group), c.lasting(until, "until unmuted"))
	return nil
}

// Unmute implements bots.Moderator.
func (c *Console) Unmute(_ context.Context, group, userID string) error {
	c.remember("mute", group, userID, time.Time{}, false)
	c.act("unmuted %s in %s", capitalize(userID), c.groupName(group))
	return nil
}

// Ban implements bots.Moderator.
func (c *Console) Ban(_ context.Context, group, userID string, until time.Time) error {
	c.remember("ban", group, userID, until, true)
	c.act("banned %s from %s %s", capitalize(userID), c.groupName(group), c.lasting(until, "for good"))
	return nil
}

// Unban implements bots.Moderator.
func (c *Console) Unban(_ context.Context, group, userID string) error {
	c.remember("ban", group, userID, time.Time{}, false)
	c.act("unbanned %s from %s", capitalize(userID), c.groupName(group))
	return nil
}

// IsMuted implements bots.SanctionChecker.
func (c *Console) IsMuted(_ context.Context, group, userID string) (bool, error) {
	return c.inForce("mute", group, userID), nil
}

// IsBanned implements bots.SanctionChecker.
func (c *Console) IsBanned(_ context.Context, group, userID string) (bool, error) {
	return c.inForce("ban", group, userID), nil
}

// remember records a mute or ban until a time (zero: no end), or forgets
// it.
func (c *Console) remember(kind, group, userID string, until time.Time, in bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sanctions == nil {
		c.sanctions = map[string]time.Time{}
	}
	key := kind + "\x00" + group + "\x00" + userID
	if in {
		c.sanctions[key] = until
	} else {
		delete(c.sanctions, key)
	}
}

// inForce reports whether a mute or ban is in force now.
func (c *Console) inForce(kind, group, userID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.sanctions[kind+"\x00"+group+"\x00"+userID]
	return ok && (until.IsZero() || until.After(c.o.Now()))
}

// Kick implements bots.Moderator.
func (c *Console) Kick(_ context.Context, group, userID string) error {
	c.act("removed %s from %s", capitalize(userID), c.groupName(group))
	return nil
}

// DeleteMessages implements bots.Moderator.
func (c *Console) DeleteMessages(_ context.Context, chatID string, messageIDs []string) error {
	if len(messageIDs) == 1 {
		c.act("deleted a message in %s", c.groupName(chatID))
	} else {
		c.act("deleted %d messages in %s", len(messageIDs), c.groupName(chatID))
	}
	return nil
}

// act prints what Hearth did on the platform, as a line of the transcript.
func (c *Console) act(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.line("· Hearth " + fmt.Sprintf(format, args...))
}

// groupName names a chat: "the group", "the staff room".
func (c *Console) groupName(chat string) string {
	switch chat {
	case groupChat:
		return "the group"
	case staffRoom:
		return "the staff room"
	}
	return chat
}

// lasting says how long from now a sanction lasts, to the minute.
func (c *Console) lasting(until time.Time, forever string) string {
	if until.IsZero() {
		return forever
	}
	d := until.Sub(c.o.Now()).Round(time.Minute)
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("for %dd", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("for %dh", d/time.Hour)
	}
	return fmt.Sprintf("for %dm", d/time.Minute)
}
