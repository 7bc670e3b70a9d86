package storage_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

// digestRules are the rules the tests make digests by, in Athens.
func digestRules(loc *time.Location) digest.Rules {
	return digest.Rules{Location: loc, Tiers: community.DefaultTierRules(), Weights: community.DefaultEngagementWeights()}
}

// TestDigestNumbersAgreeWithIndependentSQL seeds sixteen weeks of a
// community and checks every number of the digest of its last complete
// week against counts read from the raw tables, week by week.
func TestDigestNumbersAgreeWithIndependentSQL(t *testing.T) {
	db := storagetest.New(t)
	w := newDigestWorld(t)
	w.seed(t, db, 200, rand.New(rand.NewPCG(7, 49)))
	ctx := context.Background()
	svc, err := digest.NewDigests(storage.New(db), digestRules(w.loc), func() time.Time { return w.now })
	if err != nil {
		t.Fatal(err)
	}
	week := svc.LastWeek()
	if week.String() != "2026-W48" {
		t.Fatalf("last week %s, want 2026-W48", week)
	}
	d, err := svc.Make(ctx, week)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d activities (%d uncounted), %d orders, %d NPS answers, %d tickets",
		storagetest.Count(t, db, `SELECT count(*) FROM activities`), storagetest.Count(t, db, `SELECT count(*) FROM activities WHERE uncounted_xid IS NOT NULL`),
		storagetest.Count(t, db, `SELECT count(*) FROM orders`), storagetest.Count(t, db, `SELECT count(*) FROM nps_answers`),
		storagetest.Count(t, db, `SELECT count(*) FROM tickets`))
	x := expectDigest{t: t, db: db, w: w}
	x.proveTheBucketsMatter()
	if d.Week != week || !d.Start.Equal(w.starts[15]) || !d.End.Equal(w.starts[16]) || d.Zone != "Europe/Athens" || !d.MadeAt.Equal(w.now) {
		t.Errorf("digest of %s, [%s, %s) in %s made %s; want %s, [%s, %s) in Europe/Athens made %s", d.Week, d.Start, d.End, d.Zone, d.MadeAt,
			week, w.starts[15], w.starts[16], w.now)
	}
	x.members(d)
	x.activity(d)
	x.contributors(d)
	x.atRisk(d)
	x.ideas(d)
	x.nps(d)
	x.support(d)
	x.posts(d)
	x.moderation(d)
	x.clv(d)
	x.trend(d)
	x.highlight(d)
}

// expectDigest computes what a digest of the world's week 15 should say,
// from the raw tables.
type expectDigest struct {
	t  *testing.T
	db *sqlx.DB
	w  *digestWorld
}

// date is the local calendar date of bound k: activity weeks are the
// UTC days that carry the week's local dates.
func (x expectDigest) date(k int) string { return x.w.starts[k].Format(time.DateOnly) }

// counted restricts raw activities to those that count, in the UTC days
// of the dates $1 to $2 (excluded).
const counted = ` uncounted_xid IS NULL AND (at AT TIME ZONE 'UTC')::date >= $1::date AND (at AT TIME ZONE 'UTC')::date < $2::date`

// activeKinds are the activities that make a member active.
const activeKinds = ` AND kind NOT IN ('reaction_received', 'join')`

// perWeek runs query for each of the sixteen weeks with their bounds
// ($1, $2: moments) and returns the counts.
func (x expectDigest) perWeek(query string, byDate bool) []float64 {
	x.t.Helper()
	out := make([]float64, 16)
	for k := range 16 {
		var lo, hi any = x.w.starts[k], x.w.starts[k+1]
		if byDate {
			lo, hi = x.date(k), x.date(k+1)
		}
		if err := x.db.Get(&out[k], query, lo, hi); err != nil {
			x.t.Fatalf("%s: %v", query, err)
		}
	}
	return out
}

// proveTheBucketsMatter checks that the seed has counted activities
// whose UTC date falls in another week than their local date, so that a
// digest bucketing by either would be caught.
func (x expectDigest) proveTheBucketsMatter() {
	x.t.Helper()
	n := storagetest.Count(x.t, x.db, `SELECT count(*) FROM activities WHERE uncounted_xid IS NULL AND at >= $1 AND at < $2
AND (at AT TIME ZONE 'UTC')::date < $3::date`, x.w.starts[15], x.w.starts[16], x.date(15))
	if n < 20 {
		x.t.Fatalf("%d activities of the week by local time fall on the week before's UTC dates; want a good many", n)
	}
}

