package storage_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// digestWorld is a community seeded for the digest's tests: what the
// expectations need to know of it besides the rows themselves.
type digestWorld struct {
	loc *time.Location
	now time.Time
	// starts are the seventeen local Mondays that bound the digest's
	// sixteen weeks (twelve shown, four before): week k is
	// [starts[k], starts[k+1]), week 15 the digest's.
	starts []time.Time
	chats  []digestChat
}

// digestChat is a chat of the seeded community.
type digestChat struct {
	id                    int64
	platform, pid, kind   string
	parent                int64
	title                 string
	staff                 bool
	busiestTitle          string // as the busiest list names it
	countsAmongTheBusiest bool
}

// athensMonday is the digest's clock: Monday 30 November 2026, 09:00 in
// Athens, when the digest of 2026-W48 is due.
func athensMonday(t testing.TB) (*time.Location, time.Time) {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Athens")
	if err != nil {
		t.Fatal(err)
	}
	return loc, time.Date(2026, time.November, 30, 9, 0, 0, 0, loc)
}

func newDigestWorld(t testing.TB) *digestWorld {
	loc, now := athensMonday(t)
	w := &digestWorld{loc: loc, now: now}
	for k := range 17 {
		// The Monday of W48 is 23 November; the bounds go 15 weeks back
		// from it and one forward, by calendar days in the zone.
		w.starts = append(w.starts, time.Date(2026, time.November, 23+7*(k-15), 0, 0, 0, 0, loc))
	}
	w.chats = []digestChat{
		{id: 1, platform: "telegram", pid: "-1001", kind: "group", title: "General", busiestTitle: "General", countsAmongTheBusiest: true},
		{id: 2, platform: "discord", pid: "d-200", kind: "group", title: "Recipes", busiestTitle: "Recipes", countsAmongTheBusiest: true},
		{id: 3, platform: "discord", pid: "d-201", kind: "group", parent: 2, title: "Tips", busiestTitle: "Recipes › Tips", countsAmongTheBusiest: true},
		{id: 4, platform: "telegram", pid: "-1004", kind: "group", busiestTitle: "-1004", countsAmongTheBusiest: true},
		{id: 5, platform: "telegram", pid: "-1009", kind: "group", title: "Staff", staff: true},
		{id: 6, platform: "telegram", pid: "777", kind: "direct"},
		// Discord's staff channel, and a ticket's private thread in it: a
		// chat of its own that is staff's too (chatIsStaffSQL).
		{id: 7, platform: "discord", pid: "d-900", kind: "channel", parent: 2, title: "staff", staff: true},
		{id: 8, platform: "discord", pid: "d-901", kind: "channel", parent: 2, title: "Ticket: refund"},
	}
	return w
}

