package console_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestDefaultWelcomeDescribesOnlyItsButtons: the default welcome tells
// what the buttons under it do, and names the rules and the shop account
// only when their buttons are there (rules written, linking set up).
func TestDefaultWelcomeDescribesOnlyItsButtons(t *testing.T) {
	cases := []struct {
		name          string
		rules, shop   string
		says, buttons string
		unsaid        []string
	}{
		{"nothing configured", "", "", "The button below lets you ask us a question.", "[1] ❓ Ask a question   (/press N)",
			[]string{"rules", "shop account"}},
		{"rules only", "Be kind.", "", "The buttons below show the rules and let you ask us a question.",
			"[1] 📜 Rules  [2] ❓ Ask a question   (/press N)", []string{"shop account"}},
		{"shop account only", "", "https://tea.example/account", "The buttons below link your shop account and let you ask us a question.",
			"[1] 🔗 Link your shop account  [2] ❓ Ask a question   (/press N)", []string{"rules"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := bots.DefaultCommunityOptions()
			o.Onboarding.Rules, o.Onboarding.ShopAccountURL = c.rules, c.shop
			got := runOnboarding(t, storage.New(storagetest.New(t)), o, "/as zoe\n/group\n/join\n/quit\n")
			expect(t, got, "bot> 👋 Welcome to Tea Lovers, @Zoe!", c.says, c.buttons)
			for _, word := range c.unsaid {
				if strings.Contains(welcomeOf(got), word) {
					t.Errorf("the welcome speaks of the %s, which has no button:\n%s", word, got)
				}
			}
		})
	}
}

// welcomeOf is the welcome's text in a transcript.
func welcomeOf(transcript string) string {
	_, after, _ := strings.Cut(transcript, "bot> 👋")
	text, _, _ := strings.Cut(after, "[1]")
	return text
}
