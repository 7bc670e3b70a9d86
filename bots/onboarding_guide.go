package bots

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// tourSteps are the getting-started tour's pages, in order.
var tourSteps = []string{"onboarding.tour_what", "onboarding.tour_link", "onboarding.tour_commands", "onboarding.tour_help"}

// rules shows the community's rules, to the caller only where the platform
// can: /rules and the welcome's Rules button.
func (f *onboardingFeature) rules(_ context.Context, r *Request) (Reply, error) {
	data := map[string]any{"Community": f.community}
	if strings.TrimSpace(f.o.Rules) == "" {
		return Reply{Text: r.Text("onboarding.no_rules", data), Ephemeral: true}, nil
	}
	return Reply{Text: r.Text("onboarding.rules_title", data) + "\n" + f.o.Rules, Ephemeral: true}, nil
}

// guide starts the getting-started tour in a private chat, and points to
// the private chat elsewhere.
func (f *onboardingFeature) guide(_ context.Context, r *Request) (Reply, error) {
	if !r.IsDirect() {
		return Reply{Text: r.Text("onboarding.tour_in_private", nil), Ephemeral: true}, nil
	}
	return f.tourStep(r, 1), nil
}

// afterStart follows the /start greeting in a private chat with the tour's
// first page.
func (f *onboardingFeature) afterStart(r *Request, greeting Reply) Reply {
	first := f.tourStep(r, 1)
	greeting.Text += "\n\n" + first.Text
	greeting.Buttons = append(greeting.Buttons, first.Buttons...)
	return greeting
}

// tourStep is page n (from 1) of the tour, with Back and Next buttons that
// turn the page in place.
func (f *onboardingFeature) tourStep(r *Request, n int) Reply {
	data := map[string]any{"Community": f.community}
	text := r.Text("onboarding.tour_step", map[string]any{"N": n, "Total": len(tourSteps)}) + "\n" + r.Text(tourSteps[n-1], data)
	var row []Button
	if n > 1 {
		row = append(row, Button{Label: r.Text("onboarding.button_back", nil), Data: fmt.Sprintf("guide:step:%d", n-1)})
	}
	if n < len(tourSteps) {
		row = append(row, Button{Label: r.Text("onboarding.button_next", nil), Data: fmt.Sprintf("guide:step:%d", n+1)})
	}
	rows := [][]Button{row}
	switch tourSteps[n-1] {
	case "onboarding.tour_link":
		text += "\n" + f.linkHow(r)
		if f.o.ShopAccountURL != "" {
			rows = append(rows, []Button{{Label: r.Text("onboarding.button_shop", nil), URL: f.o.ShopAccountURL}})
		}
	case "onboarding.tour_help":
		rows = append(rows, []Button{{Label: r.Text("onboarding.button_ask", nil), Data: "guide:ask"}})
	}
	return Reply{Text: text, Buttons: rows}
}

// linkHow explains how a member links their shop account on the platform
// they are on.
func (f *onboardingFeature) linkHow(r *Request) string {
	if !f.linking {
		if f.o.ShopAccountURL != "" {
			return r.Text("onboarding.link_how_other", nil)
		}
		return r.Text("onboarding.link_off", map[string]any{"Community": f.community})
	}
	switch r.Platform {
	case community.Telegram:
		return r.Text("onboarding.link_how_telegram", nil)
	case community.Discord:
		return r.Text("onboarding.link_how_discord", nil)
	default:
		return r.Text("onboarding.link_how_other", nil)
	}
}

