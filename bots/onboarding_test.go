package bots

import (
	"testing"

	"github.com/hearthbot/hearth/bots/catalog"
	"github.com/hearthbot/hearth/community"
)

// TestCheckMarkup: staff's markup passes when it shows as written, and
// each way it would not is named with the character where it happens.
func TestCheckMarkup(t *testing.T) {
	for _, ok := range []string{
		"*Welcome*, {name}!", "*bold _and italic_*", "a \\* star and a \\_ line", "`code` and [our shop](https://shop.example/a_b)",
		"[the *rules*](http://x.example)", "snake\\_case",
	} {
		if err := CheckMarkup(ok); err != nil {
			t.Errorf("CheckMarkup(%q) = %v (%v); want no problem", ok, err.Key, err.Data)
		}
	}
	for _, tc := range []struct {
		in, key string
		pos     int
	}{
		{"*Welcome, {name}!", "onboarding.markup_unclosed", 1},
		{"Hi _there", "onboarding.markup_unclosed", 4},
		{"Hi `code", "onboarding.markup_unclosed", 4},
		{"*bold _both* italic_", "onboarding.markup_overlap", 12},
		{"see [the shop] now", "onboarding.markup_bracket", 5},
		{"see the shop] now", "onboarding.markup_bracket", 13},
		{"[shop](ftp://x)", "onboarding.markup_link", 1},
		{"[shop](https://x y)", "onboarding.markup_link", 1},
		{"Hi [{name}](https://x.example)", "onboarding.markup_name_inside", 4},
		{"Hi `{name}`", "onboarding.markup_name_inside", 4},
		{"ΑΒ snake_case", "onboarding.markup_unclosed", 9},
	} {
		err := CheckMarkup(tc.in)
		if err == nil || err.Key != tc.key || err.Data["Position"] != tc.pos || err.Code != community.EInvalid {
			t.Errorf("CheckMarkup(%q) = %v; want %s at %d", tc.in, err, tc.key, tc.pos)
		}
	}
}

// TestDefaultWelcomesAreValidTemplates: the catalog's welcome in every
// language, with each description of its buttons, passes the checks
// staff's texts must pass.
func TestDefaultWelcomesAreValidTemplates(t *testing.T) {
	cat, err := catalog.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Languages() {
		for _, buttons := range []string{"all", "rules", "link", "ask"} {
			text := cat.Text(lang, "onboarding.welcome_default", nil) + "\n" + cat.Text(lang, "onboarding.welcome_buttons_"+buttons, nil)
			if _, err := community.CheckWelcomeTemplate(text); err != nil {
				t.Errorf("%s with %s buttons: %v", lang, buttons, err)
			}
			if err := CheckMarkup(text); err != nil {
				t.Errorf("%s with %s buttons: %s at %v", lang, buttons, err.Key, err.Data["Position"])
			}
		}
	}
}
