package botstest

import (
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/cmd/hearth/compose"
	"github.com/hearthbot/hearth/community"
)

// Setup is what a test's chat layer is made of, besides its options: the
// owners, and the link tokens (nil: no linking).
type Setup struct {
	Owners []community.Account
	Tokens *community.LinkTokens
}

// NewService builds the chat layer for a test with its domain services
// made by compose, as the hearth command makes them, from so's store,
// community options and clock.
func NewService(so bots.ServiceOptions, setup Setup) (*bots.Service, error) {
	parts := compose.Parts{Store: so.Store, Rules: so.Community, Name: so.CommunityName, Owners: setup.Owners, Tokens: setup.Tokens, Now: so.Now, Log: so.Log}
	so.Domain = parts.Domain
	return bots.NewService(so)
}