// guideButton answers the tour's and the welcome's buttons: a tour page,
// how linking works, the question form, and the captcha's "I'm human".
func (f *onboardingFeature) guideButton(ctx context.Context, r *Request) (Reply, error) {
	action, arg, _ := strings.Cut(strings.TrimPrefix(r.Data, "guide:"), ":")
	switch action {
	case "step":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > len(tourSteps) {
			return Reply{}, fmt.Errorf("tour button %q: no such page", r.Data)
		}
		reply := f.tourStep(r, n)
		reply.Edit = true
		return reply, nil
	case "link":
		return Reply{Text: f.linkHow(r), Ephemeral: true}, nil
	case "ask":
		return Reply{Form: &Form{ID: "guide:ask", Title: r.Text("onboarding.ask_title", nil), Fields: []FormField{{
			ID: "question", Label: r.Text("onboarding.ask_field", nil), Placeholder: r.Text("onboarding.ask_placeholder", nil),
			Long: true, Required: true}}}}, nil
	case "human":
		return f.human(ctx, r, arg)
	}
	return Reply{}, fmt.Errorf("unknown guide button %q", r.Data)
}

// askForm passes a member's question on to the staff chats and thanks
// them; with no staff chat to hear it, the member is told so.
func (f *onboardingFeature) askForm(ctx context.Context, r *Request) (Reply, error) {
	chats, err := f.router.connectedStaffChats(ctx, f.store)
	if err != nil {
		return Reply{}, err
	}
	if len(chats) == 0 {
		return Reply{Text: r.Text("onboarding.ask_nobody", nil), Ephemeral: true}, nil
	}
	where := ""
	if !r.IsDirect() {
		where = strings.TrimSpace(r.Update.Chat.GroupTitle + " " + r.Update.Chat.Title)
	}
	q := community.Question{Member: r.Member, Name: displayName(r.From), Platform: r.Platform, Where: where, Text: r.Fields["question"]}
	if err := f.onboarding.Ask(ctx, q); err != nil {
		return Reply{}, err
	}
	f.wake()
	return Reply{Text: r.Text("onboarding.ask_sent", map[string]any{"Name": q.Name}), Ephemeral: true}, nil
}

// renderQuestion shows a member's question in every staff chat, with who
// asked: their accounts, tier and priority, so that staff answer the
// most valuable members first.
func (f *onboardingFeature) renderQuestion(ctx context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
	var q community.Question
	if err := json.Unmarshal(e.Payload, &q); err != nil {
		return nil, outbox.Permanent(fmt.Errorf("question event %d: %w", e.ID, err))
	}
	st, err := f.standings.Standing(ctx, q.Member)
	if err != nil {
		return nil, err
	}
	m, err := f.store.Member(ctx, q.Member)
	if err != nil && community.ErrorCode(err) != community.ENotFound {
		return nil, err
	}
	return f.router.staffMessages(ctx, f.store, func(lang string) (Reply, error) {
		reply := Reply{Text: f.questionText(lang, q, st, accounts(m))}
		if q.Ticket != 0 {
			reply.Buttons = [][]Button{{{Label: f.router.catalog.Text(lang, "tickets.button.answered", nil), Data: fmt.Sprintf("tickets:answered:%d", q.Ticket)}}}
		}
		return reply, nil
	})
}

func (f *onboardingFeature) questionText(lang string, q community.Question, st community.MemberStanding, accounts string) string {
	cat := f.router.catalog
	where := cat.Text(lang, "onboarding.private_chat", nil)
	if q.Where != "" {
		where = q.Where
	}
	text := cat.Text(lang, "onboarding.question_staff", map[string]any{"Ticket": q.Ticket, "Name": q.Name, "Platform": platformName(q.Platform),
		"Where": where, "Accounts": accounts, "Tier": catalog.Raw(cat.Text(lang, "tier."+st.Tier.String(), nil)),
		"Priority": int(math.Round(st.Priority))})
	if st.Flags.Has(community.FlagVerifiedBuyer) {
		text += "\n" + cat.Text(lang, "onboarding.question_buyer", nil)
	}
	if st.Flags.Has(community.FlagAtRiskVIP) {
		text += "\n" + cat.Text(lang, "onboarding.question_at_risk", nil)
	}
	return text + "\n\n" + cat.Text(lang, "onboarding.question_text", map[string]any{"Question": q.Text})
}
