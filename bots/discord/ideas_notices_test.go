package discord_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// planned is what alice and bob are told once #1 is planned (the "#"
// escaped: at the start of a line Discord could take it for a heading).
const planned = "**\\#1 Dark mode for the mobile app** is now **planned**.\nThe team says: “Coming in the spring release”"

// planIdea has alice post an idea, bob vote for it and the owner plan it
// with a comment; it returns when the change is recorded.
func (iw *ideasWorld) planIdea(t *testing.T) {
	t.Helper()
	iw.command(t, iw.general, iw.alice, "idea", discordtest.Arg("text", "Dark mode for the mobile app"))
	post := waitChannelMessage(t, iw.dc, iw.staff, "Dark mode for the mobile app")
	iw.press(t, post, iw.bob, "Vote")
	iw.waitCount(t, 1, `SELECT votes FROM feedback_items WHERE id = 1`)
	r := iw.command(t, iw.staff, iw.owner, "status", discordtest.Arg("item", 1), discordtest.Arg("status", "planned"),
		discordtest.Arg("comment", "Coming in the spring release"))
	if !strings.Contains(text(r), "#1 is now **planned**. 2 members will be told privately.") {
		t.Fatalf("/status 1 planned: %q", text(r))
	}
	iw.waitCount(t, 2, `SELECT count(*) FROM feedback_notices WHERE queued_at IS NULL`)
}

// checkToldOnce checks that alice and bob were told once each, and
// carol and the owner, who neither wrote nor voted for #1, never.
func (iw *ideasWorld) checkToldOnce(t *testing.T) {
	t.Helper()
	for _, c := range []struct {
		who  discordgo.User
		want int
	}{{iw.alice, 1}, {iw.bob, 1}, {iw.carol, 0}, {iw.owner, 0}} {
		if got := iw.told(c.who); got != c.want {
			t.Errorf("%s was told %d times, want %d", c.who.Username, got, c.want)
		}
	}
}

// told counts the messages in u's DM with Hearth that tell the change.
func (iw *ideasWorld) told(u discordgo.User) int {
	return iw.countText(iw.dc.DMChannel(u), planned)
}

// TestIdeaStatusChangeIsToldOnceOnDiscord: when #1 is planned with a comment,
// its author and its voter are told nothing until the settle time has
// passed; then each gets one direct message with the new status and the
// comment, and a later run of the job tells them nothing more.
func TestIdeaStatusChangeIsToldOnceOnDiscord(t *testing.T) {
	t.Parallel()
	iw := startIdeasWorld(t, nil)
	iw.planIdea(t)
	runJob(t, iw.svc, "feedback.notices")
	if n := iw.countRows(t, `SELECT count(*) FROM outbox_events WHERE kind = 'feedback.notices'`); n != 0 {
		t.Fatalf("%d notices queued before the settle time", n)
	}

	iw.ahead.Store(int64(feedback.DefaultNoticeRules().Settle + time.Minute))
	runJob(t, iw.svc, "feedback.notices")
	for _, u := range []discordgo.User{iw.alice, iw.bob} {
		dm := waitChannelText(t, iw.dc, iw.dc.DMChannel(u), planned)
		if !strings.HasPrefix(dm, "**News from Tea Lovers** about 1 thing you posted or voted for:") {
			t.Errorf("%s's message: %q", u.Username, dm)
		}
	}
	iw.waitCount(t, 0, `SELECT count(*) FROM deliveries WHERE status = 'pending'`)
	runJob(t, iw.svc, "feedback.notices")
	if n := iw.countRows(t, `SELECT count(*) FROM outbox_events WHERE kind = 'feedback.notices'`); n != 1 {
		t.Errorf("%d notices events; want the one", n)
	}
	iw.checkToldOnce(t)
}

// unanswered is a Discord that takes the requests held picks and never
// answers them, until the caller gives up: nothing held reaches the fake.
type unanswered struct {
	base    http.RoundTripper
	held    func(*http.Request) bool
	waiting atomic.Int32
}

func (u *unanswered) RoundTrip(r *http.Request) (*http.Response, error) {
	if held := u.held; held != nil && held(r) {
		u.waiting.Add(1)
		defer u.waiting.Add(-1)
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return u.base.RoundTrip(r)
}

// holding starts the world reaching Discord through hold, which holds
// what held picks.
func holding(hold *unanswered, held func(iw *ideasWorld, r *http.Request) bool) func(iw *ideasWorld) *http.Client {
	return func(iw *ideasWorld) *http.Client {
		hold.base = iw.dc.HTTPClient().Transport
		hold.held = func(r *http.Request) bool { return held(iw, r) }
		return &http.Client{Transport: hold}
	}
}

// toDMs picks the messages Hearth posts in alice's and bob's DMs.
func toDMs(iw *ideasWorld, r *http.Request) bool {
	for _, u := range []discordgo.User{iw.alice, iw.bob} {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/channels/"+iw.dc.DMChannel(u)+"/messages") {
			return true
		}
	}
	return false
}

