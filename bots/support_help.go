package bots

import (
	"context"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// Help places: an owner marks a group, a Telegram forum topic or a
// Discord channel with /sethelp, and a member's plain message there (not
// a command, not a reply to someone else, not staff's) is a question to
// the knowledge base, answered in place. The same hook answers a member's
// messages in the private thread /ask opened for them (see
// support_continue.go).

// registerHelp adds /sethelp (after /faq) and the hook of help places and
// members' threads.
func (f *supportFeature) registerHelp(router *Router, reg *Registry) {
	reg.AddAfter("faq", Command{Name: "sethelp", Permission: community.RoleOwner, Where: InGroup | InDirect, Run: f.setHelp,
		Args: []Arg{{Name: "action", Kind: ArgChoice, Choices: []string{"off", "list"}}}})
	f.helpIndex = &helpIndex{load: f.loadHelpIndex, now: f.now, log: func(err error) { router.log.Error("help places", "error", err) }}
	router.Inspect("help_place", f.inspectHelpMessage, f.helpMessage)
}

// loadHelpIndex reads the help places and the members' threads.
func (f *supportFeature) loadHelpIndex(ctx context.Context) (map[string]bool, error) {
	places, err := f.help.List(ctx)
	if err != nil {
		return nil, err
	}
	threads, err := f.store.MemberThreads(ctx)
	if err != nil {
		return nil, err
	}
	keys := make(map[string]bool, len(places)+len(threads))
	for _, p := range places {
		keys[helpKey(p.Platform, p.Chat, p.Thread)] = true
	}
	for _, t := range threads {
		keys[memberThreadKey(t.Platform, t.ID)] = true
	}
	return keys, nil
}

// setHelp is /sethelp [off|list]: marks where it is used as a help place
// (off: no longer), then lists the help places; in a private chat it
// only lists them.
func (f *supportFeature) setHelp(ctx context.Context, r *Request) (Reply, error) {
	var done string
	switch action := r.Arg("action"); {
	case r.IsDirect() || action == "list":
	case action == "off":
		if err := f.help.Unmark(ctx, helpPlaceOf(r), r.Member, r.ChatID); err != nil {
			return Reply{}, err
		}
		done = r.Text("help.unmarked", nil)
	default:
		if _, err := f.help.Mark(ctx, helpPlaceOf(r), r.Member, r.ChatID); err != nil {
			return Reply{}, err
		}
		done = r.Text("help.marked", nil)
	}
	if done != "" {
		f.helpIndex.refresh(ctx, true)
	}
	places, err := f.help.List(ctx)
	if err != nil {
		return Reply{}, err
	}
	text := r.Text("help.none", nil)
	if len(places) > 0 {
		lines := []string{r.Text("help.list_title", nil)}
		for _, p := range places {
			lines = append(lines, r.Text("help.list_line", map[string]any{"Platform": platformName(p.Platform), "Title": p.Title,
				"Topic": catalog.Raw(f.topicNote(r, p))}))
		}
		text = strings.Join(lines, "\n")
	}
	if done != "" {
		text = done + "\n\n" + text
	}
	return Reply{Text: text}, nil
}

// topicNote names a place's forum topic, if it is one.
func (f *supportFeature) topicNote(r *Request, p support.HelpPlace) string {
	if p.Thread == "" {
		return ""
	}
	return r.Text("help.topic", map[string]any{"Topic": p.Thread})
}

// helpPlaceOf is the place a request was made in: its chat, and the
// forum topic when it is in one (a Discord thread is a chat of its own).
func helpPlaceOf(r *Request) support.HelpPlace {
	thread := r.ThreadID
	if thread == r.Update.Chat.ID {
		thread = ""
	}
	return support.HelpPlace{Platform: r.Platform, Chat: r.Update.Chat.ID, Thread: thread,
		Title: strings.TrimSpace(r.Update.Chat.GroupTitle + " " + r.Update.Chat.Title)}
}

// inspectHelpMessage flags a member's plain message in a help place
// or a member's private thread, as the index knows them, that replies to
// nobody else. Whose thread it is, and whether the place is still one,
// is the database's to say.
func (f *supportFeature) inspectHelpMessage(u Update) bool {
	return u.Kind == KindMessage && !u.IsDirect() && u.Command == "" && !u.From.IsBot && (strings.TrimSpace(u.Text) != "" || len(u.Media) > 0) &&
		(u.ReplyTo == nil || u.ReplyTo.From.IsBot || u.ReplyTo.From.ID == u.From.ID) && f.helpIndex.covers(u)
}

// helpMessage answers a member's message in their private thread as a
// private message, and one in a help place as a question, in place.
// Others writing in a member's thread, and staff in a help place, are
// left alone.
func (f *supportFeature) helpMessage(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	if r.Member == 0 || r.InStaffChat || r.outside {
		return nil, nil
	}
	if r.ThreadID != "" {
		owner, ok, err := f.store.MemberThread(ctx, r.Platform, r.ThreadID)
		if err != nil {
			return nil, Retry(err)
		}
		if ok && owner == r.Member {
			return f.directQuestion(ctx, r)
		}
		if ok {
			return nil, nil
		}
	}
	if strings.TrimSpace(r.Update.Text) == "" {
		return nil, nil // a file alone is no question
	}
	p := helpPlaceOf(r)
	covered, err := f.help.Covers(ctx, p.Platform, p.Chat, p.Thread)
	if err != nil || !covered {
		return nil, Retry(err)
	}
	role, err := f.router.access.RoleOf(ctx, r.Account(), r.Member)
	if err != nil || role >= community.RoleStaff {
		return nil, Retry(err)
	}
	reply, err := f.answerQuestion(ctx, r, r.Update.Text)
	if err != nil {
		reply = f.router.failure(ctx, r, err)
	}
	return []outbox.Outgoing{{Target: replyTarget(r, reply), Message: reply}}, nil
}
