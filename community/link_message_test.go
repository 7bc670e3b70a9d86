package community

import "testing"

// TestMessageLinksFollowThePlatformsFormat: a link fills the group, chat
// and message ids into the platform's format; a chat without the prefix
// links ("-100" for Telegram supergroups) or a platform without links
// gives none.
func TestMessageLinksFollowThePlatformsFormat(t *testing.T) {
	telegram := MessageLinks{Format: "https://t.me/c/{chat}/{message}", ChatPrefix: "-100"}
	discord := MessageLinks{Format: "https://discord.com/channels/{group}/{chat}/{message}"}
	for _, c := range []struct {
		links                MessageLinks
		group, chat, message string
		want                 string
	}{
		{telegram, "-1001234", "-1001234", "77", "https://t.me/c/1234/77"},
		{telegram, "-42", "-42", "77", ""},
		{discord, "g1", "c2", "m3", "https://discord.com/channels/g1/c2/m3"},
		{MessageLinks{}, "g1", "c2", "m3", ""},
	} {
		if got := c.links.To(c.group, c.chat, c.message); got != c.want {
			t.Errorf("%+v.To(%q, %q, %q) = %q, want %q", c.links, c.group, c.chat, c.message, got, c.want)
		}
	}
}
