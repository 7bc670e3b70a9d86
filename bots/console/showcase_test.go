package console_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// writeJPEG writes a small real JPEG photo to dir/name.
func writeJPEG(t *testing.T, dir, name string, seed byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, botstest.Photo(seed, 2000), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestShowcaseScript: alice's photo with #showcase becomes a review card
// in the staff room; the owner approves it; alice is asked privately and
// allows it; it is reshared in the showcase place with her name; she
// withdraws it with /mycontent and the reshare is deleted. Bob's post
// is rejected with a reason he is told, and a script named .jpg is
// refused.
func TestShowcaseScript(t *testing.T) {
	dir := t.TempDir()
	photo := writeJPEG(t, dir, "tea.jpg", 40)
	other := writeJPEG(t, dir, "cup.jpg", 90)
	script := filepath.Join(dir, "evil.jpg")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nrm -rf /\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := storage.New(storagetest.New(t))
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	_, out := scripted(t, bots.ServiceOptions{Store: store, Now: now, Community: utcCommunity()}, `/as owner
/staffchat
/setstaff
/group
/setshowcase
/as alice
/dm
/start
/group
/attach `+photo+` Morning tea on the balcony #showcase
/attach `+script+` my script #showcase
/as owner
/staffchat
/press 1
/as alice
/dm
/press 1
/as bob
/dm
/start
/group
/attach `+other+` #Showcase my cup
/as owner
/staffchat
/press 4
/as owner
/staffchat
/showcase
/consent 1
/as alice
/dm
/mycontent
/press 1
/quit
`, "")
	got := out.String()
	// The replies, the outbox's messages and the staff's cards leave by
	// different paths, so they may print in any order between them.
	for _, want := range []string{
		"Customers' posts will be reshared here on console",
		"Thank you! Your showcase post is #1.",
		"Showcase post #1 by Alice (Newcomer) on console",
		"The team of Tea Lovers would like to reshare your post #1 “Morning tea on the balcony”",
		"Thank you! Post #1 may be reshared, credited to you, until 2027-12-06.",
		"“Morning tea on the balcony”\n",
		"📸 Shared by Alice, with their permission.",
		"Thank you! Your showcase post is #2.",
		"Showcase post #2 by Bob (Newcomer) on console",
		"Posts the brand may reshare now",
		"#1 by Alice",
		"Consent #1 to post #1",
		"Your showcase posts",
		"#1 (2026-12-06): reshared with your permission until 2027-12-06",
		"The author withdrew their permission for post #1 (consent #1).",
		"I deleted 1 reshare.",
		"You withdrew your permission for post #1.",
		"This file cannot be shared: only JPEG, PNG, GIF, WebP, MP4 are accepted",
		"Post #1 approved by Owner. I am asking its author for permission to reshare it.",
		"Post #2 rejected by Owner: it shows other people, whose permission we cannot ask.",
		"bot → bob (private)> Thank you for sharing post #2. The team will not reshare this one: it shows other people",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Shared by Bob") {
		t.Errorf("bob's rejected post was reshared:\n%s", got)
	}
}
