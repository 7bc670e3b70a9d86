package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// A member's question reaches the knowledge base from any plain message
// they send Hearth privately, or from /ask anywhere. What comes back is
// the one answer that surely fits, with "That solved it" and "Talk to a
// person"; up to a few entries that may, as buttons; or a ticket for a
// person to answer. The buttons' data is "ask:<what>:<question>".

// inspectQuestion flags a member's plain message to Hearth in a private
// chat, text or files: a question, or more on their ticket (commands and
// answers to a form's prompt never come here as plain messages).
func (f *supportFeature) inspectQuestion(u Update) bool {
	return u.Kind == KindMessage && u.IsDirect() && u.Command == "" && !u.From.IsBot && (strings.TrimSpace(u.Text) != "" || len(u.Media) > 0)
}

// directQuestion answers a question sent privately, or adds the message
// to the member's ticket when they have one open (see memberMessage). The
// knowledge base reads words only: files sent with no ticket to add them
// to are not kept, and the member is told so.
func (f *supportFeature) directQuestion(ctx context.Context, r *Request) ([]outbox.Outgoing, error) {
	if r.Member == 0 {
		return nil, nil
	}
	if out, relayed, err := f.memberMessage(ctx, r); relayed || err != nil {
		return out, err
	}
	reply := Reply{Text: r.Text("kb.files_unread", nil)}
	if strings.TrimSpace(r.Update.Text) != "" {
		var err error
		if reply, err = f.answerQuestion(ctx, r, r.Update.Text); err != nil {
			reply = f.router.failure(ctx, r, err)
		} else if len(r.Update.Media) > 0 {
			reply.Text = r.Text("kb.files_unread", nil) + "\n\n" + reply.Text
		}
	}
	return []outbox.Outgoing{{Target: replyTarget(r, reply), Message: reply}}, nil
}

// askCommand is /ask question: the same as a private message, answered
// where only the member sees it: privately, where a group cannot show a
// message to one member; in a group, through a link to the private chat
// when Hearth may not write to them there yet (Telegram), or in a private
// thread of the channel (Discord).
func (f *supportFeature) askCommand(ctx context.Context, r *Request) (Reply, error) {
	question := strings.TrimSpace(r.Arg("question"))
	if question == "" && r.ReplyTo != nil && r.ReplyTo.From.ID == r.From.ID {
		question = r.ReplyTo.Text // /ask in reply to one's own message
	}
	if question == "" {
		return Reply{Text: r.Text("kb.ask_how", nil), Ephemeral: true}, nil
	}
	if reply, ok, err := f.askElsewhere(ctx, r, question); ok || err != nil {
		return reply, err
	}
	reply, err := f.answerQuestion(ctx, r, question)
	if err != nil {
		return Reply{}, err
	}
	reply.Ephemeral, reply.Privately = true, true
	return reply, nil
}

// answerQuestion asks the knowledge base, in the member's language and
// then the community's, and shows what came of it.
func (f *supportFeature) answerQuestion(ctx context.Context, r *Request, question string) (Reply, error) {
	asking, err := f.askKB(ctx, r, question)
	if err != nil {
		return Reply{}, err
	}
	return f.showAsking(r, asking), nil
}

// askKB asks the knowledge base, in the member's language and then the
// community's; a ticket it opens wakes the dispatcher for staff's card.
func (f *supportFeature) askKB(ctx context.Context, r *Request, question string) (support.Asking, error) {
	where := ""
	if !r.IsDirect() {
		where = strings.TrimSpace(r.Update.Chat.GroupTitle + " " + r.Update.Chat.Title)
	}
	asking, err := f.kb.Ask(ctx, support.AskInput{
		Question: support.Question{Member: r.Member, Name: displayName(r.From), Platform: r.Platform, Where: where, Text: question},
		Langs:    []string{r.Lang, f.router.DefaultLanguage()}})
	if err == nil && asking.Asked.Action == support.ActionEscalate {
		f.wake() // the ticket's card for staff
	}
	return asking, err
}

