package bots

import (
	"context"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
)

// LanguageStore keeps the languages Hearth writes in.
type LanguageStore interface {
	// SetMemberLanguage sets the language a member is written to in; ""
	// goes back to their platform's.
	SetMemberLanguage(ctx context.Context, member community.MemberID, lang string, at time.Time) error
	// SetChatLanguage sets a chat's language, with an audit entry: a
	// group's with its channels (a Discord server's), the staff chat
	// alone; "" goes back to the community's default.
	SetChatLanguage(ctx context.Context, chat community.ChatID, lang string, by community.MemberID, at time.Time) error
}

// defaultLanguage is the /language choice that goes back to the default.
const defaultLanguage = "default"

// language shows or sets the language Hearth writes in: a member's own in
// a private chat, the chat's in a group or the staff chat (staff only).
func (c *Core) language(ctx context.Context, r *Request) (Reply, error) {
	choice := strings.ToLower(r.Arg("language"))
	direct := r.IsDirect()
	if !direct && r.Role < community.RoleStaff && choice != "" {
		return Reply{Text: r.Text("language.staff_only", nil), Ephemeral: true}, nil
	}
	choices := strings.Join(append(c.router.catalog.Languages(), defaultLanguage), ", ")
	if choice == "" {
		id := "language.current_chat"
		if direct {
			id = "language.current_member"
		}
		return Reply{Text: r.Text(id, map[string]any{"Language": c.languageName(r.Lang), "Choices": choices}), Ephemeral: !direct}, nil
	}
	lang := choice
	if choice == defaultLanguage {
		lang = ""
	}
	now := c.router.now()
	var err error
	if direct {
		err = c.store.SetMemberLanguage(ctx, r.Member, lang, now)
	} else {
		err = c.store.SetChatLanguage(ctx, r.ChatID, lang, r.Member, now)
	}
	if err != nil {
		return Reply{}, err
	}
	shown := lang
	if shown == "" {
		shown = c.router.defaultLang
		if l, ok := c.router.catalog.Match(r.From.Language); ok && direct {
			shown = l
		}
	}
	id := "language.set_chat"
	if direct {
		id = "language.set_member"
	}
	return Reply{Text: c.router.catalog.Text(shown, id, map[string]any{"Language": c.languageName(shown)})}, nil
}

// languageName is a language as its speakers write it, with its code:
// "Ελληνικά (el)".
func (c *Core) languageName(lang string) string {
	return c.router.catalog.Text(lang, "language.name", nil) + " (" + lang + ")"
}
