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

// unansweredDMs is a Discord that takes every message to the listed
// channels and never answers, until the caller gives up: nothing sent
// there reaches the fake.
type unansweredDMs struct {
	base     http.RoundTripper
	channels []string
	waiting  atomic.Int32
}

func (u *unansweredDMs) RoundTrip(r *http.Request) (*http.Response, error) {
	for _, ch := range u.channels {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/channels/"+ch+"/messages") {
			u.waiting.Add(1)
			defer u.waiting.Add(-1)
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
	}
	return u.base.RoundTrip(r)
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
		stops func(t *testing.T, iw *ideasWorld, hold *unansweredDMs)
	}{
		{"before the messages are written", func(t *testing.T, iw *ideasWorld, _ *unansweredDMs) {
			iw.stop() // the job's run below is this process's last act
			runJob(t, iw.svc, "feedback.notices")
			iw.waitCount(t, 1, `SELECT count(*) FROM outbox_events WHERE kind = 'feedback.notices' AND status = 'pending'`)
			iw.waitCount(t, 0, `SELECT count(*) FROM deliveries WHERE target ? 'user'`)
		}},
		{"while the messages are on their way", func(t *testing.T, iw *ideasWorld, hold *unansweredDMs) {
			runJob(t, iw.svc, "feedback.notices")
			storagetest.Eventually(t, "both messages on their way to Discord", func() bool { return hold.waiting.Load() == 2 })
			iw.stop()
			iw.waitCount(t, 2, `SELECT count(*) FROM deliveries WHERE status = 'pending' AND target ? 'user'`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hold := &unansweredDMs{}
			iw := startIdeasWorld(t, func(iw *ideasWorld) *http.Client {
				hold.base, hold.channels = iw.dc.HTTPClient().Transport, []string{iw.dc.DMChannel(iw.alice), iw.dc.DMChannel(iw.bob)}
				return &http.Client{Transport: hold}
			})
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