// sameFigure checks a Figure against the weekly values of the sixteen
// weeks: This is week 15, Prev week 14, Avg4 the mean of weeks 11 to 14.
func sameFigure(t *testing.T, name string, got digest.Figure, weekly []float64) {
	t.Helper()
	n := len(weekly)
	want := digest.Figure{This: weekly[n-1], Prev: weekly[n-2], Avg4: (weekly[n-2] + weekly[n-3] + weekly[n-4] + weekly[n-5]) / 4, Before: 4}
	if !near(got.This, want.This) || !near(got.Prev, want.Prev) || !near(got.Avg4, want.Avg4) || got.Before != want.Before {
		t.Errorf("%s: got %+v, want %+v", name, got, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func (x expectDigest) members(d digest.Digest) {
	x.t.Helper()
	active := make([]map[int64]bool, 16)
	for k := range 16 {
		var ids []int64
		if err := x.db.Select(&ids, `SELECT DISTINCT member_id FROM activities WHERE member_id IS NOT NULL AND`+counted+activeKinds,
			x.date(k), x.date(k+1)); err != nil {
			x.t.Fatal(err)
		}
		active[k] = map[int64]bool{}
		for _, id := range ids {
			active[k][id] = true
		}
	}
	created := map[int64]time.Time{}
	rows, err := x.db.Query(`SELECT id, created_at FROM members`)
	if err != nil {
		x.t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			x.t.Fatal(err)
		}
		created[id] = at
	}
	if err := rows.Close(); err != nil {
		x.t.Fatal(err)
	}
	nActive, returning, quiet := make([]float64, 16), make([]float64, 16), make([]float64, 16)
	for k := 4; k < 16; k++ {
		nActive[k] = float64(len(active[k]))
		for id := range active[k] {
			if !active[k-1][id] && created[id].Before(x.w.starts[k-1]) {
				returning[k]++
			}
		}
		before := map[int64]bool{}
		for j := k - 4; j < k; j++ {
			for id := range active[j] {
				before[id] = true
			}
		}
		for id := range before {
			if !active[k][id] {
				quiet[k]++
			}
		}
	}
	newMembers := x.perWeek(`SELECT count(*) FROM members WHERE created_at >= $1 AND created_at < $2`, false)
	sameFigure(x.t, "new members", d.Members.New, newMembers)
	sameFigure(x.t, "active members", d.Members.Active, nActive)
	sameFigure(x.t, "returning members", d.Members.Returning, returning)
	sameFigure(x.t, "members gone quiet", d.Members.GoneQuiet, quiet)
	if returning[15] == 0 || quiet[15] == 0 || newMembers[15] == 0 {
		x.t.Errorf("the seed should have members new (%v), returning (%v) and gone quiet (%v) in the week", newMembers[15], returning[15], quiet[15])
	}
}

// messagesSQL counts a week's messages in the community's chats: those
// the busiest list may show (not the staff's, not private ones).
func (x expectDigest) messagesSQL() string {
	var ours []string
	for _, c := range x.w.chats {
		if c.countsAmongTheBusiest {
			ours = append(ours, fmt.Sprint(c.id))
		}
	}
	return `SELECT count(*) FROM activities WHERE chat_id IN (` + strings.Join(ours, ", ") + `) AND kind IN ('message', 'reply') AND` + counted
}

func (x expectDigest) activity(d digest.Digest) {
	x.t.Helper()
	sameFigure(x.t, "messages", d.Activity.Messages, x.perWeek(x.messagesSQL(), true))
	byChat := func(k int) map[int64]int {
		var rows []struct {
			Chat int64 `db:"chat_id"`
			N    int   `db:"n"`
		}
		if err := x.db.Select(&rows, `SELECT chat_id, count(*) AS n FROM activities WHERE chat_id IS NOT NULL AND kind IN ('message', 'reply') AND`+counted+
			` GROUP BY chat_id`, x.date(k), x.date(k+1)); err != nil {
			x.t.Fatal(err)
		}
		out := map[int64]int{}
		for _, r := range rows {
			out[r.Chat] = r.N
		}
		return out
	}
	this, prev := byChat(15), byChat(14)
	var want []digest.ChatLine
	var ids []int64
	for _, c := range x.w.chats {
		if c.countsAmongTheBusiest && this[c.id] > 0 {
			want = append(want, digest.ChatLine{Title: c.busiestTitle, Platform: community.Platform(c.platform), Messages: this[c.id], Prev: prev[c.id]})
			ids = append(ids, c.id)
		}
	}
	order := make([]int, len(want))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(want[b].Messages, want[a].Messages), cmp.Compare(ids[a], ids[b]))
	})
	sorted := make([]digest.ChatLine, 0, len(want))
	for _, i := range order {
		sorted = append(sorted, want[i])
	}
	sorted = sorted[:min(len(sorted), digest.Listed)]
	if this[5] == 0 || this[6] == 0 || this[7] == 0 || this[8] == 0 {
		x.t.Errorf("the staff chats (%d, %d), the ticket's thread (%d) and the direct chat (%d) should have messages in the week",
			this[5], this[7], this[8], this[6])
	}
	sameJSON(x.t, "busiest chats", d.Activity.Busiest, sorted)
}

