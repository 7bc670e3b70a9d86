package inbox

import "testing"

func TestCleanTextKeepsWhatPostgreSQLCanStore(t *testing.T) {
	for in, want := range map[string]string{
		"hello":        "hello",
		"a\x00b":       "ab",
		"bad\xffbyte":  "bad\uFFFDbyte",
		"\x00\xfe\x00": "\uFFFD",
		"Καλημέρα":     "Καλημέρα",
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
	u := User{ID: "1\x00", Username: "ann\xff", DisplayName: "A\x00nn", Language: "el", IsBot: true}.CleanText()
	if u != (User{ID: "1", Username: "ann\uFFFD", DisplayName: "Ann", Language: "el", IsBot: true}) {
		t.Errorf("User.CleanText = %+v", u)
	}
	if a := u.Account("telegram"); a.Platform != "telegram" || a.UserID != "1" {
		t.Errorf("Account = %+v", a)
	}
}
