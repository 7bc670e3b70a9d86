package discord_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestDigestOnDiscord: /digest answers staff with last week's digest and
// its charts as PNG attachments (follow-ups of the command), and refuses a
// member; the weekly job, run twice, posts the week's digest to the staff
// channel once.
func TestDigestOnDiscord(t *testing.T) {
	t.Parallel()
	aw := startNPSWorld(t)
	aw.dc.Dispatch(t, "MESSAGE_CREATE", aw.dc.MessageCreate(aw.general, aw.alice, "hello"))
	aw.waitCount(t, 1, `SELECT count(*) FROM activities WHERE kind = 'message'`)
	lastWeek := digest.WeekOf(time.Now(), time.UTC).Prev()

	mine := aw.dc.SlashCommand("", aw.dc.DMChannel(aw.alice), aw.alice, "digest")
	aw.dc.Dispatch(t, "INTERACTION_CREATE", mine)
	if r := aw.dc.WaitInteractionReply(t, mine.ID, 10*time.Second); strings.Contains(r.Data.Content, "Weekly digest") {
		t.Errorf("a member saw the digest: %q", r.Data.Content)
	}
	aw.waitCount(t, 1, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'digest'`)

	r := aw.slash(t, aw.shop, aw.staff, aw.owner, "digest")
	if text := r.Data.Content; !strings.Contains(text, "Weekly digest "+lastWeek.String()) || !strings.Contains(text, "**Members**") {
		t.Errorf("/digest answered %q", text)
	}
	storagetest.Eventually(t, "two charts", func() bool { return len(charts(t, aw.dc)) >= 2 })
	for _, c := range charts(t, aw.dc) {
		img, err := png.Decode(bytes.NewReader(c.Data))
		if err != nil || img.Bounds().Dx() != 1080 || img.Bounds().Dy() != 720 {
			t.Errorf("chart %s: %v; want a 1080×720 PNG", c.Name, err)
		}
	}

	botstest.RunJob(t, aw.svc, "digest.weekly")
	botstest.RunJob(t, aw.svc, "digest.weekly")
	aw.waitCount(t, 1, `SELECT count(*) FROM outbox_events WHERE kind = 'digest.ready'`)
	var week string
	if err := aw.store.DB().Get(&week, `SELECT week FROM digests`); err != nil {
		t.Fatal(err)
	}
	aw.svc.Dispatcher.Wake()
	waitChannelMessage(t, aw.dc, aw.staff, "Weekly digest "+week)
	storagetest.WaitSettled(t, aw.store.DB())
	posted := 0
	for _, m := range aw.dc.Messages(aw.staff) {
		if strings.Contains(m.Content, "Weekly digest "+week) && !strings.Contains(m.Content, "Made just now") {
			posted++
		}
	}
	if posted != 1 {
		t.Errorf("the digest of %s was posted %d times in the staff channel; want once", week, posted)
	}
}

// charts returns the PNG files uploaded, in channels or follow-ups.
func charts(t *testing.T, dc *discordtest.Server) []discordtest.File {
	t.Helper()
	var out []discordtest.File
	for _, req := range dc.Requests("POST", "/") {
		files, err := req.Files()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f.Name, ".png") {
				out = append(out, f)
			}
		}
	}
	return out
}
