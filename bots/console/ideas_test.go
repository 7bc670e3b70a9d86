package console_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// ideasScript: alice posts an idea; bob writes one like it, is offered
// alice's and votes for it instead; carol posts hers with /feedback,
// choosing the kind; /ideas lists them; a member cannot change a status;
// the owner plans alice's idea.
const ideasScript = `/as owner
/staffchat
/setstaff
/as alice
/dm
/start
/group
/idea Dark mode for the mobile app
/as bob
/dm
/start
/group
/idea dark mode in the app please
/press 1
/as carol
/feedback The checkout page is slow
/press 2
/ideas
/status 1 planned
/as owner
/staffchat
/status 1 planned Coming in the spring release
/status 1 open
/quit
`

func TestIdeasScript(t *testing.T) {
	store := storage.New(storagetest.New(t))
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	svc, out := scripted(t, bots.ServiceOptions{Store: store, Now: now, Community: utcCommunity()}, ideasScript, "")
	got := out.String()
	// The staff room's post and the author's thanks leave by different
	// paths (the outbox and the reply), so either may be printed first.
	if !strings.Contains(got, "Thank you! Your idea is posted as #1: “Dark mode for the mobile app”.") {
		t.Fatalf("alice is not thanked:\n%s", got)
	}
	wants := []string{
		"bot → staff room> #1 Dark mode for the mobile app\n    idea by Alice · open\n    [1] 👍 Vote · 0",
		"Before you post “dark mode in the app please”: these look alike.",
		"#1 Dark mode for the mobile app · idea, open · 0 votes",
		"[1] 👍 Vote for #1 instead",
		"Your vote for #1 counts (1 in all).",
		"What is “The checkout page is slow”?",
		"Thank you! Your bug report is posted as #2",
		"Top ideas and feedback (page 1):",
		"#1 Dark mode for the mobile app · idea, open · 1 vote",
		"Sorry, /status is for the community's staff.",
		"#1 is now planned. 2 members will be told privately.",
		"This item is planned, so it cannot become open. It can become: in_progress, done, declined.",
	}
	wantInOrder(t, got, wants...)
	// Ten minutes later the notices job tells alice (the author) and bob
	// (who voted) privately, once each.
	clock.Add(int64(11 * time.Minute))
	out.Reset()
	botstest.RunJob(t, svc, "feedback.notices")
	svc.Dispatcher.DeliverPending(t.Context())
	botstest.RunJob(t, svc, "feedback.notices")
	svc.Dispatcher.DeliverPending(t.Context())
	told := out.String()
	for _, who := range []string{"alice", "bob"} {
		want := "bot → " + who + " (private)> News from Tea Lovers about 1 thing you posted or voted for:\n\n    #1 Dark mode for the mobile app is now planned.\n    The team says: “Coming in the spring release”"
		if n := strings.Count(told, want); n != 1 {
			t.Errorf("%s was told %d times, want once:\n%s", who, n, told)
		}
	}
	if strings.Contains(told, "carol (private)") {
		t.Errorf("carol, who neither wrote nor voted for #1, was told:\n%s", told)
	}
}
