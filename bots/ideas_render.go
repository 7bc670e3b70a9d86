package bots

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
)

// renderPost posts a new item in each platform's ideas place, or in its
// staff chat where an owner chose none, with the Vote button.
func (f *ideasFeature) renderPost(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[feedback.ItemRef](e)
	if err != nil {
		return nil, err
	}
	it, err := f.board.Item(ctx, p.Item)
	if err != nil {
		return nil, err
	}
	places, err := f.places(ctx)
	if err != nil {
		return nil, err
	}
	var out []outbox.Outgoing
	for _, pl := range places {
		lang := f.router.chatLanguage(pl.Chat)
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: pl.Chat.Platform, ChatID: pl.Chat.PlatformID, ThreadID: pl.Thread, Lang: lang},
			Message: f.postMessage(lang, it)})
	}
	return out, nil
}

// places are where new items go on each platform Hearth runs: the ideas
// place an owner chose, else the staff chat.
func (f *ideasFeature) places(ctx context.Context) ([]feedback.Place, error) {
	chosen, err := f.store.IdeasPlaces(ctx)
	if err != nil {
		return nil, err
	}
	staff, err := f.router.connectedStaffChats(ctx, f.store)
	if err != nil {
		return nil, err
	}
	var out []feedback.Place
	has := map[community.Platform]bool{}
	for _, p := range chosen {
		if _, ok := f.router.adapters[p.Chat.Platform]; ok {
			out, has[p.Chat.Platform] = append(out, p), true
		}
	}
	for _, c := range staff {
		if !has[c.Platform] {
			out = append(out, feedback.Place{Chat: c})
		}
	}
	return out, nil
}

// postMessage is an item as posted: kind, number, title, body, author and
// status, with the Vote button showing the count (none once the item
// takes no more votes).
func (f *ideasFeature) postMessage(lang string, it feedback.Item) outbox.Message {
	cat := f.router.catalog
	author := it.AuthorName
	if it.Author == 0 {
		author = cat.Text(lang, "feedback.former_member", nil)
	}
	text := cat.Text(lang, "ideas.post", map[string]any{"ID": int64(it.ID), "Title": it.Text.Title,
		"Kind": catalog.Raw(cat.Text(lang, "feedback.kind."+string(it.Kind), nil)), "Author": author,
		"Status": catalog.Raw(cat.Text(lang, "feedback.status."+string(it.Status), nil))})
	if it.Text.Body != "" {
		text += "\n\n" + cat.Text(lang, "ideas.post_body", map[string]any{"Body": it.Text.Body})
	}
	if it.Status == feedback.StatusMerged {
		text += "\n" + cat.Text(lang, "ideas.post_merged", map[string]any{"Into": int64(it.MergedInto)})
	}
	m := outbox.Message{Text: text}
	if !it.Status.Closed() {
		m.Buttons = [][]outbox.Button{{{Label: cat.Text(lang, "ideas.button_vote", map[string]any{"Count": it.Votes}),
			Data: fmt.Sprintf("idea:vote:%d", it.ID)}}}
	}
	return m
}

// errPostNotSent asks the dispatcher to try an edit again later: the post
// it edits has not gone out yet.
var errPostNotSent = errors.New("the item's post has not been sent yet")

// renderRefresh edits an item's posts to show its count and status now.
// It takes the due edit first, so that a vote from now on schedules the
// next one.
func (f *ideasFeature) renderRefresh(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	p, err := outbox.Decode[feedback.ItemRef](e)
	if err != nil {
		return nil, err
	}
	if err := f.store.ClaimRefresh(ctx, p.Item, f.now()); err != nil {
		return nil, err
	}
	it, err := f.board.Item(ctx, p.Item)
	if err != nil {
		return nil, err
	}
	posts, err := f.store.ItemPosts(ctx, p.Item)
	if err != nil {
		return nil, err
	}
	var out []outbox.Outgoing
	for _, post := range posts {
		if !post.Sent {
			return nil, fmt.Errorf("edit item %d: %w", p.Item, errPostNotSent)
		}
		if _, ok := f.router.adapters[post.Platform]; !ok || post.MessageID == "" {
			continue
		}
		lang := f.router.chatLanguage(community.Chat{Platform: post.Platform, PlatformID: post.ChatID})
		m := f.postMessage(lang, it)
		m.Edit = true
		out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: post.Platform, ChatID: post.ChatID, ThreadID: post.ThreadID,
			EditID: post.MessageID, Lang: lang}, Message: m})
	}
	return out, nil
}

// renderNotices tells each member of a batch, privately in their
// language, what became of the items they wrote or voted for: one
// message listing every change since they were last told.
func (f *ideasFeature) renderNotices(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	notices, err := f.store.NoticesOf(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	var out []outbox.Outgoing
	for start := 0; start < len(notices); {
		end := start
		for end < len(notices) && notices[end].Member == notices[start].Member {
			end++
		}
		msgs, err := f.noticeMessages(ctx, notices[start:end])
		if err != nil {
			return nil, err
		}
		out, start = append(out, msgs...), end
	}
	return out, nil
}

// noticeMessages writes one member's notices on every platform Hearth
// may write to them on.
func (f *ideasFeature) noticeMessages(ctx context.Context, notices []feedback.Notice) ([]outbox.Outgoing, error) {
	m, err := f.store.Member(ctx, notices[0].Member)
	if err != nil {
		return nil, err
	}
	return f.router.privately(ctx, m, time.Time{}, func(lang string) outbox.Message {
		return outbox.Message{Text: f.noticeText(lang, notices)}
	})
}

// noticeText lists a member's changes: each item with its new status and
// the staff's comment.
func (f *ideasFeature) noticeText(lang string, notices []feedback.Notice) string {
	cat := f.router.catalog
	lines := []string{cat.Count(lang, "ideas.notice_title", len(notices), map[string]any{"Community": f.community})}
	for _, n := range notices {
		line := cat.Text(lang, "ideas.notice_line", map[string]any{"ID": int64(n.Item), "Title": n.Title,
			"Status": catalog.Raw(cat.Text(lang, "feedback.status."+string(n.To), nil))})
		if n.To == feedback.StatusMerged {
			line = cat.Text(lang, "ideas.notice_merged", map[string]any{"ID": int64(n.Item), "Title": n.Title, "Into": int64(n.Into)})
		}
		if n.Comment != "" {
			line += "\n" + cat.Text(lang, "ideas.notice_comment", map[string]any{"Comment": n.Comment})
		}
		lines = append(lines, "", line)
	}
	lines = append(lines, "", cat.Text(lang, "ideas.notice_footer", nil))
	return strings.Join(lines, "\n")
}
