package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestFloodEarnsNoPlaceOnTop: Bob floods the group and is muted for it;
// Alice wrote three messages. Once the standings are recomputed, /top is
// ranked by the engagement score it shows, says when it was computed, and
// has Alice first and Bob nowhere; Bob's /me counts none of the removed
// messages and says when it was computed.
func TestFloodEarnsNoPlaceOnTop(t *testing.T) {
	store := storage.New(storagetest.New(t))
	flood := []string{"/as alice", "Good morning!", "Any news on the oolong?", "Thanks!", "/as bob"}
	for range 6 { // the sixth within 10 s is a flood
		flood = append(flood, "BUY NOW")
	}
	got := runScript(t, store, strings.Join(append(flood, "/quit"), "\n"))
	expect(t, got, "bot> 🌊 Bob, slow down: your messages were removed for flooding.", "· Hearth muted Bob in the group for 1h")

	o := bots.DefaultCommunityOptions()
	computed := time.Date(2026, 11, 23, 12, 1, 0, 0, time.UTC) // the recorded day's clock, a minute on
	standings := community.NewStandings(store, o.Engagement, o.Tiers, o.Loyalty, func() time.Time { return computed })
	if _, err := standings.Recompute(context.Background()); err != nil {
		t.Fatal(err)
	}
	got = runScript(t, store, "/as alice\n/top\n/as bob\n/me\n/quit\n")
	expect(t, got,
		"bot> Most engaged in Tea Lovers\n    1. Alice: 3 · Participant\n    Ranked by engagement score (recent activity counts most), as of 12:01.",
		"Points: 0",
		"As of 12:01. Standings are recomputed every few minutes")
	if strings.Contains(got, "Bob: ") {
		t.Errorf("Bob is on /top after flooding:\n%s", got)
	}
}
