package bots

import (
	"testing"

	"github.com/hearthbot/hearth/community"
)

// TestCapabilitiesOfAPlatformNotRunHere: a replica that does not run a
// platform knows its facts from the options, so it decides about that
// platform's members as a replica that runs it; an unknown platform has
// none.
func TestCapabilitiesOfAPlatformNotRunHere(t *testing.T) {
	discord := community.Capabilities{Messaging: community.MessagingCapabilities{OpensPrivateChats: true}}
	r := NewRouter(RouterOptions{Capabilities: map[community.Platform]community.Capabilities{community.Discord: discord}})
	if got := r.Capabilities(community.Discord); got != discord {
		t.Errorf("Capabilities(discord) = %+v, want %+v", got, discord)
	}
	if got := r.Capabilities(community.Telegram); got != (community.Capabilities{}) {
		t.Errorf("Capabilities(telegram) = %+v, want none", got)
	}
}
