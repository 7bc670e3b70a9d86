package bots

import (
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
)

// The chat layer speaks the outbox's and the inbox's contracts; these
// names keep the features' code short.
type (
	// Reply is a message Hearth sends: the outbox's stable schema.
	Reply     = outbox.Message
	Button    = outbox.Button
	Image     = outbox.Image
	File      = outbox.File
	Form      = outbox.Form
	FormField = outbox.FormField

	// User and Chat are who and where an update came from.
	User = inbox.User
	Chat = inbox.Chat
)
