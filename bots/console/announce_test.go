package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// announceScript subscribes alice, has the owner announce to everyone
// from the staff room, list the announcements, and alice unsubscribe.
const announceScript = `hello everyone, I am alice
/dm
/subscribe
/press 1
/as bob
/start
/as owner
/staffchat
/setstaff
/announce
/announce New *oolong* is in!
/press 1
/announce list
/as alice
/dm
/subscribe off
/quit
`

// TestAnnounceScript: through the console, a member subscribes with the
// button, the owner previews and sends an announcement that is posted in
// the group and written privately to alice only, the history lists it, and
// alice unsubscribes.
func TestAnnounceScript(t *testing.T) {
	store := storage.New(storagetest.New(t))
	noon := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	// The transcript's dates and hours are UTC's.
	_, out := scripted(t, bots.ServiceOptions{Store: store, Now: func() time.Time { return noon }, Community: utcCommunity()}, announceScript, "")
	got := out.String()
	wants := []string{
		"bot> You do not get the announcements of Tea Lovers privately. You still see them in the groups.\n    [1] Get them privately",
		"bot (edited)> You get the announcements of Tea Lovers privately: at most 2 private messages a week. The survey questions I sometimes ask count toward that limit.\n    Those that come during quiet hours (22:00–08:00) wait until they end.",
		"Write the announcement after the command",
		"bot> Preview of announcement #1 to everyone. Nothing is sent until you press Send.\n\n    📣 Tea Lovers\n\n    New oolong is in!\n\n" +
			"    • Posted in 1 group on console\n    • Privately to 1 member (Newcomer 1)\n    [1] Send  [2] Cancel",
		"bot (edited)> Announcement #1 sent to everyone.",
		"bot → group> 📣 Tea Lovers\n\n    New oolong is in!\n\n    Want these privately? Send me /subscribe in a private chat.",
		"bot → alice (private)> 📣 Tea Lovers\n\n    New oolong is in!\n\n    You get these because you asked to. /subscribe off stops them.",
		"bot> Last announcements\n\n    #1 2026-11-24 12:00, by Owner, to everyone\n    “New oolong is in!”\n    1 group post · 1 member privately",
		"You do not get the announcements of Tea Lovers privately.",
	}
	wantInOrder(t, got, wants...)
	if strings.Contains(got, "bot → bob (private)> 📣") || strings.Contains(got, "bot → staff room> 📣") {
		t.Errorf("the announcement reached bob or the staff room:\n%s", got)
	}
	var on bool
	if err := store.DB().Get(&on, `SELECT announcements_dm FROM members WHERE display_name = 'Alice'`); err != nil || on {
		t.Errorf("alice still subscribed (%v)", err)
	}
}
