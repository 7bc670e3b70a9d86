package bots

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// A question asked with /ask in a group continues where only its member
// sees it. On Telegram, Hearth may not write privately to a member who
// never started it: the group gets a button that opens the private chat
// with /start ask-<question>, and there the member sees what came of the
// question (the question is asked, and recorded, in the group). On
// Discord, Hearth opens a private thread of the channel with the member
// in it; their messages there are private messages to Hearth, and only
// theirs are.

// askStartPrefix starts the /start code of a question continued
// privately. A shop link code never starts so: it is base64 of a version
// byte below 0x68.
const askStartPrefix = "ask-"

// askElsewhere continues /ask in a group where only the member sees the
// answer, when Hearth cannot answer them privately from here: false when
// the reply may go as any /ask's does.
func (f *supportFeature) askElsewhere(ctx context.Context, r *Request, question string) (Reply, bool, error) {
	if r.IsDirect() {
		return Reply{}, false, nil
	}
	if threads, ok := f.router.PrivateThreads(r.Platform); ok && r.ThreadID == "" {
		return f.askInThread(ctx, r, threads, question)
	}
	links, ok := f.router.StartLinks(r.Platform)
	if !ok || r.Handle != "" {
		return Reply{}, false, nil
	}
	if may, err := f.router.MayWritePrivately(ctx, r.Account()); err != nil || may {
		return Reply{}, false, err
	}
	asking, err := f.askKB(ctx, r, question)
	if err != nil {
		return Reply{}, false, err
	}
	link, ok := links.StartLink(askStartPrefix + strconv.FormatInt(asking.Asked.ID, 10))
	if !ok {
		return Reply{}, false, nil
	}
	return Reply{Text: r.Text("kb.continue_privately", map[string]any{"Name": r.From.DisplayName}),
		Buttons: [][]Button{{{Label: r.Text("kb.button.continue", nil), URL: link}}}}, true, nil
}

// askInThread answers /ask in a private thread of the channel, opened for
// the member; the command's own reply (seen by them only) points there.
// Where the channel takes no private thread, the answer is shown in place.
func (f *supportFeature) askInThread(ctx context.Context, r *Request, threads PrivateThreads, question string) (Reply, bool, error) {
	name := excerpt("❓ "+displayName(r.From)+": "+question, maxThreadName)
	thread, link, ok, err := threads.OpenPrivateThread(ctx, r.Update.Chat.ID, name, r.From.ID)
	if err != nil || !ok {
		if err != nil {
			f.router.log.Warn("open a member's private thread", "platform", r.Platform, "chat", r.Update.Chat.ID, "error", err)
		}
		return Reply{}, false, nil
	}
	if err := f.store.SaveMemberThread(ctx, r.Platform, r.Update.Chat.ID, thread, r.Member, f.now()); err != nil {
		return Reply{}, false, err
	}
	f.helpIndex.refresh(ctx, true)
	answer, err := f.answerQuestion(ctx, r, question)
	if err != nil {
		return Reply{}, false, err
	}
	answer.Text = r.Text("kb.thread_intro", map[string]any{"Name": r.From.DisplayName, "Question": question}) + "\n\n" + answer.Text
	r.Also(outbox.Outgoing{Target: outbox.Target{Platform: r.Platform, ChatID: r.Update.Chat.ID, ThreadID: thread, Lang: r.Lang}, Message: answer})
	return Reply{Text: r.Text("kb.thread_opened", map[string]any{"Link": link}), Ephemeral: true,
		Buttons: [][]Button{{{Label: r.Text("kb.button.thread", nil), URL: link}}}}, true, nil
}

// startQuestion is /start ask-<question> from the link a group showed:
// what came of the member's question, with its buttons. Another member's
// question is refused and audited; a code Hearth did not write is
// refused.
func (f *supportFeature) startQuestion(ctx context.Context, r *Request, code string) (Reply, bool, error) {
	rest, ok := strings.CutPrefix(code, askStartPrefix)
	if !ok {
		return Reply{}, false, nil
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return Reply{Text: r.Text("kb.start_unknown", nil)}, true, nil
	}
	asking, err := f.kb.Resume(ctx, id, r.Member)
	switch community.ErrorCode(err) {
	case "":
	case community.ENotFound:
		return Reply{Text: r.Text("kb.start_unknown", nil)}, true, nil
	case community.EForbidden:
		if err := f.router.store.Audit(ctx, community.AuditEntry{At: f.now(), Actor: r.Member, Action: AuditQuestionRefused, Chat: r.ChatID,
			Details: map[string]any{"question": id, "platform": string(r.Platform)}}); err != nil {
			return Reply{}, true, err
		}
		return Reply{Text: r.Text("kb.not_yours", nil)}, true, nil
	default:
		return Reply{}, true, err
	}
	if asking.Asked.Action == support.ActionEscalate {
		if asking.Ticket, err = f.store.Ticket(ctx, asking.Ticket.ID); err != nil {
			return Reply{}, true, err
		}
	}
	return f.showAsking(r, asking), true, nil
}

// AuditQuestionRefused is the audit action of a member opening another
// member's question through its link.
const AuditQuestionRefused = "kb.question_refused"

// memberThreadStore keeps the private threads Hearth opened for members'
// questions.
type memberThreadStore interface {
	SaveMemberThread(ctx context.Context, platform community.Platform, chat, thread string, member community.MemberID, at time.Time) error
	MemberThread(ctx context.Context, platform community.Platform, thread string) (community.MemberID, bool, error)
	// MemberThreads lists every member's thread.
	MemberThreads(ctx context.Context) ([]support.Thread, error)
}