func sameJSON(t *testing.T, name string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", name, g, w)
	}
}

func (x expectDigest) contributors(d digest.Digest) {
	x.t.Helper()
	var rows []struct {
		Member int64  `db:"member_id"`
		Kind   string `db:"kind"`
		N      int    `db:"n"`
	}
	if err := x.db.Select(&rows, `SELECT member_id, kind, count(*) AS n FROM activities WHERE member_id IS NOT NULL AND`+counted+
		` GROUP BY 1, 2`, x.date(15), x.date(16)); err != nil {
		x.t.Fatal(err)
	}
	weights := community.DefaultEngagementWeights()
	byMember := map[int64]*digest.Contributor{}
	for _, r := range rows {
		c := byMember[r.Member]
		if c == nil {
			c = &digest.Contributor{Member: community.MemberID(r.Member)}
			byMember[r.Member] = c
		}
		c.Points += float64(r.N) * weights[community.ActivityKind(r.Kind)]
		if r.Kind == "message" || r.Kind == "reply" {
			c.Messages += r.N
		}
	}
	var want []digest.Contributor
	for _, c := range byMember {
		if c.Points > 0 {
			want = append(want, *c)
		}
	}
	slices.SortFunc(want, func(a, b digest.Contributor) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(a.Member, b.Member))
	})
	want = want[:min(len(want), digest.Listed)]
	for i := range want {
		c := &want[i]
		var v struct {
			Name      string   `db:"display_name"`
			Tier      *string  `db:"tier"`
			Customer  *string  `db:"customer"`
			Predicted *float64 `db:"predicted_clv"`
			Revenue   *float64 `db:"revenue"`
		}
		if err := x.db.Get(&v, `SELECT m.display_name, (SELECT tier FROM member_standings WHERE member_id = m.id) AS tier,
       (SELECT id FROM customers WHERE member_id = m.id) AS customer,
       (SELECT predicted_clv FROM clv_snapshots s JOIN customers c ON c.id = s.customer_id WHERE c.member_id = m.id) AS predicted_clv,
       (SELECT revenue FROM clv_snapshots s JOIN customers c ON c.id = s.customer_id WHERE c.member_id = m.id) AS revenue
FROM members m WHERE m.id = $1`, c.Member); err != nil {
			x.t.Fatal(err)
		}
		var err error
		c.Name, c.Tier, c.Linked = v.Name, community.TierNewcomer, v.Customer != nil
		if v.Tier != nil {
			if c.Tier, err = community.ParseTier(*v.Tier); err != nil {
				x.t.Fatal(err)
			}
		}
		if v.Predicted != nil {
			c.Predicted, c.Modelled = *v.Predicted, true
		}
		if v.Revenue != nil {
			c.Revenue = *v.Revenue
		}
	}
	sameJSON(x.t, "top contributors", d.Top, want)
}
