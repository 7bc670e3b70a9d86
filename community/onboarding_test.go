package community

import (
	"strings"
	"testing"
)

// TestCheckWelcomeTemplate: a welcome text may use the known variables
// only, each closed, and must be a few words that fit; the errors name
// what is wrong and where.
func TestCheckWelcomeTemplate(t *testing.T) {
	ok := map[string]string{
		"  Welcome, {name}!  ":                         "Welcome, {name}!",
		"Hi {name}, welcome to {group} of {community}": "Hi {name}, welcome to {group} of {community}",
		"No variables at all":                          "No variables at all",
	}
	for in, want := range ok {
		if got, err := CheckWelcomeTemplate(in); err != nil || got != want {
			t.Errorf("CheckWelcomeTemplate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []struct {
		in, key string
		data    map[string]any
	}{
		{"   ", "onboarding.welcome_empty", nil},
		{strings.Repeat("é", MaxWelcome+1), "onboarding.welcome_too_long", map[string]any{"Length": MaxWelcome + 1}},
		{"Hi {nmae}!", "onboarding.welcome_variable", map[string]any{"Variable": "{nmae}"}},
		{"Hi {Name}!", "onboarding.welcome_variable", map[string]any{"Variable": "{Name}"}},
		{"Hi {name!", "onboarding.welcome_brace", map[string]any{"Position": 4}},
		{"Hi {na{name}", "onboarding.welcome_brace", map[string]any{"Position": 4}},
		{"Ψ name} here", "onboarding.welcome_brace", map[string]any{"Position": 7}},
	}
	for _, tc := range bad {
		_, err := CheckWelcomeTemplate(tc.in)
		e, isDomain := err.(*Error)
		if !isDomain || e.Code != EInvalid || e.Key != tc.key {
			t.Errorf("CheckWelcomeTemplate(%q) = %v; want %s", tc.in, err, tc.key)
			continue
		}
		for k, v := range tc.data {
			if e.Data[k] != v {
				t.Errorf("CheckWelcomeTemplate(%q): %s = %v, want %v", tc.in, k, e.Data[k], v)
			}
		}
	}
}

// TestFillWelcome puts each value in place once, whatever the values hold.
func TestFillWelcome(t *testing.T) {
	got := FillWelcome("{name} joined {group} ({community}); hi {name}", map[string]string{
		"name": "{group}", "group": "Tea Room", "community": "Tea Lovers"})
	if want := "{group} joined Tea Room (Tea Lovers); hi {group}"; got != want {
		t.Errorf("FillWelcome = %q, want %q", got, want)
	}
}