// showAsking shows what came of a question: the answer, the suggestions
// (with Talk to a person), or the ticket it opened.
func (f *supportFeature) showAsking(r *Request, asking support.Asking) Reply {
	id := asking.Asked.ID
	switch asking.Asked.Action {
	case support.ActionAnswer:
		return f.entryReply(r, id, asking.Shown[0].Entry)
	case support.ActionSuggest:
		rows := make([][]Button, 0, len(asking.Shown)+1)
		for _, h := range asking.Shown {
			rows = append(rows, []Button{{Label: excerpt(h.Entry.Question, outbox.MaxButtonLabel), Data: fmt.Sprintf("ask:pick:%d:%d", id, h.Entry.ID)}})
		}
		rows = append(rows, []Button{f.personButton(r, id)})
		return Reply{Text: r.Text("kb.suggestions", nil), Buttons: rows}
	}
	return f.escalatedReply(r, asking.Ticket)
}

// escalatedReply tells a member their question is with the team as a
// ticket, and where and when a person will answer: staff's replies reach
// them privately, so outside their private chat with Hearth (a help
// place, their thread) they are told so.
func (f *supportFeature) escalatedReply(r *Request, t support.Ticket) Reply {
	key := "kb.escalated"
	if !r.IsDirect() {
		key = "help.escalated"
	}
	return Reply{Text: r.Text(key, map[string]any{"Name": r.From.DisplayName, "Ticket": t.ID, "Within": catalog.Raw(f.answerWithin(r.Lang, t))})}
}

// entryReply shows an entry's answer with "That solved it" and "Talk to a
// person".
func (f *supportFeature) entryReply(r *Request, asked int64, e support.Entry) Reply {
	text := r.Text("kb.answer", map[string]any{"Question": e.Question, "Answer": catalog.Raw(e.Answer)})
	return Reply{Text: text, Buttons: [][]Button{{
		{Label: r.Text("kb.button.solved", nil), Data: fmt.Sprintf("ask:ok:%d", asked)},
		f.personButton(r, asked)}}}
}

func (f *supportFeature) personButton(r *Request, asked int64) Button {
	return Button{Label: r.Text("kb.button.person", nil), Data: fmt.Sprintf("ask:person:%d", asked)}
}

// askButton answers the buttons under an answer or the suggestions:
// ok (that solved it), person (talk to a person), pick (a suggestion).
func (f *supportFeature) askButton(ctx context.Context, r *Request) (Reply, error) {
	parts := strings.Split(r.Data, ":")
	if len(parts) < 3 {
		return Reply{}, badButton(r.Data)
	}
	if parts[1] == "csat" || parts[1] == "comment" {
		return f.csatButton(ctx, r, parts)
	}
	asked, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || asked <= 0 {
		return Reply{}, badButton(r.Data)
	}
	switch {
	case parts[1] == "ok" && len(parts) == 3:
		if _, err := f.kb.Solved(ctx, asked, r.Member); err != nil {
			return Reply{}, err
		}
		return Reply{Text: r.Text("kb.solved", nil), Edit: true}, nil
	case parts[1] == "person" && len(parts) == 3:
		_, t, err := f.kb.Escalate(ctx, asked, r.Member, displayName(r.From))
		if err != nil {
			return Reply{}, err
		}
		f.wake()
		reply := f.escalatedReply(r, t)
		reply.Edit = true
		return reply, nil
	case parts[1] == "pick" && len(parts) == 4:
		entry, err := strconv.ParseInt(parts[3], 10, 64)
		if err != nil || entry <= 0 {
			return Reply{}, badButton(r.Data)
		}
		_, e, err := f.kb.Pick(ctx, asked, r.Member, entry)
		if err != nil {
			return Reply{}, err
		}
		return f.entryReply(r, asked, e), nil
	}
	return Reply{}, badButton(r.Data)
}
