package console_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// ticketsMeet: the owner sets up the staff chat, zoe and maria write to
// Hearth once, so that they are members a recompute can rank.
const ticketsMeet = `/as owner
/staffchat
/setstaff
/as zoe
/dm
/start
/as maria
/dm
/start
/quit
`

// ticketsScript: zoe (a Regular) asks first, maria (a VIP) after her; the
// queue puts maria's ahead. The owner claims it, cannot hand it to zoe
// (not staff), closes it with a resolution and reopens it; zoe's is
// closed without one.
const ticketsScript = `/as zoe
/dm
do you sell green tea?
/as maria
/dm
my grinder arrived broken
/as owner
/staffchat
/tickets
/claim 2
/claim #2
/assign 2 @zoe
/close 2 sent a replacement grinder
/close 2
/reopen 2
/tickets
/close 1
/tickets
/claim x
/as zoe
/dm
/press 4
/press 1
quick and kind
/as owner
/staffchat
/support
/quit
`

// TestTicketsInTheConsole: a VIP's ticket is urgent enough to go ahead
// of an older Regular's; each member is told roughly when a person will
// answer; staff claim, close with a resolution and reopen tickets.
func TestTicketsInTheConsole(t *testing.T) {
	store := storage.New(storagetest.New(t))
	var clock atomic.Int64
	clock.Store(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	o := bots.ServiceOptions{Store: store, Now: now, Community: utcCommunity()}
	scripted(t, o, ticketsMeet, "")
	if _, err := store.DB().Exec(`
INSERT INTO member_standings (member_id, tier, priority, value_percentile, score_log, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
SELECT id, CASE display_name WHEN 'Maria' THEN 'vip' ELSE 'regular' END, 50, 50, 1, 50, 2, 0, 0, 0, now()
FROM members WHERE display_name IN ('Maria', 'Zoe')`); err != nil {
		t.Fatal(err)
	}
	clock.Add(int64(time.Minute)) // a new console run: its updates' ids come from the clock
	svc, out := scripted(t, o, ticketsScript, "")
	transcript := out.String()
	wantInOrder(t, transcript,
		"your question is with the team as ticket #1. A person will answer you here, within about 8 hours.",
		"your question is with the team as ticket #2. A person will answer you here, within about 1 hour.",
		"• #2 🟠 high Maria · due in ", ": my grinder arrived broken",
		"• #1 ⚪ low Zoe · due in 8 hours: do you sell green tea?",
		"✋ Question #2 from Maria is yours; it is due in ",
		"Question #2 is already yours.",
		"Zoe is not on the team, so they cannot take questions.",
		"✅ Question #2 from Maria is answered. Resolution: sent a replacement grinder",
		"Question #2 is already marked answered.",
		"↩️ Question #2 from Maria is open again; it is due in 8 hours.",
		"• #2 🟠 high Maria · due in 8 hours · Owner: my grinder arrived broken",
		"✅ Question #1 from Zoe is answered.",
		"• #2 🟠 high Maria",
		"“x” is not a question number; write it as 12 or #12.",
		"zoe> /press 4",
		"bot (edited)> Thank you for your rating: 4 of 5. Is there anything you would like to add?",
		"Thank you! Your comment reaches the team.",
		"📊 Support, the last 7 days\n"+
			"    Questions opened: 2 (VIP 1, Regular 1); closed: 1; open now: 1\n"+
			"    Median time to a first answer: 1 minute (2 answered)\n"+
			"    Median time to resolution: 1 minute (1 resolved)\n"+
			"    SLA targets missed: 0\n"+
			"    Satisfaction: 4.0 of 5 (1 ratings)\n"+
			"    Knowledge base: 2 questions, 0% answered without the team, 2 passed to the team")
	for _, want := range []string{
		"bot → maria (private)> ✅ Your question #2 is closed:\n    my grinder arrived broken\n\n    How satisfied are you with the help you got?\n    [1] 1 😞  [2] 2  [3] 3  [4] 4  [5] 5 😍",
		"bot → zoe (private)> ✅ Your question #1 is closed:",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	var csat struct {
		Score   int    `db:"csat"`
		Comment string `db:"csat_comment"`
	}
	if err := store.DB().Get(&csat, `SELECT csat, csat_comment FROM tickets WHERE id = 1`); err != nil || csat.Score != 4 || csat.Comment != "quick and kind" {
		t.Errorf("zoe's CSAT %+v, %v", csat, err)
	}
	var rows []struct {
		Urgency    string `db:"urgency"`
		Resolution string `db:"resolution"`
		Open       bool   `db:"open"`
		Responded  bool   `db:"responded"`
	}
	if err := store.DB().Select(&rows, `SELECT urgency, resolution, closed_at IS NULL AS open, first_response_at IS NOT NULL AS responded FROM tickets ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Urgency != "low" || rows[0].Open || !rows[0].Responded ||
		rows[1].Urgency != "high" || !rows[1].Open || rows[1].Resolution != "" || !rows[1].Responded {
		t.Errorf("tickets %+v", rows)
	}
	var actions []string
	if err := store.DB().Select(&actions, `SELECT action FROM audit_log WHERE action LIKE 'ticket.%' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if want := "[ticket.claimed ticket.closed ticket.reopened ticket.closed]"; fmt.Sprint(actions) != want {
		t.Errorf("ticket audit %v, want %s", actions, want)
	}

	// Maria's reopened ticket (high: resolved within 8 hours) reminds its
	// assignee, the owner, at 80%; at 8 hours it breaches, telling the
	// staff room and the owner; each alert once, however often the monitor
	// runs.
	monitor := func(after time.Duration) string {
		t.Helper()
		clock.Add(int64(after))
		out.Reset()
		botstest.RunJob(t, svc, "support.sla_monitor")
		botstest.RunJob(t, svc, "support.sla_monitor")
		svc.Dispatcher.DeliverPending(t.Context())
		return out.String()
	}
	if told := monitor(6 * time.Hour); told != "" {
		t.Errorf("at 6 hours:\n%s", told)
	}
	told := monitor(30 * time.Minute)
	if want := "bot → owner (private)> ⏳ Question #2 from Maria (🟠 high): resolution due in 1 hour and 30 minutes.\n    my grinder arrived broken"; strings.Count(told, want) != 1 || strings.Contains(told, "staff room") {
		t.Errorf("at 6.5 hours, want the owner reminded once:\n%s", told)
	}
	told = monitor(2 * time.Hour) // the owner is in the staff room: its messages print as "bot>"
	for _, want := range []string{
		"bot> 🚨 Question #2 from Maria (🟠 high) missed its resolution target: ⏰ overdue by 30 minutes.",
		"bot → owner (private)> 🚨 Question #2 from Maria (🟠 high) missed its resolution target",
	} {
		if strings.Count(told, want) != 1 {
			t.Errorf("at 8.5 hours, want once %q:\n%s", want, told)
		}
	}
	var breaches int
	if err := store.DB().Get(&breaches, `SELECT count(*) FROM audit_log WHERE action = 'ticket.sla_breached'`); err != nil || breaches != 1 {
		t.Errorf("%d breaches audited, %v", breaches, err)
	}
}
