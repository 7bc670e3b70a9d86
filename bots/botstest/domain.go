package botstest

import (
	"sync"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/catalog"
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
// community options and clock. Without so.Catalog, it shares the test
// binary's one catalog.
func NewService(so bots.ServiceOptions, setup Setup) (*bots.Service, error) {
	parts := compose.Parts{Store: so.Store, Rules: so.Community, Name: so.CommunityName, Owners: setup.Owners, Tokens: setup.Tokens, Now: so.Now, Log: so.Log}
	so.Domain = parts.Domain
	if so.Catalog == nil {
		cat, err := Catalog()
		if err != nil {
			return nil, err
		}
		so.Catalog = cat
	}
	return bots.NewService(so)
}

// Catalog returns the embedded message files, loaded once per test binary:
// loading them is most of the CPU a test's start takes under -race, and a
// catalog is read-only.
var Catalog = sync.OnceValues(catalog.New)
