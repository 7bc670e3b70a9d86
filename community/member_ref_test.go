package community

import "testing"

func TestParseMemberRef(t *testing.T) {
	for in, want := range map[string]MemberRef{
		"@ann":                 {Username: "ann", Text: "@ann"},
		"ann":                  {Username: "ann", Text: "ann"},
		" 12345 ":              {UserID: "12345", Text: "12345"},
		"<@42>":                {UserID: "42", Text: "<@42>"},
		"<@!42>":               {UserID: "42", Text: "<@!42>"},
		"<@ann>":               {Username: "<@ann>", Text: "<@ann>"}, // not a mention: no id inside
		"-100":                 {Username: "-100", Text: "-100"},     // a group, not a user
		"99999999999999999999": {Username: "99999999999999999999", Text: "99999999999999999999"},
	} {
		if got := ParseMemberRef(in); got != want {
			t.Errorf("ParseMemberRef(%q) = %+v, want %+v", in, got, want)
		}
	}
}
