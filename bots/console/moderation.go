package console

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/bots"
)

var _ bots.Moderator = (*Console)(nil)

// Mute implements bots.Moderator: the console has no members to silence,
// so it says what Hearth would do, such as "· Hearth muted Bob in the
// group for 1h".
func (c *Console) Mute(_ context.Context, group, userID string, until time.Time) error {
	c.act("muted %s in %s %s", capitalize(userID), c.groupName(group), c.lasting(until, "until unmuted"))
	return nil
}

// Unmute implements bots.Moderator.
func (c *Console) Unmute(_ context.Context, group, userID string) error {
	c.act("unmuted %s in %s", capitalize(userID), c.groupName(group))
	return nil
}

// Ban implements bots.Moderator.
func (c *Console) Ban(_ context.Context, group, userID string, until time.Time) error {
	c.act("banned %s from %s %s", capitalize(userID), c.groupName(group), c.lasting(until, "for good"))
	return nil
}

// Unban implements bots.Moderator.
func (c *Console) Unban(_ context.Context, group, userID string) error {
	c.act("unbanned %s from %s", capitalize(userID), c.groupName(group))
	return nil
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
