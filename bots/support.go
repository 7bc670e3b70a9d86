package bots

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/support"
)

// supportFeatureStore is what the support feature reads itself; tickets
// go through support.Desk.
type supportFeatureStore interface {
	staffChatLister
	support.ReportStore
	support.RelayStore
	ticketThreadStore
	memberThreadStore
	Member(ctx context.Context, id community.MemberID) (community.Member, error)
	// PutMedia keeps a file sent on a ticket.
	PutMedia(ctx context.Context, m *feedback.MediaReader) (feedback.Media, error)
}

// supportFeature takes members' questions to staff as tickets (from the
// "Ask a question" button onboarding offers), shows every question in the
// staff chats, lets staff work through the open tickets (/tickets) and
// lets members thank a helpful answer (/helpful).
type supportFeature struct {
	store     supportFeatureStore
	helpIndex *helpIndex
	desk      *support.Desk
	kb        *support.KnowledgeBase
	help      *support.HelpPlaces
	profiles  *community.Profiles
	router    *Router
	wake      func()
	now       func() time.Time
}

func newSupportFeature(store supportFeatureStore, now func() time.Time, d Domain) *supportFeature {
	return &supportFeature{store: store, now: now, desk: d.Desk, kb: d.KB, help: d.HelpPlaces, profiles: d.Profiles}
}

// Register adds /helpful (listed after /top) and /tickets (after /guide),
// and the renderer that shows questions to staff. It runs after the
// standings and onboarding features have registered theirs.
func (f *supportFeature) Register(router *Router, dispatcher *Dispatcher) {
	f.router, f.wake = router, dispatcher.Wake
	reg := router.Registry()
	reg.AddAfter("top", Command{Name: "helpful", Permission: community.RoleMember, Where: InGroup, Run: f.helpful, MessageMenu: true,
		Args: []Arg{{Name: "message", Kind: ArgWord}}})
	reg.AddAfter("guide", Command{Name: "ask", Permission: community.RoleMember, Where: Anywhere, Run: f.askCommand, Button: f.askButton, Form: f.csatForm,
		Args: []Arg{{Name: "question", Kind: ArgText}}})
	reg.AddAfter("ask", Command{Name: "tickets", Permission: community.RoleStaff, Where: InStaffChat | InDirect, Run: f.tickets, Button: f.ticketButton})
	reg.AddAfter("tickets", Command{Name: "faq", Permission: community.RoleStaff, Where: InStaffChat | InDirect, Run: f.faq, Button: f.faqButton,
		Form: f.faqForm, Args: []Arg{{Name: "action", Kind: ArgChoice, Choices: []string{"list", "show", "add", "edit", "del"}},
			{Name: "id", Kind: ArgWord}}})
	f.registerDesk(reg)
	f.registerHelp(router, reg)
	router.Inspect("question", f.inspectQuestion, f.directQuestion)
	router.Inspect("ticket_reply", f.inspectStaffReply, f.staffReply)
	router.Inspect("ticket_thread", f.inspectThreadMessage, f.threadMessage)
	dispatcher.Render(support.EventQuestionAsked, f.renderQuestion)
	dispatcher.Render(support.EventSLAAlert, f.renderAlert)
	dispatcher.Render(support.EventTicketClosed, f.renderClosed)
	dispatcher.Render(support.EventTicketReopened, f.renderReopened)
	dispatcher.Render(support.EventRelayToStaff, f.renderToStaff)
	dispatcher.Render(support.EventRelayToMember, f.renderToMember)
	dispatcher.Render(support.EventRelayUndelivered, f.renderUndelivered)
}

// askForm is the question form the "Ask a question" button opens; its
// answer comes back to ask, through the feature that showed the button.
func (f *supportFeature) askForm(r *Request, id string) Reply {
	return Reply{Form: &Form{ID: id, Title: r.Text("support.ask_title", nil), Fields: []FormField{{
		ID: "question", Label: r.Text("support.ask_field", nil), Placeholder: r.Text("support.ask_placeholder", nil),
		Long: true, Required: true}}}}
}

// ask opens a ticket for a member's question, which goes to the staff
// chats, and thanks them; with no staff chat to hear it, the member is
// told so.
func (f *supportFeature) ask(ctx context.Context, r *Request) (Reply, error) {
	chats, err := f.router.connectedStaffChats(ctx, f.store)
	if err != nil {
		return Reply{}, err
	}
	if len(chats) == 0 {
		return Reply{Text: r.Text("support.ask_nobody", nil), Ephemeral: true}, nil
	}
	where := ""
	if !r.IsDirect() {
		where = strings.TrimSpace(r.Update.Chat.GroupTitle + " " + r.Update.Chat.Title)
	}
	q := support.Question{Member: r.Member, Name: displayName(r.From), Platform: r.Platform, Where: where, Text: r.Fields["question"]}
	t, err := f.desk.Open(ctx, q)
	if err != nil {
		return Reply{}, err
	}
	f.wake()
	return Reply{Text: r.Text("support.ask_sent", map[string]any{"Name": q.Name, "Ticket": t.ID, "Within": catalog.Raw(f.answerWithin(r.Lang, t))}), Ephemeral: true}, nil
}

