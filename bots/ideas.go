package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
)

// IdeasStore is what the ideas feature reads and writes itself; the
// board's rules go through feedback.Board.
type IdeasStore interface {
	IdeasPlaces(ctx context.Context) ([]feedback.Place, error)
	SetIdeasPlace(ctx context.Context, p feedback.Place, by community.MemberID, at time.Time) error
	ItemPosts(ctx context.Context, id feedback.ItemID) ([]feedback.Post, error)
	ClaimRefresh(ctx context.Context, id feedback.ItemID, at time.Time) error
	NoticesOf(ctx context.Context, event int64) ([]feedback.Notice, error)
}

type ideasFeatureStore interface {
	staffChatLister
	IdeasStore
	Member(ctx context.Context, id community.MemberID) (community.Member, error)
}

// ideasFeature collects members' ideas, bug reports, praise and questions
// (/idea, /feedback), offers look-alikes to vote for instead, posts each
// item with a Vote button in the ideas places (/setideas), lists the board
// (/ideas), lets staff move items through the workflow (/status, /merge)
// and tells authors and voters what became of them.
type ideasFeature struct {
	store     ideasFeatureStore
	board     *feedback.Board
	lister    *feedback.Lister
	router    *Router
	wake      func()
	now       func() time.Time
	location  *time.Location
	community string
}

func newIdeasFeature(store ideasFeatureStore, o CommunityOptions, now func() time.Time, board *feedback.Board, lister *feedback.Lister) *ideasFeature {
	return &ideasFeature{store: store, board: board, lister: lister, now: now, location: o.Location}
}

// Register adds /idea, /feedback, /ideas, /status, /merge and /setideas,
// and the board's renderers.
func (f *ideasFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router, f.wake, f.community = router, dispatcher.Wake, router.community
	reg := router.Registry()
	statuses := []string{"open", "under_review", "planned", "in_progress", "done", "declined"}
	reg.Add(Command{Name: "idea", Permission: community.RoleMember, Where: Anywhere, Run: f.idea, Button: f.button, Form: f.form,
		Args: []Arg{{Name: "text", Kind: ArgText}}})
	reg.Add(Command{Name: "feedback", Permission: community.RoleMember, Where: Anywhere, Run: f.feedback,
		Args: []Arg{{Name: "text", Kind: ArgText}}})
	reg.Add(Command{Name: "ideas", Permission: community.RoleMember, Where: Anywhere, Run: f.ideas, Button: f.ideasButton,
		Args: []Arg{{Name: "view", Kind: ArgChoice, Choices: []string{"top", "new", "mine", "planned", "done", "value"}}}})
	reg.Add(Command{Name: "status", Permission: community.RoleStaff, Where: Anywhere, Run: f.status,
		Args: []Arg{{Name: "item", Kind: ArgNumber, Required: true}, {Name: "status", Kind: ArgChoice, Choices: statuses, Required: true},
			{Name: "comment", Kind: ArgText}}})
	reg.Add(Command{Name: "merge", Permission: community.RoleStaff, Where: Anywhere, Run: f.merge,
		Args: []Arg{{Name: "item", Kind: ArgNumber, Required: true}, {Name: "into", Kind: ArgText, Required: true}}})
	reg.Add(Command{Name: "setideas", Permission: community.RoleOwner, Where: InGroup | InStaffChat, Run: f.setIdeas})
	dispatcher.Render(feedback.EventItemPosted, f.renderPost)
	dispatcher.Render(feedback.EventItemRefresh, f.renderRefresh)
	dispatcher.Render(feedback.EventNotices, f.renderNotices)
}

// idea starts an idea from its text, or asks for the text.
func (f *ideasFeature) idea(ctx context.Context, r *Request) (Reply, error) {
	if text := strings.TrimSpace(r.Arg("text")); text != "" {
		return f.write(ctx, r, feedback.KindIdea, text)
	}
	return f.askText(r, feedback.KindIdea), nil
}

// feedback starts an item of the kind the member names first ("/feedback
// bug the app crashes"), or of a kind they choose with buttons.
func (f *ideasFeature) feedback(ctx context.Context, r *Request) (Reply, error) {
	kind, text := feedbackArgs(r)
	if text == "" {
		return f.askText(r, kind), nil
	}
	return f.write(ctx, r, kind, text)
}

// feedbackArgs reads "[kind] text": the first word is the kind when it
// names one.
func feedbackArgs(r *Request) (feedback.Kind, string) {
	line := strings.TrimSpace(r.Arg("text"))
	first, rest := line, ""
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		first, rest = line[:i], line[i:]
	}
	if kind, ok := feedback.ParseKind(first); ok {
		return kind, strings.TrimSpace(rest)
	}
	return "", line
}

// askText asks for the item's text: a Discord modal; elsewhere a prompt
// the member answers.
func (f *ideasFeature) askText(r *Request, kind feedback.Kind) Reply {
	title := "ideas.form_title"
	if kind != "" {
		title = "ideas.form_title_" + string(kind)
	}
	return Reply{Form: &Form{ID: "idea:write:" + string(kind), Title: r.Text(title, nil), Fields: []FormField{{
		ID: "text", Label: r.Text("ideas.form_field", nil), Placeholder: r.Text("ideas.form_placeholder", nil), Long: true, Required: true}}}}
}

