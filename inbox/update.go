package inbox

import (
	"strings"
	"unicode/utf8"

	"github.com/hearthbot/hearth/community"
)

// Chat is where an update happened.
type Chat struct {
	ID    string // the platform's chat id (a Discord channel)
	Kind  community.ChatKind
	Title string
	// GroupID is the group a channel belongs to (its Discord server); ""
	// when the chat is itself the group or a direct conversation.
	GroupID    string
	GroupTitle string
}

// User is a platform user as the update describes them.
type User struct {
	ID          string
	Username    string
	DisplayName string
	Language    string // the platform's language code, such as "en" or "pt-BR"
	IsBot       bool
}

// Account returns the user's platform account.
func (u User) Account(p community.Platform) community.Account {
	return community.Account{Platform: p, UserID: u.ID}
}

// CleanText returns the user with every text PostgreSQL can store.
func (u User) CleanText() User {
	return User{ID: CleanText(u.ID), Username: CleanText(u.Username), DisplayName: CleanText(u.DisplayName), Language: CleanText(u.Language), IsBot: u.IsBot}
}

// CleanText returns s as PostgreSQL's text can hold it: NUL bytes
// removed, invalid UTF-8 replaced.
func CleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