// TestIdeaNoticesSurviveARestartOnDiscord: Hearth stops after the
// notices job decided whom to tell and before Discord has the messages:
// before its dispatcher wrote them, or while they are on their way to a
// Discord that has not taken them. A fresh process on the same database
// tells alice and bob once each, and its own run of the job queues
// nothing more.
func TestIdeaNoticesSurviveARestartOnDiscord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		stops func(t *testing.T, iw *ideasWorld, hold *unanswered)
	}{
		{"before the messages are written", func(t *testing.T, iw *ideasWorld, _ *unanswered) {
			iw.stop() // the job's run below is this process's last act
			runJob(t, iw.svc, "feedback.notices")
			iw.waitCount(t, 1, `SELECT count(*) FROM outbox_events WHERE kind = 'feedback.notices' AND status = 'pending'`)
			iw.waitCount(t, 0, `SELECT count(*) FROM deliveries WHERE target ? 'user'`)
		}},
		{"while the messages are on their way", func(t *testing.T, iw *ideasWorld, hold *unanswered) {
			runJob(t, iw.svc, "feedback.notices")
			storagetest.Eventually(t, "both messages on their way to Discord", func() bool { return hold.waiting.Load() == 2 })
			iw.stop()
			iw.waitCount(t, 2, `SELECT count(*) FROM deliveries WHERE status = 'pending' AND target ? 'user'`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hold := &unanswered{}
			iw := startIdeasWorld(t, holding(hold, toDMs))
			iw.planIdea(t)
			iw.ahead.Store(int64(feedback.DefaultNoticeRules().Settle + time.Minute))
			tc.stops(t, iw, hold)
			iw.waitCount(t, 2, `SELECT count(*) FROM feedback_notices WHERE event_id IS NOT NULL`)
			if a, b := iw.told(iw.alice), iw.told(iw.bob); a != 0 || b != 0 {
				t.Fatalf("Discord has the messages already: alice %d, bob %d", a, b)
			}

			iw.run(t, nil)
			for _, u := range []discordgo.User{iw.alice, iw.bob} {
				waitChannelText(t, iw.dc, iw.dc.DMChannel(u), planned)
			}
			iw.waitCount(t, 0, `SELECT count(*) FROM deliveries WHERE status = 'pending'`)
			runJob(t, iw.svc, "feedback.notices")
			if n := iw.countRows(t, `SELECT count(*) FROM outbox_events WHERE kind = 'feedback.notices'`); n != 1 {
				t.Errorf("%d notices events after the restart; want the one", n)
			}
			iw.waitCount(t, 0, `SELECT count(*) FROM deliveries WHERE status = 'pending'`)
			iw.checkToldOnce(t)
		})
	}
}

// TestIdeaVoteAnswerSurvivesARestartOnDiscord: Hearth stops after it
// counted bob's vote and while its answer to his press is on its way; a
// fresh process answers the press, and the vote counts once.
func TestIdeaVoteAnswerSurvivesARestartOnDiscord(t *testing.T) {
	t.Parallel()
	hold := &unanswered{}
	var pressed atomic.Value // the id of the press whose answer is held
	iw := startIdeasWorld(t, holding(hold, func(_ *ideasWorld, r *http.Request) bool {
		id, _ := pressed.Load().(string)
		return id != "" && strings.Contains(r.URL.Path, "/interactions/"+id+"/")
	}))
	iw.command(t, iw.general, iw.alice, "idea", discordtest.Arg("text", "Dark mode for the mobile app"))
	post := waitChannelMessage(t, iw.dc, iw.staff, "Dark mode for the mobile app")
	press := iw.dc.ButtonPress(t, post, iw.bob, "idea:vote:1")
	pressed.Store(press.ID)
	iw.dc.Dispatch(t, "INTERACTION_CREATE", press)
	storagetest.Eventually(t, "the answer to bob's press on its way to Discord", func() bool { return hold.waiting.Load() == 1 })
	iw.waitCount(t, 1, `SELECT votes FROM feedback_items WHERE id = 1`)
	iw.stop()

	iw.run(t, nil)
	if r := iw.dc.WaitInteractionReply(t, press.ID, 10*time.Second); !strings.Contains(text(r), "Your vote for #1 counts (1 in all).") {
		t.Errorf("bob's press answered after the restart: %q", text(r))
	}
	iw.waitVotesShown(t, post, 1)
	iw.waitCount(t, 1, `SELECT count(*) FROM feedback_votes`)
}
