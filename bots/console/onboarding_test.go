package console_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// runOnboarding pipes script through the console with the community
// options o and returns the transcript.
func runOnboarding(t *testing.T, store *storage.Store, o bots.CommunityOptions, script string) string {
	t.Helper()
	_, out := scripted(t, bots.ServiceOptions{Store: store, Community: o}, script, "")
	return out.String()
}

// onboardingScript has the owner set up the staff room; zoe then joins the
// group, is welcomed and presses each of the welcome's buttons, asks a
// question, and takes the tour after /start in a private chat.
const onboardingScript = `/as owner
/staffchat
/setstaff
/as zoe
/group
/join
/press 1
/press 2
/press 3
Do you have green tea samplers?
/as owner
/staffchat
/tickets
/press 1
/tickets
/as zoe
/group
/rules
/dm
/start
/press 1
/press 1
/quit
`

// TestOnboardingInTheConsole: /join makes the speaker a newcomer whom the
// group welcomes with Rules, Link and Ask buttons that work in the
// console; the question reaches the staff room with the member's tier.
func TestOnboardingInTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	o := bots.DefaultCommunityOptions()
	o.Onboarding.Rules = "Be *kind*. Share your tea photos."
	o.Onboarding.ShopAccountURL = "https://tea.example/account"
	transcript := runOnboarding(t, store, o, onboardingScript)
	expect(t, transcript,
		"(Zoe joined the group.)",
		"bot> 👋 Welcome to Tea Lovers, @Zoe!",
		"[1] 📜 Rules  [2] 🔗 Link your shop account  [3] ❓ Ask a question",
		"bot (only you see this)> The rules of Tea Lovers\n    Be kind. Share your tea photos.",
		"(That button opens https://tea.example/account)",
		"bot> Ask the team",
		"bot → staff room> ❓ Question #1 from Zoe (console, Tea Lovers)",
		"bot> Open questions, the most urgent first, then the soonest due:\n    • #1 ⚪ low Zoe · due in 8 hours: Do you have green tea samplers?\n    [1] ✅ #1",
		"bot (edited)> No open questions. 🎉",
		"Tier: Newcomer, priority 0 of 100",
		"    Do you have green tea samplers?",
		"bot (only you see this)> Thank you, Zoe! Your question is with the team",
		"Getting started, 1 of 4",
		"bot (edited)> Getting started, 2 of 4",
		"[1] ‹ Back  [2] Next ›  [3] 🛍 Open your shop account",
		"bot (edited)> Getting started, 1 of 4")
	var welcomed int
	if err := store.DB().Get(&welcomed, `SELECT count(*) FROM audit_log WHERE action = 'onboarding.welcomed'`); err != nil || welcomed != 1 {
		t.Errorf("welcomes audited: %d, %v; want 1", welcomed, err)
	}
}

// captchaScript has zoe join with the captcha on: bob may not press her
// button; she may, and is then welcomed.
const captchaScript = `/as zoe
/join
/as bob
/press 1
/as zoe
/press 1
/quit
`

// TestCaptchaInTheConsole: the console shows what Hearth does on the
// platform: the newcomer muted, then unmuted and the captcha deleted.
func TestCaptchaInTheConsole(t *testing.T) {
	o := bots.DefaultCommunityOptions()
	o.Onboarding.Captcha = true
	transcript := runOnboarding(t, storage.New(storagetest.New(t)), o, captchaScript)
	expect(t, transcript,
		"· Hearth muted Zoe in the group for 15m",
		"bot> Welcome, @Zoe! Please press the button below within 5 minutes",
		"bob> /press 1\nbot (only you see this)> This button is for Zoe.",
		"zoe> /press 1\n· Hearth unmuted Zoe in the group\n· Hearth deleted a message in the group",
		"bot> 👋 Welcome to Tea Lovers, @Zoe!")
}

// expect fails the test for each of lines the transcript lacks.
func expect(t *testing.T, transcript string, lines ...string) {
	t.Helper()
	for _, want := range lines {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q:\n%s", want, transcript)
		}
	}
}

// TestCommandDuringAFormRunsInstead: with the Ask a question form waiting
// for zoe's answer, a command she types runs (and the form is dropped)
// instead of being filed as her question; no ticket is opened.
func TestCommandDuringAFormRunsInstead(t *testing.T) {
	store := storage.New(storagetest.New(t))
	got := runOnboarding(t, store, bots.DefaultCommunityOptions(), strings.Join([]string{
		"/as owner", "/staffchat", "/setstaff", "/as zoe", "/group", "/join", "/press 1", "/help", "/quit"}, "\n")+"\n")
	for _, want := range []string{"zoe> /help\n  (Form cancelled.)\nbot (only you see this)> Tea Lovers: commands you can use here"} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	var tickets int
	if err := store.DB().Get(&tickets, `SELECT count(*) FROM tickets`); err != nil || tickets != 0 {
		t.Errorf("%d tickets, %v; want none: the command is no question", tickets, err)
	}
}
