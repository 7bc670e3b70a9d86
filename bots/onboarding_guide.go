package bots

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hearthbot/hearth/community"
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
// how linking works, the question form (whose answer goes to the support
// feature), and the captcha's "I'm human".
func (f *onboardingFeature) guideButton(ctx context.Context, r *Request) (Reply, error) {
	action, arg, _ := strings.Cut(strings.TrimPrefix(r.Data, "guide:"), ":")
	switch action {
	case "step":
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > len(tourSteps) {
			return Reply{}, badButton(r.Data)
		}
		reply := f.tourStep(r, n)
		reply.Edit = true
		return reply, nil
	case "link":
		return Reply{Text: f.linkHow(r), Ephemeral: true}, nil
	case "ask":
		return f.questions.askForm(r, "guide:ask"), nil
	case "human":
		return f.human(ctx, r, arg)
	}
	return Reply{}, badButton(r.Data)
}
