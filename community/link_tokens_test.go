package community

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

const linkSecret = "0123456789abcdef0123456789abcdef"

// TestLinkTokensNeedASecretAndALifetime: a short secret or a lifetime
// that is not positive is refused.
func TestLinkTokensNeedASecretAndALifetime(t *testing.T) {
	if _, err := NewLinkTokens(linkSecret[:MinLinkSecret-1], time.Hour, time.Now); err == nil {
		t.Error("a short secret was accepted")
	}
	if _, err := NewLinkTokens(linkSecret, 0, time.Now); err == nil {
		t.Error("a lifetime of 0 was accepted")
	}
}

// TestLinkTokensRoundTripAndRefuseTheRest: a token carries its customer
// id until it expires, fits a Telegram deep link, and is refused when
// forged, malformed, too long or expired; ids that cannot fit are refused
// when issuing.
func TestLinkTokensRoundTripAndRefuseTheRest(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tokens, err := NewLinkTokens(linkSecret, time.Hour, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	longest := strings.Repeat("c", MaxLinkCustomerID)
	token, expires, err := tokens.Issue(longest)
	if err != nil || len(token) > MaxLinkTokenLen || !expires.Equal(now.Add(time.Hour)) {
		t.Fatalf("issue: %q (%d characters) until %v, %v", token, len(token), expires, err)
	}
	if id, err := tokens.Verify(token); err != nil || id != longest {
		t.Errorf("verify: %q, %v", id, err)
	}
	for _, id := range []string{"", longest + "c"} {
		if _, _, err := tokens.Issue(id); err == nil {
			t.Errorf("issued a token for a customer id of %d bytes", len(id))
		}
	}
	other, _ := NewLinkTokens(strings.ToUpper(linkSecret), time.Hour, func() time.Time { return now })
	forged, _, _ := other.Issue("c1")
	raw, _ := base64.RawURLEncoding.DecodeString(forged)
	raw[0] = 2
	for name, bad := range map[string]string{
		"forged": forged, "not base64": "!!", "too short": "AAAA", "too long": strings.Repeat("A", MaxLinkTokenLen+1),
		"another version": base64.RawURLEncoding.EncodeToString(raw),
	} {
		if _, err := tokens.Verify(bad); err == nil || err.(*Error).Key != "link.invalid" {
			t.Errorf("%s: %v; want link.invalid", name, err)
		}
	}
	now = now.Add(time.Hour)
	if _, err := tokens.Verify(token); err == nil || err.(*Error).Key != "link.expired" {
		t.Errorf("at expiry: %v; want link.expired", err)
	}
}
