package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/support"
)

// ticketsShown is how many open tickets /tickets lists.
const ticketsShown = 10

// tickets lists the open questions in the desk's queue order (the most
// valuable members first), with a button per ticket to mark it answered.
func (f *supportFeature) tickets(ctx context.Context, r *Request) (Reply, error) {
	return f.ticketList(ctx, r, false)
}

func (f *supportFeature) ticketList(ctx context.Context, r *Request, edit bool) (Reply, error) {
	list, err := f.desk.Queue(ctx, 0, ticketsShown)
	if err != nil {
		return Reply{}, err
	}
	if len(list) == 0 {
		return Reply{Text: r.Text("tickets.none", nil), Edit: edit}, nil
	}
	lines := []string{r.Text("tickets.title", nil)}
	var row []Button
	var rows [][]Button
	for _, t := range list {
		lines = append(lines, f.ticketLine(r.Lang, t))
		row = append(row, Button{Label: r.Text("tickets.button.close", map[string]any{"ID": t.ID}), Data: fmt.Sprintf("tickets:close:%d", t.ID)})
		if len(row) == 5 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return Reply{Text: strings.Join(lines, "\n"), Buttons: rows, Edit: edit}, nil
}

// ticketLine is one open ticket: number, urgency, who, when it is due,
// who has it and the start of the question.
func (f *supportFeature) ticketLine(lang string, t support.Ticket) string {
	cat := f.router.catalog
	return cat.Text(lang, "tickets.line", map[string]any{"ID": t.ID, "Name": t.Name,
		"Urgency": catalog.Raw(cat.Text(lang, "tickets.urgency."+string(t.Urgency), nil)),
		"Due":     catalog.Raw(f.dueText(lang, t)), "Assignee": t.AssigneeName, "Text": excerpt(t.Text, 100)})
}

// ticketButton marks a ticket answered: from the /tickets list (the list
// is shown again without it) or from the question's alert (the alert says
// who answered it).
func (f *supportFeature) ticketButton(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	if len(parts) != 3 {
		return Reply{}, badButton(r.Data)
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return Reply{}, badButton(r.Data)
	}
	t, err := f.desk.Close(ctx, id, r.Member, "")
	if err != nil {
		return Reply{}, err
	}
	switch parts[1] {
	case "close":
		return f.ticketList(ctx, r, true)
	case "answered":
		asker, err := f.profiles.ProfileOrUnknown(ctx, t.Member)
		if err != nil {
			return Reply{}, err
		}
		text := f.questionText(r.Lang, t.Question(), asker) + "\n\n" +
			r.Text("tickets.answered_by", map[string]any{"Name": displayName(r.From)})
		return Reply{Text: text, Edit: true}, nil
	}
	return Reply{}, badButton(r.Data)
}
