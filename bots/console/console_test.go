package console_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/console"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata")

func TestMain(m *testing.M) { storagetest.Main(m) }

// runScript pipes a script through the console against a fresh database and
// returns the transcript.
func runScript(t *testing.T, store *storage.Store, script string) string {
	t.Helper()
	// The transcripts' dates and hours are UTC's.
	_, out := scripted(t, bots.ServiceOptions{Store: store, Now: recordedClock(), Community: utcCommunity()}, script, "")
	return out.String()
}

// scripted runs script through the console of Tea Lovers (English, its
// console owner set up), with o's store, clock and community, keeping
// files in files; it returns the service, whose jobs and outbox a test
// may go on with, and the transcript, which the console goes on writing.
func scripted(t *testing.T, o bots.ServiceOptions, script, files string) (*bots.Service, *bytes.Buffer) {
	t.Helper()
	o.CommunityName, o.DefaultLanguage, o.InOrder = "Tea Lovers", "en", true
	svc, err := botstest.NewService(o, botstest.Setup{Owners: []community.Account{{Platform: community.Console, UserID: console.OwnerID}}})
	if err != nil {
		t.Fatal(err)
	}
	out := new(bytes.Buffer)
	media, _ := o.Store.(outbox.MediaOpener)
	svc.Add(console.New(console.Options{In: strings.NewReader(script), Out: out, Script: true,
		CommunityName: "Tea Lovers", Flush: svc.Dispatcher.DeliverPending, Now: o.Now, Files: files, Media: media}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := svc.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("the script did not finish")
	}
	return svc, out
}

// wantInOrder fails unless the transcript holds each of wants, in order.
func wantInOrder(t *testing.T, transcript string, wants ...string) {
	t.Helper()
	at := 0
	for _, w := range wants {
		i := strings.Index(transcript[at:], w)
		if i < 0 {
			t.Fatalf("transcript lacks, in order:\n%s\n\nwhole transcript:\n%s", w, transcript)
		}
		at += i + len(w)
	}
}

// utcCommunity is the default community options, in UTC whatever the
// default time zone.
func utcCommunity() bots.CommunityOptions {
	o := bots.DefaultCommunityOptions()
	o.Location = time.UTC
	return o
}

// recordedClock reads the day the golden transcripts were recorded,
// 2026-11-23 at noon, and moves on as real time does (the dispatcher's
// waits still end), so a transcript is the same on any day.
func recordedClock() func() time.Time {
	start, recorded := time.Now(), time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return recorded.Add(time.Since(start)) }
}

// TestScriptTranscript runs a conversation covering the platform core:
// help per role and place, a refused owner command, the staff chat, adding
// and removing staff by command, button and form, and the outbox.
func TestScriptTranscript(t *testing.T) {
	store := storage.New(storagetest.New(t))
	script, err := os.ReadFile(filepath.Join("testdata", "tour.script"))
	if err != nil {
		t.Fatal(err)
	}
	got := runScript(t, store, string(script))
	golden := filepath.Join("testdata", "tour.transcript")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s (go test -update to accept):\n%s", golden, diff(string(want), got))
	}

	var refused int
	if err := store.DB().Get(&refused, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'setstaff'`); err != nil {
		t.Fatal(err)
	}
	if refused != 1 {
		t.Errorf("refused /setstaff audited %d times, want 1", refused)
	}
	var staffChat string
	if err := store.DB().Get(&staffChat, `SELECT platform_chat_id FROM chats WHERE platform = 'console' AND is_staff`); err != nil || staffChat != "staff" {
		t.Errorf("staff chat = %q, %v; want the staff room", staffChat, err)
	}
}

// diff shows the first lines where two transcripts part.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n", i+1) + "  want: " + wl + "\n  got:  " + gl + "\n\nwhole transcript:\n" + got
		}
	}
	return ""
}

// TestDatesAreTheCommunitys: the dates staff read (here when someone
// became staff) are days in the community's time zone, not the server's
// or the database's: at noon UTC it is already tomorrow in Kiritimati.
func TestDatesAreTheCommunitys(t *testing.T) {
	store := storage.New(storagetest.New(t))
	zone, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Fatal(err)
	}
	o := bots.DefaultCommunityOptions()
	o.Location = zone
	_, out := scripted(t, bots.ServiceOptions{Store: store, Now: recordedClock(), Community: o}, "hi\n/as owner\n/staff add @alice\n/staff\n", "")
	if !strings.Contains(out.String(), "since 2026-11-24") {
		t.Errorf("the staff list does not date in the community's zone:\n%s", out.String())
	}
}
