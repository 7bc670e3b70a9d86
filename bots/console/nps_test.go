package console_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/console"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// Before the wave: alice, bob and the owner are members, the staff room
// is the staff chat. After it: alice answers 9 with a reason, bob (a VIP)
// 3, the owner opens bob's ticket from the alert and reads /nps; carol,
// never asked, is refused, and may not read /nps.
const (
	npsBefore = "hello\n/as bob\nhello\n/as owner\n/staffchat\n/setstaff\n"
	npsAfter  = "/as alice\n/dm\n/press 10\n/press 1\nThe oolong is superb\n/survey\n/as bob\n/dm\n/press 4\n" +
		"/as owner\n/staffchat\n/press 1\n/nps\n/as carol\n/dm\n/survey 1\n/nps\n/quit\n"
)

// TestNPSScript: through the console, the wave's question reaches the
// members privately with 0-10 buttons, answers and a reason count, a VIP
// detractor alerts staff and Open a ticket opens his ticket, /nps shows
// staff the hand-computed report, and a member not asked is refused.
func TestNPSScript(t *testing.T) {
	store := storage.New(storagetest.New(t))
	o := utcCommunity()
	o.Announce = bots.AnnounceOptions{WeeklyCap: 2}
	o.NPS = bots.NPSOptions{Schedule: "0 11 * * TUE", AnswerWindow: 7 * 24 * time.Hour,
		Wave: feedback.WaveRules{SamplePercent: 100, MinInterval: 90 * 24 * time.Hour}}
	svc, err := botstest.NewService(bots.ServiceOptions{Store: store, CommunityName: "Tea Lovers", DefaultLanguage: "en", InOrder: true,
		Community: o}, botstest.Setup{Owners: []community.Account{{Platform: community.Console, UserID: console.OwnerID}}})
	if err != nil {
		t.Fatal(err)
	}
	in, script := io.Pipe()
	var out bytes.Buffer
	svc.Add(console.New(console.Options{In: in, Out: &out, Script: true, CommunityName: "Tea Lovers", Flush: svc.Dispatcher.DeliverPending}))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	if _, err := io.WriteString(script, npsBefore); err != nil {
		t.Fatal(err)
	}
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM chats WHERE is_staff`)
	var ids []int64
	if err := store.DB().Select(&ids, `SELECT member_id FROM identities WHERE platform_user_id IN ('alice', 'bob') ORDER BY platform_user_id`); err != nil || len(ids) != 2 {
		t.Fatalf("members %v, %v", ids, err)
	}
	storagetest.SetValues(t, store.DB(), map[int64]float64{ids[0]: 100, ids[1]: 300})
	st := community.MemberStanding{Standing: community.Standing{Member: community.MemberID(ids[1]), Tier: community.TierVIP, ComputedAt: time.Now(),
		Engagement: community.Engagement{Level: 4}}}
	if err := store.SaveStandings(ctx, community.StandingsUpdate{At: time.Now(), Standings: []community.MemberStanding{st}}); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(svc.Jobs(), func(j bots.Job) bool { return j.Name == "nps.wave" })
	if err := svc.Jobs()[i].Run(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(script, npsAfter); err != nil {
		t.Fatal(err)
	}
	script.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"bot → alice (private)> How likely are you to recommend Tea Lovers to a friend?",
		"You gave us 9.",
		"Thank you for telling us.",
		"There is no open survey waiting for your answer.",
		"NPS detractor: Bob (VIP, CLV 300.00) gave 3 out of 10.",
		"Ticket #1 opened for Bob",
		"NPS: 0.0 (95% interval -100.0 to 100.0) · promoters 1, passives 0, detractors 1",
		"Weighted by CLV: -50.0 (95% interval -100.0 to 84.2), effective answers 1.6",
		"2 answers of 3 asked (66.7%)",
		"This survey was not sent to you",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "NPS of the last 12 weeks"); n != 1 {
		t.Errorf("the report was shown %d times; want once, to staff only:\n%s", n, got)
	}
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM tickets t JOIN nps_answers a ON a.ticket_id = t.id`)
}
