package console_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/console"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestDigestScript: through the console, staff read last week's digest
// with /digest, its charts named after the week, and a member is refused.
func TestDigestScript(t *testing.T) {
	store := storage.New(storagetest.New(t))
	svc, err := botstest.NewService(bots.ServiceOptions{Store: store, CommunityName: "Tea Lovers", DefaultLanguage: "en", InOrder: true,
		Community: utcCommunity()}, botstest.Setup{Owners: []community.Account{{Platform: community.Console, UserID: console.OwnerID}}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	script := "hello\n/digest\n/as owner\n/staffchat\n/setstaff\n/digest\n/digest 2026-W99\n/quit\n"
	svc.Add(console.New(console.Options{In: strings.NewReader(script), Out: &out, Script: true, CommunityName: "Tea Lovers",
		Flush: svc.Dispatcher.DeliverPending}))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := svc.Run(ctx); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	week := digest.WeekOf(time.Now(), time.UTC).Prev().String()
	got := out.String()
	for _, want := range []string{"/digest is for the community's staff", "Weekly digest " + week, "Members", "VIPs at risk",
		"[image: " + week + "-active.png]", "[image: " + week + "-messages.png]", "2026-W99 is not a week"} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "Weekly digest"); n != 1 {
		t.Errorf("%d digests in the transcript; want staff's one", n)
	}
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM audit_log WHERE action = 'command.refused' AND details->>'command' = 'digest'`)
}
