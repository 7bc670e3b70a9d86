package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/support"
)

// /faq is how staff keep the knowledge base from the chat: list (in a
// language), show, add, edit and del; files go through hearth kb import
// and export. Its buttons' data is "faq:<what>:...", its forms' ids
// "faq:add" and "faq:edit:<entry>".

// faqShown is how many entries a page of /faq list shows.
const faqShown = 15

func (f *supportFeature) faq(ctx context.Context, r *Request) (Reply, error) {
	arg := strings.TrimSpace(r.Arg("id"))
	switch r.Arg("action") {
	case "", "list":
		return f.faqList(ctx, r, strings.ToLower(arg), 0, false)
	case "add":
		return Reply{Form: f.entryForm(r, "faq:add", r.Text("kb.form.add_title", nil), true)}, nil
	}
	id, err := entryID(arg)
	if err != nil {
		return Reply{}, err
	}
	switch r.Arg("action") {
	case "show":
		return f.faqShow(ctx, r, id, false)
	case "edit":
		if _, err := f.kb.Entry(ctx, id); err != nil {
			return Reply{}, err
		}
		return Reply{Form: f.entryForm(r, fmt.Sprintf("faq:edit:%d", id), r.Text("kb.form.edit_title", map[string]any{"ID": id}), false)}, nil
	default: // del
		return f.faqConfirmDelete(ctx, r, id, false)
	}
}

// entryID reads an entry's number.
func entryID(arg string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, community.Errorf(community.EInvalid, "kb.which", nil, "%q is no entry number", arg)
	}
	return id, nil
}

// entryForm asks for an entry's fields; editing, each may stay empty to
// keep what the entry says.
func (f *supportFeature) entryForm(r *Request, id, title string, adding bool) *Form {
	keep := ""
	if !adding {
		keep = r.Text("kb.form.keep", nil)
	}
	fields := []FormField{
		{ID: "question", Label: r.Text("kb.form.question", nil), Placeholder: keep, Required: adding},
		{ID: "answer", Label: r.Text("kb.form.answer", nil), Placeholder: keep, Long: true, Required: adding},
		{ID: "tags", Label: r.Text("kb.form.tags", nil), Placeholder: cmpOr(keep, r.Text("kb.form.tags_hint", nil))},
	}
	if adding {
		fields = append(fields, FormField{ID: "lang", Label: r.Text("kb.form.lang", nil), Placeholder: f.router.DefaultLanguage()})
	}
	return &Form{ID: id, Title: title, Fields: fields}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// splitTags reads tags written as "a, b, c".
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// faqForm saves what the add or edit form says, and shows the entry.
func (f *supportFeature) faqForm(ctx context.Context, r *Request) (Reply, error) {
	field := func(id string) string { return strings.TrimSpace(r.Fields[id]) }
	if bad := CheckMarkup(field("answer")); bad != nil {
		return Reply{}, bad
	}
	var e support.Entry
	var err error
	switch {
	case r.Data == "faq:add":
		e, _, err = f.kb.Save(ctx, support.Entry{Lang: cmpOr(strings.ToLower(field("lang")), f.router.DefaultLanguage()),
			Question: field("question"), Answer: field("answer"), Tags: splitTags(field("tags"))}, r.Member)
	case strings.HasPrefix(r.Data, "faq:edit:"):
		id, perr := entryID(strings.TrimPrefix(r.Data, "faq:edit:"))
		if perr != nil {
			return Reply{}, badButton(r.Data)
		}
		var c support.EntryChange
		if q := field("question"); q != "" {
			c.Question = &q
		}
		if a := field("answer"); a != "" {
			c.Answer = &a
		}
		if t := field("tags"); t != "" {
			tags := splitTags(t)
			if t == "-" {
				tags = nil // "-" clears the tags
			}
			c.Tags = &tags
		}
		e, err = f.kb.Edit(ctx, id, c, r.Member)
	default:
		return Reply{}, badButton(r.Data)
	}
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("kb.saved", map[string]any{"ID": e.ID}) + "\n\n" + f.entryText(r, e), Buttons: f.entryButtons(r, e.ID)}, nil
}

