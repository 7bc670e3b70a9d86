package community

import (
	"context"
	"errors"
)

// privateChats is an in-memory PrivateChats: the accounts with an open
// private chat; asked counts the questions, err fails them.
type privateChats struct {
	open  map[Account]bool
	asked int
	err   error
}

func (c *privateChats) PrivateChatOpen(_ context.Context, acct Account) (bool, error) {
	c.asked++
	return c.open[acct], c.err
}

var errStore = errors.New("store down")
