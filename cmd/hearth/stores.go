package main

import (
	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
)

// The chat layer's stores, all persisted by storage.Store: checked here,
// where the two are joined, since storage knows nothing of the chat layer.
var (
	_ bots.Store           = (*storage.Store)(nil)
	_ bots.CoreStore       = (*storage.Store)(nil)
	_ bots.LanguageStore   = (*storage.Store)(nil)
	_ bots.ModerationStore = (*storage.Store)(nil)
	_ bots.CommunityStore  = (*storage.Store)(nil)
)
