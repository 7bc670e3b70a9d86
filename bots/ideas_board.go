package bots

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
)

// ideas lists a view of the board, a page at a time.
func (f *ideasFeature) ideas(ctx context.Context, r *Request) (Reply, error) {
	v, ok := feedback.ParseView(r.Arg("view"))
	if !ok {
		return Reply{}, community.Errorf(community.EInvalid, "ideas.bad_view", map[string]any{"View": r.Arg("view")}, "no view %q", r.Arg("view"))
	}
	return f.page(ctx, r, v, 0)
}

// ideasButton turns the page: "ideas:<view>:<page>".
func (f *ideasFeature) ideasButton(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	if len(parts) != 3 {
		return Reply{}, badButton(r.Data)
	}
	v, ok := feedback.ParseView(parts[1])
	n, err := strconv.Atoi(parts[2])
	if !ok || err != nil || n < 0 || n > maxPage {
		return Reply{}, badButton(r.Data)
	}
	return f.page(ctx, r, v, n)
}

// maxPage is the last page a button may ask for: far beyond any board,
// and small enough that its offset is a valid one.
const maxPage = 1_000_000

// page is page n of a view; the value view is staff's only (members never
// see what anyone is worth), refused and audited for anyone else, and
// shown only in the staff chat or a private chat, where no member reads it.
func (f *ideasFeature) page(ctx context.Context, r *Request, v feedback.View, n int) (Reply, error) {
	edit := r.Kind == KindButton
	if v == feedback.ViewValue {
		value := &Command{Name: "ideas value", Permission: community.RoleStaff, Where: InStaffChat | InDirect}
		if r.Role < community.RoleStaff {
			return f.router.refuse(ctx, r, value, community.AuditCommandRefused), nil
		}
		if r.Place()&value.Where == 0 {
			return f.router.wrongPlace(ctx, r, value), nil
		}
		p, err := f.lister.Valued(ctx, n)
		if err != nil {
			return Reply{}, err
		}
		lines := make([]string, len(p.Items))
		for i, it := range p.Items {
			lines[i] = f.valuedLine(r.Lang, it)
		}
		return f.pageReply(r, v, lines, p.Number, p.More, edit), nil
	}
	p, err := f.lister.List(ctx, v, r.Member, n)
	if err != nil {
		return Reply{}, err
	}
	lines := make([]string, len(p.Items))
	for i, it := range p.Items {
		lines[i] = f.itemLine(r.Lang, it)
	}
	return f.pageReply(r, v, lines, p.Number, p.More, edit), nil
}

// pageReply is a page of a view with Previous and Next buttons where
// there are more.
func (f *ideasFeature) pageReply(r *Request, v feedback.View, lines []string, n int, more, edit bool) Reply {
	if len(lines) == 0 && n == 0 {
		return Reply{Text: r.Text("ideas.none_"+string(v), nil), Edit: edit}
	}
	head := r.Text("ideas.title_"+string(v), map[string]any{"Page": n + 1})
	var row []Button
	if n > 0 {
		row = append(row, Button{Label: r.Text("ideas.button_previous", nil), Data: fmt.Sprintf("ideas:%s:%d", v, n-1)})
	}
	if more {
		row = append(row, Button{Label: r.Text("ideas.button_next", nil), Data: fmt.Sprintf("ideas:%s:%d", v, n+1)})
	}
	// A member's own list, with its buttons, is theirs alone where the
	// platform can whisper (someone else's Next would turn it into theirs).
	reply := Reply{Text: head + "\n\n" + strings.Join(lines, "\n"), Edit: edit, Ephemeral: v == feedback.ViewMine}
	if len(row) > 0 {
		reply.Buttons = [][]Button{row}
	}
	return reply
}

// itemLine is an item on one line: number, title, votes and status.
func (f *ideasFeature) itemLine(lang string, it feedback.Item) string {
	cat := f.router.catalog
	return cat.Count(lang, "ideas.line", it.Votes, map[string]any{"ID": int64(it.ID), "Title": excerpt(it.Text.Title, 80),
		"Kind":   catalog.Raw(cat.Text(lang, "feedback.kind."+string(it.Kind), nil)),
		"Status": catalog.Raw(cat.Text(lang, "feedback.status."+string(it.Status), nil))})
}

// valuedLine is an item with what its voters are worth, for staff.
func (f *ideasFeature) valuedLine(lang string, it feedback.ValuedItem) string {
	return f.router.catalog.Count(lang, "ideas.value_line", it.Votes, map[string]any{"ID": int64(it.ID), "Title": excerpt(it.Text.Title, 60),
		"Value": int64(math.Round(it.Value)), "VIPs": it.VIPs, "Revenue": int64(math.Round(it.Revenue))})
}

// status moves an item through the workflow (staff): "/status 12 planned
// coming in spring".
func (f *ideasFeature) status(ctx context.Context, r *Request) (Reply, error) {
	id, _ := strconv.ParseInt(r.Arg("item"), 10, 64)
	to, ok := feedback.ParseStatus(r.Arg("status"))
	if !ok {
		return Reply{}, community.Errorf(community.EInvalid, "ideas.bad_status_name", map[string]any{"Status": r.Arg("status")},
			"no status %q", r.Arg("status"))
	}
	c, err := f.board.Move(ctx, feedback.ItemID(id), to, r.Arg("comment"), r.Member)
	if err != nil {
		return Reply{}, err
	}
	f.wake()
	return Reply{Text: r.Count("ideas.status_changed", c.Told, map[string]any{"ID": id,
		"Status": catalog.Raw(r.Text("feedback.status."+string(c.To), nil))})}, nil
}

// merge merges an item into another (staff): "/merge 12 into 7".
func (f *ideasFeature) merge(ctx context.Context, r *Request) (Reply, error) {
	id, _ := strconv.ParseInt(r.Arg("item"), 10, 64)
	rest := strings.TrimSpace(r.Arg("into"))
	if word, after, ok := strings.Cut(rest, " "); ok && strings.EqualFold(word, "into") {
		rest = strings.TrimSpace(after)
	}
	into, err := strconv.ParseInt(strings.TrimPrefix(rest, "#"), 10, 64)
	if err != nil || into <= 0 {
		return Reply{}, community.Errorf(community.EInvalid, "ideas.merge_usage", nil, "merge into %q", rest)
	}
	c, err := f.board.Merge(ctx, feedback.ItemID(id), feedback.ItemID(into), r.Member)
	if err != nil {
		return Reply{}, err
	}
	f.wake()
	return Reply{Text: r.Count("ideas.merged", c.Told, map[string]any{"ID": id, "Into": into})}, nil
}

// setIdeas makes this chat (or forum topic, or thread) the place where
// this platform's new items are posted (owners).
func (f *ideasFeature) setIdeas(ctx context.Context, r *Request) (Reply, error) {
	place := feedback.Place{Chat: r.CommunityChat(), Thread: r.Update.ThreadID}
	if err := f.store.SetIdeasPlace(ctx, place, r.Member, f.now()); err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("ideas.place_set", map[string]any{"Platform": platformName(r.Platform)})}, nil
}