// form receives the text the member was asked for.
func (f *ideasFeature) form(ctx context.Context, r *Request) (Reply, error) {
	kind, ok := strings.CutPrefix(r.Data, "idea:write:")
	if !ok {
		return Reply{}, fmt.Errorf("unknown ideas form %q", r.Data)
	}
	k, _ := feedback.ParseKind(kind)
	return f.write(ctx, r, k, r.Fields["text"])
}

// write keeps what the member wrote as a draft, then asks its kind or
// offers the look-alikes, or posts it when there are none.
func (f *ideasFeature) write(ctx context.Context, r *Request, kind feedback.Kind, text string) (Reply, error) {
	d, err := f.board.Write(ctx, r.Member, kind, text, r.Lang, r.Platform)
	if err != nil {
		return Reply{}, err
	}
	if kind == "" {
		return f.chooseKind(r, d), nil
	}
	return f.offer(ctx, r, d)
}

// chooseKind asks what the draft is, with a button per kind.
func (f *ideasFeature) chooseKind(r *Request, d feedback.Draft) Reply {
	var row []Button
	for _, k := range feedback.Kinds {
		row = append(row, Button{Label: r.Text("feedback.kind_button."+string(k), nil), Data: fmt.Sprintf("idea:kind:%d:%s", d.ID, k)})
	}
	return Reply{Text: r.Text("ideas.choose_kind", map[string]any{"Title": d.Text.Title}), Buttons: [][]Button{row}, Ephemeral: true,
		Edit: r.Kind == KindButton}
}

// offer shows the look-alikes of a draft, each to vote for instead, with
// Post mine anyway; with none, the draft is posted.
func (f *ideasFeature) offer(ctx context.Context, r *Request, d feedback.Draft) (Reply, error) {
	matches, err := f.board.LookAlikes(ctx, d)
	if err != nil {
		return Reply{}, err
	}
	if len(matches) == 0 {
		return f.post(ctx, r, d.ID)
	}
	lines := []string{r.Text("ideas.look_alikes", map[string]any{"Title": d.Text.Title}), ""}
	var rows [][]Button
	for _, m := range matches {
		lines = append(lines, f.itemLine(r.Lang, m.Item))
		rows = append(rows, []Button{{Label: r.Text("ideas.button_vote_instead", map[string]any{"ID": int64(m.Item.ID)}),
			Data: fmt.Sprintf("idea:like:%d:%d", d.ID, m.Item.ID)}})
	}
	rows = append(rows, []Button{{Label: r.Text("ideas.button_post_anyway", nil), Data: fmt.Sprintf("idea:post:%d", d.ID)}})
	return Reply{Text: strings.Join(lines, "\n"), Buttons: rows, Ephemeral: true, Edit: r.Kind == KindButton}, nil
}

// post posts the draft and tells the member where.
func (f *ideasFeature) post(ctx context.Context, r *Request, id feedback.DraftID) (Reply, error) {
	it, err := f.board.Post(ctx, id, r.Member)
	if err != nil {
		return Reply{}, err
	}
	f.wake()
	return Reply{Text: r.Text("ideas.posted", map[string]any{"ID": int64(it.ID), "Title": it.Text.Title,
		"Kind": r.Text("feedback.kind."+string(it.Kind), nil)}), Ephemeral: true, Edit: r.Kind == KindButton}, nil
}

// button answers the board's buttons: a draft's kind, a look-alike
// chosen, Post mine anyway, and an item's Vote.
func (f *ideasFeature) button(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	n := func(i int) int64 {
		if i >= len(parts) {
			return -1
		}
		v, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			return -1
		}
		return v
	}
	switch {
	case len(parts) == 4 && parts[1] == "kind" && n(2) > 0:
		kind, ok := feedback.ParseKind(parts[3])
		if !ok {
			break
		}
		d, err := f.board.ChooseKind(ctx, feedback.DraftID(n(2)), r.Member, kind)
		if err != nil {
			return Reply{}, err
		}
		return f.offer(ctx, r, d)
	case len(parts) == 3 && parts[1] == "post" && n(2) > 0:
		return f.post(ctx, r, feedback.DraftID(n(2)))
	case len(parts) == 4 && parts[1] == "like" && n(2) > 0 && n(3) > 0:
		res, err := f.board.VoteInstead(ctx, feedback.DraftID(n(2)), r.Member, feedback.ItemID(n(3)))
		if err != nil {
			return Reply{}, err
		}
		f.wake()
		return Reply{Text: r.Text("ideas.voted_instead", map[string]any{"ID": n(3), "Count": res.Votes}), Ephemeral: true, Edit: true}, nil
	case len(parts) == 3 && parts[1] == "vote" && n(2) > 0:
		return f.vote(ctx, r, feedback.ItemID(n(2)))
	}
	return Reply{}, badButton(r.Data)
}

// vote records or withdraws the member's vote; the count shown under the
// item's posts follows within a few seconds.
func (f *ideasFeature) vote(ctx context.Context, r *Request, id feedback.ItemID) (Reply, error) {
	res, err := f.board.Vote(ctx, id, r.Member)
	if err != nil {
		return Reply{}, err
	}
	f.wake()
	key := "ideas.voted"
	if !res.Voted {
		key = "ideas.unvoted"
	}
	return Reply{Text: r.Text(key, map[string]any{"ID": int64(id), "Count": res.Votes}), Ephemeral: true}, nil
}
