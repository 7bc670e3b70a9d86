package console_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestStaffDurationsAreBounded: a mute or ban longer than five years is
// refused with the limit (100000w once muted for 163 years, 15251w was
// "not a duration"), and a negative or zero duration is refused rather
// than read as the reason of a mute for good. Nothing is done to Bob.
func TestStaffDurationsAreBounded(t *testing.T) {
	store := storage.New(storagetest.New(t))
	got := runScript(t, store, strings.Join([]string{
		"/as bob", "hello",
		"/as owner", "/staffchat", "/setstaff", "/group",
		"/mute @bob 100000w spam",
		"/ban @bob 15251w",
		"/mute @bob -5m",
		"/mute @bob 0m spam",
		"/quit",
	}, "\n"))
	for _, want := range []string{
		"bot (only you see this)> “100000w” is too long: the longest is 5 years. To mute or ban for good, give no duration.",
		"bot (only you see this)> “15251w” is too long: the longest is 5 years.",
		"bot (only you see this)> “-5m” will not do: a duration must be more than zero, such as 30m or 2h.",
		"bot (only you see this)> “0m” will not do: a duration must be more than zero",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "· Hearth muted") || strings.Contains(got, "· Hearth banned") {
		t.Errorf("Bob was sanctioned:\n%s", got)
	}
	var n int
	if err := store.DB().Get(&n, `SELECT count(*) FROM sanctions`); err != nil || n != 0 {
		t.Errorf("sanctions recorded: %d, %v", n, err)
	}
}

// TestLiftingWhatIsNotThere: /unmute and /unban of Bob, who is neither
// muted nor banned, say so and write no "lifted" entry to the staff log
// or the audit log; once he is muted, /unmute lifts it and logs it.
func TestLiftingWhatIsNotThere(t *testing.T) {
	store := storage.New(storagetest.New(t))
	got := runScript(t, store, strings.Join([]string{
		"/as bob", "hello",
		"/as owner", "/staffchat", "/setstaff", "/group",
		"/unmute @bob",
		"/unban @bob",
		"/mute @bob 1h",
		"/unmute @bob",
		"/unmute @bob",
		"/staffchat", "/modlog @bob",
		"/quit",
	}, "\n"))
	for _, want := range []string{
		"bot (only you see this)> Bob is not muted: there is nothing to lift.",
		"bot (only you see this)> Bob is not banned: there is nothing to lift.",
		"· Hearth muted Bob in the group for 1h",
		"bot> 🔈 Bob can write again.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "Bob is not muted: there is nothing to lift."); n != 2 {
		t.Errorf("told %d times that Bob is not muted, want 2 (before the mute and after its lift):\n%s", n, got)
	}
	if n := strings.Count(got, "· Hearth unmuted Bob"); n != 1 {
		t.Errorf("Hearth unmuted Bob %d times, want once:\n%s", n, got)
	}
	if strings.Contains(got, "Ban lifted") || strings.Count(got, "Mute lifted · Bob") != 2 { // the log entry and /modlog's line
		t.Errorf("want one lifted mute in the staff log and no lifted ban:\n%s", got)
	}
	var n int
	if err := store.DB().Get(&n, `SELECT count(*) FROM audit_log WHERE action IN ('moderation.unmute', 'moderation.unban')`); err != nil || n != 1 {
		t.Errorf("lifts audited: %d, %v; want the one real unmute", n, err)
	}
}