// ts writes a moment for an array of text cast to timestamptz; the zero
// time is NULL.
func ts(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func mustExec(t testing.TB, db *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// between is a moment uniformly in [lo, hi), to the millisecond.
func between(rng *rand.Rand, lo, hi time.Time) time.Time {
	if !hi.After(lo) {
		return lo
	}
	return lo.Add(time.Duration(rng.Int64N(int64(hi.Sub(lo)/time.Millisecond))) * time.Millisecond)
}

// seed fills the database: members over the weeks, their activities in
// the chats, customers and orders, CLV, standings, the ideas board, NPS,
// the desk, the showcase and moderation.
func (w *digestWorld) seed(t testing.TB, db *sqlx.DB, members int, rng *rand.Rand) {
	t.Helper()
	for _, c := range w.chats {
		var parent *int64
		if c.parent != 0 {
			parent = &c.parent
		}
		mustExec(t, db, `INSERT INTO chats (id, platform, platform_chat_id, kind, parent_id, title, is_staff) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.id, c.platform, c.pid, c.kind, parent, c.title, c.staff)
	}
	w.seedMembers(t, db, members, rng)
	w.seedActivities(t, db, members, rng)
	w.seedShop(t, db, members, rng)
	w.seedBoard(t, db, members, rng)
	w.seedNPSAndDesk(t, db, members, rng)
	w.seedShowcaseAndModeration(t, db, members, rng)
	w.seedHighlight(t, db, members, rng)
	// Last week's digest, with the VIPs' P(alive) then: some well above
	// today's, a few just under the fall that counts.
	mustExec(t, db, `INSERT INTO digests (week, made_at, digest) VALUES ('2026-W47', $1, '{}')`, w.starts[15])
	mustExec(t, db, `INSERT INTO digest_p_alive (week, member_id, p_alive)
SELECT '2026-W47', cu.member_id, least(1, v.p_alive + CASE WHEN cu.member_id % 4 = 1 THEN 0.35 ELSE 0.15 END)
FROM customers cu JOIN clv_snapshots v ON v.customer_id = cu.id WHERE cu.member_id IS NOT NULL AND v.p_alive IS NOT NULL`)
	mustExec(t, db, `INSERT INTO ticket_threads (ticket_id, platform, chat_id, thread_id) SELECT min(id), 'discord', 'd-900', 'd-901' FROM tickets`)
}

func (w *digestWorld) seedMembers(t testing.TB, db *sqlx.DB, n int, rng *rand.Rand) {
	t.Helper()
	first := w.starts[0].AddDate(0, 0, -60)
	var created []*string
	for i := range n {
		at := between(rng, first, w.now)
		switch i % 10 {
		case 0: // recent: the last weeks and the one under way
			at = between(rng, w.starts[13], w.now)
		case 1: // right at a week's start, local time
			at = w.starts[4+rng.IntN(12)]
		}
		created = append(created, ts(at))
	}
	mustExec(t, db, `INSERT INTO members (id, display_name, created_at) OVERRIDING SYSTEM VALUE
SELECT i, 'member ' || i, c::timestamptz FROM unnest($1::text[]) WITH ORDINALITY AS x (c, i)`, pq.Array(created))
}

// seedActivities writes the raw activities: each member is silent some
// weeks, and a share of the activities fall on Monday between midnight
// and 03:00 local time, when the UTC date is still Sunday's.
func (w *digestWorld) seedActivities(t testing.TB, db *sqlx.DB, members int, rng *rand.Rand) {
	t.Helper()
	kinds := []struct {
		kind   string
		weight int
		inChat bool
	}{{"message", 45, true}, {"reply", 15, true}, {"reaction", 14, true}, {"reaction_received", 10, true},
		{"join", 2, true}, {"idea", 3, false}, {"vote", 6, false}, {"helpful_answer", 5, true}}
	chatWeights := []int{40, 20, 15, 10, 8, 7, 4, 6}
	pick := func(weights []int) int {
		total := 0
		for _, x := range weights {
			total += x
		}
		r := rng.IntN(total)
		for i, x := range weights {
			if r < x {
				return i
			}
			r -= x
		}
		return len(weights) - 1
	}
	kindWeights := make([]int, len(kinds))
	for i, k := range kinds {
		kindWeights[i] = k.weight
	}
	var created []time.Time
	if err := db.Select(&created, `SELECT created_at FROM members ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	var mids, cids []*int64
	var kindCol, atCol []string
	add := func(member, chat int64, kind string, at time.Time) {
		var m, c *int64
		if member != 0 {
			m = &member
		}
		if chat != 0 {
			c = &chat
		}
		mids, cids, kindCol, atCol = append(mids, m), append(cids, c), append(kindCol, kind), append(atCol, *ts(at))
	}
	from := w.starts[0].AddDate(0, 0, -14)
	for m := range members {
		rate := 1 + rng.ExpFloat64()*20
		for week := from; week.Before(w.now); week = week.AddDate(0, 0, 7) {
			if rng.Float64() < 0.3 {
				continue // a silent week
			}
			end := week.AddDate(0, 0, 7)
			for range rng.IntN(int(2*rate) + 1) {
				at := between(rng, week, end)
				if rng.IntN(8) == 0 {
					at = between(rng, week, week.Add(3*time.Hour))
				}
				if at.Before(created[m]) || !at.Before(w.now) {
					continue
				}
				k := kinds[pick(kindWeights)]
				var chat int64
				if k.inChat {
					chat = w.chats[pick(chatWeights)].id
				}
				add(int64(m+1), chat, k.kind, at)
			}
		}
	}
	for range 400 { // messages of members since erased
		add(0, w.chats[rng.IntN(len(w.chats))].id, "message", between(rng, from, w.now))
	}
	mustExec(t, db, `INSERT INTO activities (member_id, chat_id, kind, at, message_id)
SELECT m, c, k, a::timestamptz, 'msg-' || i FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS x (m, c, k, a, i)`,
		pq.Array(mids), pq.Array(cids), pq.Array(kindCol), pq.Array(atCol))
	// Automod takes some back, as moderation does: they stop counting.
	mustExec(t, db, `UPDATE activities SET uncounted_at = at + interval '1 minute', uncounted_xid = pg_current_xact_id()
WHERE id % 23 = 0 AND member_id IS NOT NULL`)
}

// seedShop links most members to customers (and leaves some customers
// unlinked), with orders of every status and the customers' CLV.
func (w *digestWorld) seedShop(t testing.TB, db *sqlx.DB, members int, rng *rand.Rand) {
	t.Helper()
	mustExec(t, db, `INSERT INTO clv_models (id, computed_at, observation_end, period, customers, bgnbd, gammagamma) OVERRIDING SYSTEM VALUE
VALUES (1, $1, $1, 'day', 1, '{}', '{}')`, w.now)
	first := w.starts[0].AddDate(0, 0, -90)
	type order struct {
		customer, status string
		at               time.Time
		amount, refunded int // cents
	}
	var orders []order
	var custIDs []string
	var custMembers []*int64
	for i := range members + 40 {
		id, member := fmt.Sprintf("c-%d", i+1), int64(i+1)
		if i >= members || rng.Float64() < 0.4 {
			id = fmt.Sprintf("u-%d", i+1) // a customer no member is linked to
			custMembers = append(custMembers, nil)
		} else {
			custMembers = append(custMembers, &member)
		}
		custIDs = append(custIDs, id)
		for range rng.IntN(6) {
			o := order{customer: id, status: "paid", at: between(rng, first, w.now), amount: 500 + rng.IntN(30000)}
			switch r := rng.IntN(20); {
			case r < 3:
				o.refunded = rng.IntN(o.amount) // a partial refund
			case r < 4:
				o.refunded = o.amount // paid, then refunded in full
			case r < 5:
				o.amount = 0 // a free sample
			case r < 8:
				o.status, o.refunded = "refunded", o.amount
			case r < 11:
				o.status = "cancelled"
			}
			if rng.IntN(10) == 0 {
				o.at = w.starts[4+rng.IntN(12)] // right at a week's start
			}
			orders = append(orders, o)
		}
	}
	mustExec(t, db, `INSERT INTO customers (id, member_id, linked_at, linked_via)
SELECT id, m, CASE WHEN m IS NOT NULL THEN $3::timestamptz END, CASE WHEN m IS NOT NULL THEN 'token' ELSE '' END
FROM unnest($1::text[], $2::bigint[]) AS x (id, m)`, pq.Array(custIDs), pq.Array(custMembers), w.now)
	var oc, os, oa []string
	var amount, refunded []float64
	for _, o := range orders {
		oc, os, oa = append(oc, o.customer), append(os, o.status), append(oa, *ts(o.at))
		amount, refunded = append(amount, float64(o.amount)/100), append(refunded, float64(o.refunded)/100)
	}
	mustExec(t, db, `INSERT INTO orders (id, customer_id, ordered_at, amount, refunded, status, source)
SELECT 'o-' || i, c, a::timestamptz, amt, ref, s, 'api'
FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[]) WITH ORDINALITY AS x (c, s, a, amt, ref, i)`,
		pq.Array(oc), pq.Array(os), pq.Array(oa), pq.Array(amount), pq.Array(refunded))
	// Refunds reported apart: half of some orders, all of others (two
	// refunds), and some of another source's order of the same id, which
	// must not count.
	mustExec(t, db, `INSERT INTO refunds (id, order_id, amount, refunded_at, source)
SELECT 'r-' || o.id || '-' || k, o.id, CASE WHEN k = 1 THEN round(o.amount / 2, 2) ELSE o.amount END, o.ordered_at, s
FROM orders o, LATERAL (VALUES (1, 'api'), (2, 'api'), (3, 'shopify')) AS v (k, s)
WHERE (k = 1 AND substr(o.id, 3)::int % 7 = 0) OR (k = 2 AND substr(o.id, 3)::int % 11 = 0) OR (k = 3 AND substr(o.id, 3)::int % 5 = 0)`)
	// CLV for most customers: some without a prediction (no model fits
	// them), P(alive) spread so that some VIPs fall below the threshold.
	mustExec(t, db, `INSERT INTO clv_snapshots (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
    predicted_clv, p_alive, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, computed_at)
SELECT id, 1, 1, $1, $1, round((hashtext(id || 'r') & 65535)::numeric / 100, 2)::float8, 0,
       CASE WHEN hashtext(id) % 5 <> 0 THEN round((hashtext(id || 'p') & 131071)::numeric / 100, 2)::float8 END,
       CASE WHEN hashtext(id) % 5 <> 0 THEN (hashtext(id || 'a') & 1023) / 1023.0 END,
       1, 1, 1, 'x', $1
FROM customers WHERE hashtext(id || 's') % 7 <> 0`, w.now)
	// Standings for all but some members; VIPs among the linked ones
	// mostly, a few not linked; engagement that dropped for some.
	mustExec(t, db, `INSERT INTO member_standings (member_id, tier, flags, priority, value_percentile, engagement_percentile, level,
    this_week, prev_weekly, points, computed_at)
SELECT m.id,
       CASE WHEN (cu.id IS NOT NULL AND m.id % 3 = 0) OR m.id % 41 = 0 THEN 'vip'
            ELSE (ARRAY['newcomer', 'regular', 'loyal'])[1 + m.id % 3] END,
       (m.id % 2)::smallint, 0, 0, 0, 1 + (m.id * 7) % 4,
       (m.id * 13) % 17, CASE WHEN m.id % 4 = 0 THEN 0 ELSE (m.id * 11) % 19 END, 0, $1
FROM members m LEFT JOIN customers cu ON cu.member_id = m.id
WHERE m.id % 13 <> 0`, w.now)
}

func (w *digestWorld) seedBoard(t testing.TB, db *sqlx.DB, members int, rng *rand.Rand) {
	t.Helper()
	from := w.starts[0].AddDate(0, 0, -7)
	statuses := []string{"open", "under_review", "planned", "in_progress", "done", "declined", "merged"}
	for i := range 45 {
		kind, status := "idea", statuses[rng.IntN(len(statuses))]
		if i%6 == 5 {
			kind = "bug"
		}
		var merged *int64
		if i == 0 {
			status = "open"
		} else if status == "merged" {
			one := int64(1)
			merged = &one
		}
		value := float64(rng.IntN(5)*1000) / 100 // ties, broken by votes then id
		at := between(rng, from, w.now)
		if i%9 == 3 {
			at = w.starts[4+rng.IntN(12)]
		}
		mustExec(t, db, `INSERT INTO feedback_items (id, member_id, kind, title, platform, status, merged_into, votes, created_at, changed_at, voters_value) OVERRIDING SYSTEM VALUE
VALUES ($1, $2, $3, $4, 'telegram', $5, $6, $7, $8, $8, $9)`, i+1, 1+rng.IntN(members), kind, fmt.Sprintf("idea %d", i+1), status, merged,
			rng.IntN(4), at, value)
		voters := rng.Perm(members)[:rng.IntN(30)]
		for _, v := range voters {
			mustExec(t, db, `INSERT INTO feedback_votes (item_id, member_id, at) VALUES ($1, $2, $3)`, i+1, v+1, between(rng, at, w.now))
		}
	}
	for c := range 70 {
		at := between(rng, from, w.now)
		mustExec(t, db, `INSERT INTO feedback_changes (id, item_id, from_status, to_status, at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, 'open', 'planned', $3)`, c+1, 1+rng.IntN(45), at)
		for _, m := range rng.Perm(members)[:rng.IntN(5)] {
			queued := at.Add(time.Duration(rng.IntN(120)) * time.Minute)
			if rng.IntN(8) == 0 || !queued.Before(w.now) {
				queued = time.Time{} // not queued yet
			}
			mustExec(t, db, `INSERT INTO feedback_notices (change_id, member_id, created_at, queued_at, unreachable) VALUES ($1, $2, $3, $4, $5)`,
				c+1, m+1, at, ts(queued), rng.IntN(6) == 0)
		}
	}
}

func (w *digestWorld) seedNPSAndDesk(t testing.TB, db *sqlx.DB, members int, rng *rand.Rand) {
	t.Helper()
	survey := int64(0)
	for week := w.starts[0].AddDate(0, 0, -14); week.Before(w.now); week = week.AddDate(0, 0, 7) {
		if week.Equal(w.starts[8]) {
			continue // a week without a survey: no answer
		}
		survey++
		mustExec(t, db, `INSERT INTO nps_surveys (id, opened_at, closes_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3)`, survey, week, week.AddDate(0, 0, 7))
		for i, m := range rng.Perm(members)[:5+rng.IntN(20)] {
			at := between(rng, week, week.AddDate(0, 0, 7))
			if i == 0 {
				at = week // right at the week's start
			}
			if !at.Before(w.now) {
				continue
			}
			clv := float64(rng.IntN(50000)) / 100
			if rng.IntN(5) == 0 {
				clv = 0
			}
			mustExec(t, db, `INSERT INTO nps_answers (survey_id, member_id, score, tier, clv, platform, answered_at) VALUES ($1, $2, $3, 'regular', $4, 'telegram', $5)`,
				survey, m+1, rng.IntN(11), clv, at)
		}
	}
	from := w.starts[0].AddDate(0, 0, -7)
	for i := range 160 {
		opened := between(rng, from, w.now)
		if i%10 == 0 {
			opened = w.starts[10+rng.IntN(6)]
		}
		member := 1 + rng.IntN(members)
		if i%4 == 0 {
			member = 3 * (1 + rng.IntN(members/3)) // often a VIP
		}
		var responded, closed time.Time
		var csat *int
		if rng.IntN(5) > 0 {
			responded = opened.Add(time.Duration(30+rng.IntN(20000)) * time.Second)
		}
		if rng.IntN(4) > 0 {
			closed = opened.Add(time.Duration(1+rng.IntN(80)) * time.Hour)
			if rng.IntN(3) > 0 {
				c := 1 + rng.IntN(5)
				csat = &c
			}
		}
		for _, at := range []*time.Time{&responded, &closed} {
			if !at.Before(w.now) {
				*at = time.Time{}
			}
		}
		if closed.IsZero() {
			csat = nil
		}
		var id int64
		if err := db.Get(&id, `INSERT INTO tickets (member_id, platform, text, opened_at, first_response_due, resolution_due, first_response_at, closed_at, csat, csat_at)
VALUES ($1, 'telegram', 'help', $2, $3, $4, $5::timestamptz, $6::timestamptz, $7::smallint, CASE WHEN $7::smallint IS NOT NULL THEN $6::timestamptz END) RETURNING id`,
			member, opened, opened.Add(time.Hour), opened.Add(24*time.Hour), ts(responded), ts(closed), csat); err != nil {
			t.Fatal(err)
		}
		for _, a := range []struct{ clock, kind string }{{"first_response", "breach"}, {"resolution", "breach"}, {"first_response", "reminder"}} {
			due := opened.Add(time.Hour)
			if rng.IntN(3) > 0 || !due.Add(time.Minute).Before(w.now) {
				continue
			}
			mustExec(t, db, `INSERT INTO ticket_sla_alerts (ticket_id, clock, kind, due, raised_at) VALUES ($1, $2, $3, $4, $5)`,
				id, a.clock, a.kind, due, due.Add(time.Minute))
		}
	}
	// The most valuable VIP's oldest open ticket has had a reminder only,
	// a newer one is past its SLA, and a closed one was: only the newer
	// one is overdue.
	mustExec(t, db, `WITH vip AS (
    SELECT s.member_id FROM member_standings s JOIN customers c ON c.member_id = s.member_id JOIN clv_snapshots v ON v.customer_id = c.id
    WHERE s.tier = 'vip' AND v.predicted_clv IS NOT NULL ORDER BY v.predicted_clv DESC LIMIT 1),
t AS (
    INSERT INTO tickets (member_id, platform, text, opened_at, first_response_due, resolution_due, closed_at)
    SELECT member_id, 'telegram', 'help', $1::timestamptz - o * interval '1 day', $1::timestamptz - o * interval '1 day' + interval '1 hour',
           $1::timestamptz, CASE WHEN o = 1 THEN $1::timestamptz END
    FROM vip, (VALUES (3), (2), (1)) AS x (o) RETURNING id, opened_at, closed_at)
INSERT INTO ticket_sla_alerts (ticket_id, clock, kind, due, raised_at)
SELECT id, 'first_response', CASE WHEN opened_at = min(opened_at) OVER () THEN 'reminder' ELSE 'breach' END,
       opened_at + interval '1 hour', opened_at + interval '1 hour' FROM t`, w.starts[15].Add(12*time.Hour))
	outcomes := []string{"answered", "suggested", "solved", "escalated"}
	for range 90 {
		mustExec(t, db, `INSERT INTO kb_questions (member_id, platform, lang, text, action, score, outcome, asked_at)
VALUES ($1, 'telegram', 'en', 'how?', 'answer', 0.5, $2, $3)`, 1+rng.IntN(members), outcomes[rng.IntN(4)], between(rng, from, w.now))
	}
}

func (w *digestWorld) seedShowcaseAndModeration(t testing.TB, db *sqlx.DB, members int, rng *rand.Rand) {
	t.Helper()
	from := w.starts[0].AddDate(0, 0, -7)
	statuses := []string{"pending", "approved", "rejected", "consented", "declined"}
	for range 70 {
		created := between(rng, from, w.now)
		status := statuses[rng.IntN(len(statuses))]
		reviewed := created.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
		if !reviewed.Before(w.now) {
			status = "pending"
		}
		if status == "pending" {
			reviewed = time.Time{}
		}
		var id int64
		if err := db.Get(&id, `INSERT INTO showcase_submissions (member_id, platform, chat_id, status, reason, reviewed_at, created_at)
VALUES ($1, 'telegram', 1, $2, CASE WHEN $2 = 'rejected' THEN 'blurry' ELSE '' END, $3, $4) RETURNING id`,
			1+rng.IntN(members), status, ts(reviewed), created); err != nil {
			t.Fatal(err)
		}
		if status != "consented" && status != "declined" {
			continue
		}
		decision, credit := "decline", "none"
		if status == "consented" {
			decision, credit = "allow", "named"
			if rng.IntN(2) == 0 {
				decision, credit = "allow_anonymous", "anonymous"
			}
		}
		granted := reviewed.Add(time.Duration(rng.IntN(600)) * time.Minute)
		if !granted.Before(w.now) {
			granted = reviewed
		}
		var consent int64
		if err := db.Get(&consent, `INSERT INTO showcase_consents (member_id, submission_id, scopes, text, text_hash, decision, credit, granted_at, expires_at, platform)
VALUES ($1, $2, '{community}', 'I agree', sha256('I agree'::bytea), $3, $4, $5, $6, 'telegram') RETURNING id`,
			1+rng.IntN(members), id, decision, credit, granted, granted.AddDate(1, 0, 0)); err != nil {
			t.Fatal(err)
		}
		reshared := granted.Add(time.Duration(rng.IntN(3000)) * time.Minute)
		if decision == "decline" || rng.IntN(3) == 0 || !reshared.Before(w.now) {
			continue
		}
		mustExec(t, db, `WITH e AS (INSERT INTO outbox_events (kind, status, created_at, rendered_at) VALUES ('showcase.reshare', 'rendered', $2, $2) RETURNING id)
INSERT INTO showcase_reshares (consent_id, event_id) SELECT $1, id FROM e`, consent, granted)
		if rng.IntN(4) == 0 { // its messages pruned since
			mustExec(t, db, `DELETE FROM outbox_events WHERE id = (SELECT event_id FROM showcase_reshares WHERE consent_id = $1)`, consent)
		}
	}
	actions := []string{"moderation.warn", "moderation.mute", "moderation.ban", "moderation.unmute", "moderation.kick",
		"moderation.purge", "moderation.delete", "moderation.unban", "settings.changed"}
	for i := range 260 {
		at := between(rng, from, w.now)
		if i%5 == 0 {
			at = between(rng, w.starts[15], w.starts[16]) // many in the digest's week
		}
		target := 1 + rng.IntN(members)
		if i%3 == 0 {
			target = 3 * (1 + rng.IntN(members/3)) // often a VIP
		}
		mustExec(t, db, `INSERT INTO audit_log (at, actor_member_id, action, target_member_id, chat_id) VALUES ($1, 1, $2, $3, 1)`,
			at, actions[rng.IntN(len(actions))], target)
	}
}

// seedHighlight adds what the public highlight reads: members hidden from
// /top (a quarter), ideas moved to done in the digest's week and the week
// before (and a bug, which is not an idea), and consents for the
// community that do not count: for the brand only, revoked, expired by
// the week's end, declined.
func (w *digestWorld) seedHighlight(t testing.TB, db *sqlx.DB, members int, rng *rand.Rand) {
	t.Helper()
	for i := range 14 { // a busy week of newcomers: more than a highlight names
		mustExec(t, db, `INSERT INTO members (id, display_name, created_at) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3)`,
			1001+i, fmt.Sprintf("newcomer %d", i), between(rng, w.starts[15], w.starts[16]))
	}
	mustExec(t, db, `UPDATE members SET hide_from_top = true WHERE id % 4 = 0`)
	for i, item := range []int{101, 102, 103, 104, 105} {
		kind, at := "idea", between(rng, w.starts[15], w.starts[16])
		switch i {
		case 3:
			kind = "bug"
		case 4:
			at = between(rng, w.starts[14], w.starts[15])
		}
		mustExec(t, db, `INSERT INTO feedback_items (id, member_id, kind, title, platform, status, votes, created_at, changed_at) OVERRIDING SYSTEM VALUE
VALUES ($1, $2, $3, $4, 'telegram', 'done', $5, $6, $7)`, item, 1+rng.IntN(members), kind, fmt.Sprintf("shipped %d", item), 10+i, w.starts[2], at)
		mustExec(t, db, `INSERT INTO feedback_changes (id, item_id, from_status, to_status, at) OVERRIDING SYSTEM VALUE VALUES ($1, $1, 'in_progress', 'done', $2)`, item, at)
	}
	for i := range 24 {
		granted := between(rng, w.starts[15], w.starts[16].Add(-2*time.Hour))
		if i%8 == 7 {
			granted = between(rng, w.starts[14], w.starts[15])
		}
		scopes, decision, credit := "{community,brand}", "allow", "named"
		var revoked *string
		expires := w.now.AddDate(1, 0, 0)
		switch i % 6 {
		case 1:
			decision, credit = "allow_anonymous", "anonymous"
		case 2:
			scopes = "{brand}"
		case 3:
			revoked = ts(granted.Add(time.Minute))
		case 4:
			expires = granted.Add(time.Hour) // before the week's end
		case 5:
			decision, credit = "decline", "none"
		}
		var sub int64
		if err := db.Get(&sub, `INSERT INTO showcase_submissions (member_id, platform, chat_id, status, reviewed_at, created_at)
VALUES ($1, 'telegram', 1, 'consented', $2, $2) RETURNING id`, 1+rng.IntN(members), granted); err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, `INSERT INTO showcase_consents (member_id, submission_id, scopes, text, text_hash, decision, credit, granted_at, expires_at, revoked_at, platform)
VALUES ($1, $2, $3, 'I agree', sha256('I agree'::bytea), $4, $5, $6, $7, $8, 'telegram')`,
			1+rng.IntN(members), sub, scopes, decision, credit, granted, expires, revoked)
	}
}
