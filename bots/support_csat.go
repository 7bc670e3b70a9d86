package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// CSAT: when a ticket closes, its member is asked privately how satisfied
// they are (1-5 buttons), and may add a comment. The buttons and the
// form belong to /ask: "ask:csat:<ticket>:<score>", "ask:comment:<ticket>".

// renderClosed closes the ticket's threads and asks its member for their
// CSAT.
func (f *supportFeature) renderClosed(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	c, err := outbox.Decode[support.Closed](e)
	if err != nil {
		return nil, err
	}
	f.syncThreads(ctx, c.Ticket)
	m, err := f.store.Member(ctx, c.Member)
	if err != nil {
		return nil, err
	}
	return f.router.privately(ctx, m, time.Time{}, func(lang string) outbox.Message {
		cat := f.router.catalog
		row := make([]Button, 0, 5)
		for score := 1; score <= 5; score++ {
			row = append(row, Button{Label: cat.Text(lang, fmt.Sprintf("csat.button.%d", score), nil), Data: fmt.Sprintf("ask:csat:%d:%d", c.Ticket, score)})
		}
		return Reply{Text: cat.Text(lang, "csat.ask", map[string]any{"ID": c.Ticket, "Text": excerpt(c.Text, 200)}), Buttons: [][]Button{row}}
	})
}

// csatButton answers a press of a score ("csat") or of Add a comment
// ("comment"); parts are the button's data split at ":".
func (f *supportFeature) csatButton(ctx context.Context, r *Request, parts []string) (Reply, error) {
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return Reply{}, badButton(r.Data)
	}
	switch {
	case parts[1] == "csat" && len(parts) == 4:
		score, err := strconv.Atoi(parts[3])
		if err != nil {
			return Reply{}, badButton(r.Data)
		}
		t, err := f.desk.Rate(ctx, id, r.Member, score)
		if err != nil {
			return Reply{}, err
		}
		return Reply{Text: r.Text("csat.thanks", map[string]any{"ID": t.ID, "Score": t.CSAT}), Edit: true,
			Buttons: [][]Button{{{Label: r.Text("csat.button.comment", nil), Data: fmt.Sprintf("ask:comment:%d", t.ID)}}}}, nil
	case parts[1] == "comment" && len(parts) == 3:
		return Reply{Form: &Form{ID: fmt.Sprintf("ask:comment:%d", id), Title: r.Text("csat.form_title", map[string]any{"ID": id}),
			Fields: []FormField{{ID: "comment", Label: r.Text("csat.form_field", nil), Long: true, Required: true}}}}, nil
	}
	return Reply{}, badButton(r.Data)
}

// csatForm saves the comment of the form "ask:comment:<ticket>".
func (f *supportFeature) csatForm(ctx context.Context, r *Request) (Reply, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Data, "ask:comment:"), 10, 64)
	if err != nil || id <= 0 {
		return Reply{}, badButton(r.Data)
	}
	if _, err := f.desk.Comment(ctx, id, r.Member, r.Fields["comment"]); err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("csat.comment_thanks", nil)}, nil
}

// renderReopened reopens a ticket's threads; it sends nothing.
func (f *supportFeature) renderReopened(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	r, err := outbox.Decode[support.Reopened](e)
	if err != nil {
		return nil, err
	}
	f.syncThreads(ctx, r.Ticket)
	return nil, nil
}