// faqList shows a page of entries, of one language or all, after an id.
func (f *supportFeature) faqList(ctx context.Context, r *Request, lang string, after int64, edit bool) (Reply, error) {
	entries, err := f.kb.Entries(ctx, lang, after, faqShown+1)
	if err != nil {
		return Reply{}, err
	}
	if len(entries) == 0 && after == 0 {
		return Reply{Text: r.Text("kb.empty", map[string]any{"Lang": lang}), Edit: edit}, nil
	}
	more := len(entries) > faqShown
	entries = entries[:min(len(entries), faqShown)]
	lines := []string{r.Text("kb.list_title", nil)}
	for _, e := range entries {
		lines = append(lines, r.Text("kb.list_line", map[string]any{"ID": e.ID, "Lang": e.Lang, "Question": excerpt(e.Question, 120),
			"Tags": strings.Join(e.Tags, ", ")}))
	}
	reply := Reply{Text: strings.Join(lines, "\n"), Edit: edit}
	if more {
		reply.Buttons = [][]Button{{{Label: r.Text("kb.button.more", nil), Data: fmt.Sprintf("faq:list:%s:%d", lang, entries[len(entries)-1].ID)}}}
	}
	return reply, nil
}

// entryText shows an entry whole: number, language, tags, question and
// answer (the answer's markup rendered as members see it).
func (f *supportFeature) entryText(r *Request, e support.Entry) string {
	return r.Text("kb.entry", map[string]any{"ID": e.ID, "Lang": e.Lang, "Tags": strings.Join(e.Tags, ", "), "Question": e.Question,
		"Answer": catalog.Raw(e.Answer), "Updated": f.router.Date(e.UpdatedAt)})
}

func (f *supportFeature) entryButtons(r *Request, id int64) [][]Button {
	return [][]Button{{{Label: r.Text("kb.button.edit", nil), Data: fmt.Sprintf("faq:edit:%d", id)},
		{Label: r.Text("kb.button.delete", nil), Data: fmt.Sprintf("faq:del:%d", id)}}}
}

func (f *supportFeature) faqShow(ctx context.Context, r *Request, id int64, edit bool) (Reply, error) {
	e, err := f.kb.Entry(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: f.entryText(r, e), Buttons: f.entryButtons(r, id), Edit: edit}, nil
}

// faqConfirmDelete asks before deleting an entry.
func (f *supportFeature) faqConfirmDelete(ctx context.Context, r *Request, id int64, edit bool) (Reply, error) {
	e, err := f.kb.Entry(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("kb.delete_confirm", map[string]any{"ID": id, "Question": e.Question}), Edit: edit,
		Buttons: [][]Button{{{Label: r.Text("kb.button.delete_yes", nil), Data: fmt.Sprintf("faq:delete:%d", id)},
			{Label: r.Text("kb.button.keep", nil), Data: fmt.Sprintf("faq:show:%d", id)}}}}, nil
}

// faqButton answers /faq's buttons: the next page, show, edit (the form),
// del (asks first) and delete (deletes).
func (f *supportFeature) faqButton(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	if len(parts) == 4 && parts[1] == "list" {
		after, err := strconv.ParseInt(parts[3], 10, 64)
		if err != nil || after < 0 {
			return Reply{}, badButton(r.Data)
		}
		return f.faqList(ctx, r, parts[2], after, true)
	}
	if len(parts) != 3 {
		return Reply{}, badButton(r.Data)
	}
	id, err := entryID(parts[2])
	if err != nil {
		return Reply{}, badButton(r.Data)
	}
	switch parts[1] {
	case "show":
		return f.faqShow(ctx, r, id, true)
	case "edit":
		if _, err := f.kb.Entry(ctx, id); err != nil {
			return Reply{}, err
		}
		return Reply{Form: f.entryForm(r, fmt.Sprintf("faq:edit:%d", id), r.Text("kb.form.edit_title", map[string]any{"ID": id}), false)}, nil
	case "del":
		return f.faqConfirmDelete(ctx, r, id, true)
	case "delete":
		e, err := f.kb.Delete(ctx, id, r.Member)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: r.Text("kb.deleted", map[string]any{"ID": id, "Question": e.Question}), Edit: true}, nil
	}
	return Reply{}, badButton(r.Data)
}
