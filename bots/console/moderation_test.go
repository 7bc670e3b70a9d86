package console_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestModerationThroughTheConsole: the owner warns and mutes Bob in the
// group and lifts the mute; the console says what Hearth does on the
// platform, the staff room gets the staff log, and /whois shows Bob's
// card: in the staff room itself, and sent there when asked in the group;
// /modlog lists what was done to him.
func TestModerationThroughTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	got := runScript(t, store, strings.Join([]string{
		"/as bob", "I love green tea",
		"/as owner", "/staffchat", "/setstaff", "/group",
		"/warn @bob off topic",
		"/mute @bob 30s typo",
		"/mute @bob 2h flooding",
		"/whois @bob",
		"/unmute @bob",
		"/staffchat", "/note @bob Prefers to be called Robert", "/whois @bob",
		"/modlog @bob",
		"/quit",
	}, "\n"))
	for _, want := range []string{
		"bot> ⚠️ Bob has been warned. Active warnings: 1.",
		"bot (only you see this)> “30s” is not a duration such as 30m, 2h, 3d or 1w.",
		"· Hearth muted Bob in the group for 2h",
		"bot> 🔇 Bob is muted for 2 hours.",
		"bot → staff room> ⚠️ Warning · Bob",
		"Reason: off topic",
		"bot → staff room> 🔇 Mute · Bob",
		"[1] Undo",
		"bot (only you see this)> 📋 I sent Bob's card to the staff chat.",
		"· Hearth unmuted Bob in the group",
		"bot> 🔈 Bob can write again.",
		"Mute on ", " in Tea Lovers (console), until ",
		"1. ", "by Owner: off topic",
		"Owner: Prefers to be called Robert",
		"bot> Staff log for Bob, latest first:",
		" · 🔈 Mute lifted · Bob · Owner",
		" · ⚠️ Warning · Bob · Owner",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "🪪 Bob · member #") != 2 {
		t.Errorf("want Bob's card twice (sent from the group, shown in the staff room):\n%s", got)
	}
	var n int
	if err := store.DB().Get(&n, `SELECT count(*) FROM sanctions WHERE kind = 'mute' AND lift_reason = 'unmute'`); err != nil || n != 1 {
		t.Errorf("lifted mutes recorded: %d, %v", n, err)
	}
}