// renderQuestion shows a member's question in every staff chat, with who
// asked: their accounts, tier and priority, so that staff answer the
// most valuable members first.
func (f *supportFeature) renderQuestion(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	q, err := outbox.Decode[support.Question](e)
	if err != nil {
		return nil, err
	}
	asker, err := f.profiles.ProfileOrUnknown(ctx, q.Member)
	if err != nil {
		return nil, err
	}
	if q.Ticket == 0 { // a question from before tickets: no thread
		return f.router.staffMessages(ctx, f.store, func(lang string) (Reply, error) { return Reply{Text: f.questionText(lang, q, asker)}, nil })
	}
	name := func(lang string) string { return f.threadName(lang, q.Ticket, q.Name, q.Tier, string(q.Urgency)) }
	return f.ticketStaffMessages(ctx, q.Ticket, name, func(lang string) (Reply, error) {
		reply := Reply{Text: f.questionText(lang, q, asker)}
		if q.Ticket != 0 {
			reply.Buttons = [][]Button{{{Label: f.router.catalog.Text(lang, "tickets.button.answered", nil), Data: fmt.Sprintf("tickets:answered:%d", q.Ticket)}}}
		}
		return reply, nil
	})
}

// questionText shows a question with who asked it, from their profile.
func (f *supportFeature) questionText(lang string, q support.Question, asker community.Profile) string {
	st := asker.Standing
	cat := f.router.catalog
	where := cat.Text(lang, "onboarding.private_chat", nil)
	if q.Where != "" {
		where = q.Where
	}
	text := cat.Text(lang, "support.question_staff", map[string]any{"Ticket": q.Ticket, "Name": q.Name, "Platform": platformName(q.Platform),
		"Where": where, "Accounts": accounts(asker.Member), "Tier": catalog.Raw(cat.Text(lang, "tier."+st.Tier.String(), nil)),
		"Priority": int(math.Round(st.Priority))})
	if q.Urgency != "" && !q.FirstResponseDue.IsZero() {
		text += "\n" + cat.Text(lang, "support.question_sla", map[string]any{
			"Urgency": catalog.Raw(cat.Text(lang, "tickets.urgency."+string(q.Urgency), nil)),
			"Due":     catalog.Raw(f.dueText(lang, support.Ticket{FirstResponseDue: q.FirstResponseDue}))})
	}
	if st.Flags.Has(community.FlagVerifiedBuyer) {
		text += "\n" + cat.Text(lang, "support.question_buyer", nil)
	}
	if st.Flags.Has(community.FlagAtRiskVIP) {
		text += "\n" + cat.Text(lang, "support.question_at_risk", nil)
	}
	text += "\n\n" + cat.Text(lang, "support.question_text", map[string]any{"Question": q.Text})
	if q.Ticket != 0 {
		text += "\n\n" + cat.Text(lang, "support.question_reply_hint", nil)
	}
	return text
}

// helpful marks an answer helpful: /helpful in reply to it, on Discord
// the message's menu or /helpful with its link. Who may mark which answer
// is the desk's rule. The thanks are public, so that the community sees
// good answers rewarded.
func (f *supportFeature) helpful(ctx context.Context, r *Request) (Reply, error) {
	var message string
	switch ref := strings.TrimSpace(r.Arg("message")); {
	case r.ReplyTo != nil && r.ReplyTo.From.IsBot:
		return Reply{Text: r.Text("helpful.bot", nil), Ephemeral: true}, nil
	case r.ReplyTo != nil:
		message = r.ReplyTo.ID
	case ref != "":
		id, err := messageRef(r, ref)
		if err != nil {
			return Reply{}, err
		}
		message = id
	default:
		return Reply{Text: r.Text("helpful.how", nil), Ephemeral: true}, nil
	}
	a, err := f.desk.MarkHelpful(ctx, r.ChatID, message, r.Member, r.Role >= community.RoleStaff)
	if err != nil {
		return Reply{}, err
	}
	author, err := f.store.Member(ctx, a.Author)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: r.Text("helpful.marked", map[string]any{"Author": author.DisplayName, "By": r.From.DisplayName})}, nil
}
