package storage_test

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/feedback"
	"github.com/lib/pq"
)

// atRisk applies the at-risk rule, written out here, to every VIP.
func (x expectDigest) atRisk(d digest.Digest) {
	x.t.Helper()
	end := x.w.starts[16]
	var vips []struct {
		Member     int64    `db:"member_id"`
		Name       string   `db:"display_name"`
		Predicted  *float64 `db:"predicted_clv"`
		PAlive     *float64 `db:"p_alive"`
		Revenue    *float64 `db:"revenue"`
		Before     *float64 `db:"before"` // P(alive) at last week's digest
		This, Prev float64
	}
	if err := x.db.Select(&vips, `SELECT s.member_id, m.display_name, v.predicted_clv, v.p_alive, v.revenue,
       (SELECT p.p_alive FROM digest_p_alive p WHERE p.week = '2026-W47' AND p.member_id = s.member_id) AS before
FROM member_standings s JOIN members m ON m.id = s.member_id
LEFT JOIN customers c ON c.member_id = s.member_id LEFT JOIN clv_snapshots v ON v.customer_id = c.id
WHERE s.tier = 'vip'`); err != nil {
		x.t.Fatal(err)
	}
	// Their weighted activity in the digest's week, and the weekly
	// average of the four before, from the raw activities.
	weights := community.DefaultEngagementWeights()
	points := func(member int64, from, to int) float64 {
		var rows []struct {
			Kind string `db:"kind"`
			N    int    `db:"n"`
		}
		if err := x.db.Select(&rows, `SELECT kind, count(*) AS n FROM activities WHERE member_id = $3 AND`+counted+` GROUP BY kind`,
			x.date(from), x.date(to), member); err != nil {
			x.t.Fatal(err)
		}
		sum := 0.0
		for _, r := range rows {
			sum += float64(r.N) * weights[community.ActivityKind(r.Kind)]
		}
		return sum
	}
	for i := range vips {
		vips[i].This, vips[i].Prev = points(vips[i].Member, 15, 16), points(vips[i].Member, 11, 15)/4
	}
	rules := community.DefaultTierRules()
	var want []digest.AtRisk
	for _, v := range vips {
		a := digest.AtRisk{Member: community.MemberID(v.Member), Name: v.Name, Score: -1}
		if v.Predicted != nil {
			a.Predicted, a.Modelled = *v.Predicted, true
		}
		if v.Revenue != nil {
			a.Revenue = *v.Revenue
		}
		var scores []int
		if err := x.db.Select(&scores, `SELECT score FROM nps_answers WHERE member_id = $1 AND answered_at >= $2 AND answered_at < $3
ORDER BY answered_at DESC, id DESC`, v.Member, end.AddDate(0, 0, -90), end); err != nil {
			x.t.Fatal(err)
		}
		if len(scores) > 0 {
			a.Score = scores[0]
		}
		var overdue []int64
		if err := x.db.Select(&overdue, `SELECT id FROM tickets t WHERE member_id = $1 AND closed_at IS NULL
AND (SELECT count(*) FROM ticket_sla_alerts a WHERE a.ticket_id = t.id AND a.kind = 'breach') > 0 ORDER BY opened_at, id`, v.Member); err != nil {
			x.t.Fatal(err)
		}
		if len(overdue) > 0 {
			a.Reasons, a.Ticket = append(a.Reasons, digest.ReasonOverdueTicket), overdue[0]
		}
		if a.Score >= 0 && a.Score <= 6 {
			a.Reasons = append(a.Reasons, digest.ReasonDetractor)
		}
		switch {
		case v.Predicted != nil && *v.PAlive < rules.AtRiskPAlive:
			a.Reasons, a.PAlive = append(a.Reasons, digest.ReasonUnlikelyToBuy), *v.PAlive
		case v.Predicted != nil && v.Before != nil && *v.Before-*v.PAlive >= 0.2:
			a.Reasons, a.PAlive, a.PrevPAlive = append(a.Reasons, digest.ReasonPAliveFall), *v.PAlive, *v.Before
		}
		if v.Prev > 0 && v.This/v.Prev-1 <= -rules.AtRiskDrop {
			a.Reasons, a.Drop = append(a.Reasons, digest.ReasonEngagementDrop), v.This/v.Prev-1
		}
		if len(a.Reasons) == 0 {
			continue
		}
		a.Action = map[digest.Reason]digest.Action{digest.ReasonOverdueTicket: digest.ActionAnswerTicket, digest.ReasonDetractor: digest.ActionFollowUpNPS,
			digest.ReasonUnlikelyToBuy: digest.ActionWinBack, digest.ReasonPAliveFall: digest.ActionWinBack,
			digest.ReasonEngagementDrop: digest.ActionPersonalCheck}[a.Reasons[0]]
		want = append(want, a)
	}
	slices.SortFunc(want, func(a, b digest.AtRisk) int {
		return cmp.Or(cmp.Compare(b.Predicted, a.Predicted), cmp.Compare(b.Revenue, a.Revenue), cmp.Compare(a.Member, b.Member))
	})
	if d.AtRiskCount != len(want) || len(want) <= digest.AtRiskListed {
		x.t.Errorf("VIPs at risk: %d, want %d (the seed should put more than %d at risk)", d.AtRiskCount, len(want), digest.AtRiskListed)
	}
	reasons := map[digest.Reason]bool{}
	for _, a := range want {
		for _, r := range a.Reasons {
			reasons[r] = true
		}
	}
	if len(reasons) != 5 {
		x.t.Errorf("the seed puts VIPs at risk for %v only; want every reason", reasons)
	}
	sameJSON(x.t, "VIPs at risk", d.AtRisk, want[:min(len(want), digest.AtRiskListed)])
}

func (x expectDigest) ideas(d digest.Digest) {
	x.t.Helper()
	sameFigure(x.t, "new ideas", d.Ideas.New, x.perWeek(`SELECT count(*) FROM feedback_items WHERE kind = 'idea' AND created_at >= $1 AND created_at < $2`, false))
	sameFigure(x.t, "status changes", d.Ideas.StatusChanges, x.perWeek(`SELECT count(*) FROM feedback_changes WHERE at >= $1 AND at < $2`, false))
	sameFigure(x.t, "voters told", d.Ideas.VotersTold,
		x.perWeek(`SELECT count(*) FROM feedback_notices WHERE unreachable = false AND queued_at IS NOT NULL AND queued_at >= $1 AND queued_at < $2`, false))
	var items []struct {
		ID     int64   `db:"id"`
		Title  string  `db:"title"`
		Status string  `db:"status"`
		Votes  int     `db:"votes"`
		Value  float64 `db:"voters_value"`
	}
	if err := x.db.Select(&items, `SELECT id, title, status, votes, voters_value::float8 AS voters_value FROM feedback_items WHERE kind = 'idea'`); err != nil {
		x.t.Fatal(err)
	}
	var want []digest.IdeaLine
	for _, it := range items {
		switch feedback.Status(it.Status) {
		case "done", "declined", "merged":
			continue
		}
		line := digest.IdeaLine{ID: it.ID, Title: it.Title, Status: feedback.Status(it.Status), Votes: it.Votes, Value: it.Value}
		var ats []time.Time
		if err := x.db.Select(&ats, `SELECT at FROM feedback_votes WHERE item_id = $1`, it.ID); err != nil {
			x.t.Fatal(err)
		}
		for _, at := range ats {
			if !at.Before(x.w.starts[15]) && at.Before(x.w.starts[16]) {
				line.NewVotes++
			}
		}
		want = append(want, line)
	}
	slices.SortFunc(want, func(a, b digest.IdeaLine) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(b.Votes, a.Votes), cmp.Compare(a.ID, b.ID))
	})
	sameJSON(x.t, "top ideas", d.Ideas.Top, want[:min(len(want), digest.Listed)])
}

// answers are the NPS answers of week k: their scores and CLV weights.
func (x expectDigest) answers(k int) ([]feedback.Score, []feedback.Weighted) {
	x.t.Helper()
	var rows []struct {
		Score int     `db:"score"`
		CLV   float64 `db:"clv"`
	}
	if err := x.db.Select(&rows, `SELECT score, clv FROM nps_answers WHERE answered_at >= $1 AND answered_at < $2`, x.w.starts[k], x.w.starts[k+1]); err != nil {
		x.t.Fatal(err)
	}
	var scores []feedback.Score
	var weighted []feedback.Weighted
	for _, r := range rows {
		scores = append(scores, feedback.Score(r.Score))
		weighted = append(weighted, feedback.Weighted{Score: feedback.Score(r.Score), Weight: r.CLV})
	}
	return scores, weighted
}

func (x expectDigest) nps(d digest.Digest) {
	x.t.Helper()
	sameFigure(x.t, "NPS answers", d.NPS.Answers, x.perWeek(`SELECT count(*) FROM nps_answers WHERE answered_at >= $1 AND answered_at < $2`, false))
	scores, weighted := x.answers(15)
	prev, _ := x.answers(14)
	// The weighted NPS does not depend on the answers' order, but its
	// sums do in the last bits: compare it at a tolerance.
	sameJSON(x.t, "NPS", d.NPS.Score, feedback.Compute(scores))
	sameJSON(x.t, "previous NPS", d.NPS.Prev, feedback.Compute(prev))
	w := feedback.ComputeWeighted(weighted)
	g := d.NPS.Weighted
	if !near(g.Score, w.Score) || !near(g.Low, w.Low) || !near(g.High, w.High) || !near(g.EffectiveResponses, w.EffectiveResponses) ||
		g.Promoters != w.Promoters || g.Passives != w.Passives || g.Detractors != w.Detractors || g.Responses != w.Responses {
		x.t.Errorf("CLV-weighted NPS: got %+v, want %+v", g, w)
	}
}

// support checks the desk's five weeks, counted here from the tickets.
func (x expectDigest) support(d digest.Digest) {
	x.t.Helper()
	var opened, closed, breaches, median, csat, hit []float64
	var responded, rated, asked int
	for k := 11; k < 16; k++ {
		lo, hi := x.w.starts[k], x.w.starts[k+1]
		var tickets []struct {
			Opened    time.Time  `db:"opened_at"`
			Responded *time.Time `db:"first_response_at"`
		}
		if err := x.db.Select(&tickets, `SELECT opened_at, first_response_at FROM tickets WHERE opened_at >= $1 AND opened_at < $2`, lo, hi); err != nil {
			x.t.Fatal(err)
		}
		var waits []float64
		for _, tk := range tickets {
			if tk.Responded != nil {
				waits = append(waits, tk.Responded.Sub(tk.Opened).Minutes())
			}
		}
		sort.Float64s(waits)
		m := 0.0
		if n := len(waits); n > 0 {
			m = (waits[(n-1)/2] + waits[n/2]) / 2
		}
		var ratings []int
		if err := x.db.Select(&ratings, `SELECT csat FROM tickets WHERE csat IS NOT NULL AND closed_at >= $1 AND closed_at < $2`, lo, hi); err != nil {
			x.t.Fatal(err)
		}
		mean := 0.0
		for _, r := range ratings {
			mean += float64(r) / float64(len(ratings))
		}
		var outcomes []string
		if err := x.db.Select(&outcomes, `SELECT outcome FROM kb_questions WHERE asked_at >= $1 AND asked_at < $2`, lo, hi); err != nil {
			x.t.Fatal(err)
		}
		hits := 0
		for _, o := range outcomes {
			if o == "answered" || o == "solved" {
				hits++
			}
		}
		rate := 0.0
		if len(outcomes) > 0 {
			rate = float64(hits) / float64(len(outcomes))
		}
		opened = append(opened, float64(len(tickets)))
		closed = append(closed, float64(countRows(x, `SELECT count(*) FROM tickets WHERE closed_at >= $1 AND closed_at < $2`, lo, hi)))
		breaches = append(breaches, float64(countRows(x, `SELECT count(*) FROM ticket_sla_alerts WHERE kind = 'breach' AND raised_at >= $1 AND raised_at < $2`, lo, hi)))
		median, csat, hit = append(median, m), append(csat, mean), append(hit, rate)
		responded, rated, asked = len(waits), len(ratings), len(outcomes)
	}
	s := d.Support
	sameFigure(x.t, "tickets opened", s.Opened, opened)
	sameFigure(x.t, "tickets closed", s.Closed, closed)
	sameFigure(x.t, "SLA breaches", s.Breaches, breaches)
	sameFigure(x.t, "CSAT", s.CSAT, csat)
	sameFigure(x.t, "KB hit rate", s.KBHitRate, hit)
	// A duration keeps nanoseconds: the median in minutes is exact to
	// far below a second.
	f := s.FirstResponseMins
	if len(median) != 5 || math.Abs(f.This-median[4]) > 1e-6 || math.Abs(f.Prev-median[3]) > 1e-6 || math.Abs(f.Avg4-(median[0]+median[1]+median[2]+median[3])/4) > 1e-6 {
		x.t.Errorf("median first response: got %+v, want the medians %v", f, median)
	}
	openNow := countRows(x, `SELECT count(*) FROM tickets WHERE closed_at IS NULL`)
	if s.OpenNow != openNow || s.Responded != responded || s.Rated != rated || s.Asked != asked {
		x.t.Errorf("support: open %d, responded %d, rated %d, asked %d; want %d, %d, %d, %d", s.OpenNow, s.Responded, s.Rated, s.Asked,
			openNow, responded, rated, asked)
	}
}

func countRows(x expectDigest, query string, args ...any) int {
	x.t.Helper()
	var n int
	if err := x.db.Get(&n, query, args...); err != nil {
		x.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (x expectDigest) posts(d digest.Digest) {
	x.t.Helper()
	sameFigure(x.t, "posts submitted", d.Posts.Submitted, x.perWeek(`SELECT count(*) FROM showcase_submissions WHERE created_at >= $1 AND created_at < $2`, false))
	sameFigure(x.t, "posts approved", d.Posts.Approved,
		x.perWeek(`SELECT count(*) FROM showcase_submissions WHERE status IN ('approved', 'consented', 'declined') AND reviewed_at >= $1 AND reviewed_at < $2`, false))
	sameFigure(x.t, "posts consented", d.Posts.Consented,
		x.perWeek(`SELECT count(*) FROM showcase_consents WHERE decision IN ('allow', 'allow_anonymous') AND granted_at >= $1 AND granted_at < $2`, false))
	// A reshare is queued with its consent; a pruned event leaves it counted.
	sameFigure(x.t, "posts reshared", d.Posts.Reshared, x.perWeek(`SELECT count(*) FROM showcase_reshares r, showcase_consents c
WHERE c.id = r.consent_id AND c.granted_at >= $1 AND c.granted_at < $2`, false))
	if n := countRows(x, `SELECT count(*) FROM showcase_reshares WHERE event_id IS NULL`); n == 0 {
		x.t.Error("the seed should have a reshare whose event was pruned")
	}
}

// moderationActions are what the digest counts as moderation: not the
// undoing (unmute, unban) nor other audit entries.
var moderationActions = pq.StringArray{"moderation.warn", "moderation.mute", "moderation.ban", "moderation.kick", "moderation.purge", "moderation.delete"}

func (x expectDigest) moderation(d digest.Digest) {
	x.t.Helper()
	sameFigure(x.t, "moderation actions", d.Moderation.Actions,
		x.perWeek(`SELECT count(*) FROM audit_log WHERE action = ANY ('`+arrayLiteral(moderationActions)+`') AND at >= $1 AND at < $2`, false))
	sameFigure(x.t, "moderation on VIPs", d.Moderation.OnVIPs, x.perWeek(`SELECT count(*) FROM audit_log a
WHERE action = ANY ('`+arrayLiteral(moderationActions)+`') AND at >= $1 AND at < $2
  AND (SELECT tier FROM member_standings WHERE member_id = a.target_member_id) = 'vip'`, false))
	var rows []struct {
		Name  string    `db:"display_name"`
		ID    int64     `db:"id"`
		First time.Time `db:"first"`
	}
	if err := x.db.Select(&rows, `SELECT m.display_name, m.id, a.at AS first FROM audit_log a JOIN members m ON m.id = a.target_member_id
WHERE a.action = ANY ($1) AND a.at >= $2 AND a.at < $3 AND (SELECT tier FROM member_standings WHERE member_id = m.id) = 'vip'`,
		moderationActions, x.w.starts[15], x.w.starts[16]); err != nil {
		x.t.Fatal(err)
	}
	first := map[int64]int{}
	var named []int
	for i, r := range rows {
		if j, ok := first[r.ID]; !ok || r.First.Before(rows[j].First) {
			if !ok {
				named = append(named, i)
			}
			first[r.ID] = i
		}
	}
	var vips []int
	for _, i := range named {
		vips = append(vips, first[rows[i].ID])
	}
	slices.SortFunc(vips, func(a, b int) int {
		return cmp.Or(rows[a].First.Compare(rows[b].First), cmp.Compare(rows[a].ID, rows[b].ID))
	})
	var names []digest.Named
	for _, i := range vips {
		names = append(names, digest.Named{Member: community.MemberID(rows[i].ID), Name: rows[i].Name})
	}
	if len(names) <= digest.Listed {
		x.t.Errorf("%d VIPs moderated in the week; the seed should have more than %d", len(names), digest.Listed)
	}
	sameJSON(x.t, "moderated VIPs", d.Moderation.VIPsNamed, names[:min(len(names), digest.Listed)])
	if want := max(0, len(names)-digest.Listed); d.Moderation.MoreVIPsBy != want {
		x.t.Errorf("more moderated VIPs: %d, want %d", d.Moderation.MoreVIPsBy, want)
	}
}

func arrayLiteral(a pq.StringArray) string {
	v, _ := a.Value()
	return v.(string)
}

// clv checks new buyers, linked revenue and the value by level, from the
// orders and snapshots row by row.
func (x expectDigest) clv(d digest.Digest) {
	x.t.Helper()
	var orders []struct {
		Customer string    `db:"customer_id"`
		At       time.Time `db:"ordered_at"`
		Status   string    `db:"status"`
		Amount   float64   `db:"amount"`
		Refunded float64   `db:"refunded"`
	}
	if err := x.db.Select(&orders, `SELECT o.customer_id, o.ordered_at, o.status, o.amount::float8 AS amount,
       greatest(o.refunded, (SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.order_id = o.id AND r.source = o.source))::float8 AS refunded
FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.member_id IS NOT NULL`); err != nil {
		x.t.Fatal(err)
	}
	if n := countRows(x, `SELECT count(*) FROM refunds r JOIN orders o ON o.id = r.order_id AND o.source = r.source`); n == 0 {
		x.t.Error("the seed has no refunds reported apart")
	}
	firstPaid := map[string]time.Time{}
	revenue := make([]float64, 16)
	week := func(at time.Time) int {
		for k := range 16 {
			if !at.Before(x.w.starts[k]) && at.Before(x.w.starts[k+1]) {
				return k
			}
		}
		return -1
	}
	for _, o := range orders {
		if o.Status != "paid" || (o.Amount != 0 && o.Refunded >= o.Amount) {
			continue
		}
		if f, ok := firstPaid[o.Customer]; !ok || o.At.Before(f) {
			firstPaid[o.Customer] = o.At
		}
		if k := week(o.At); k >= 0 {
			revenue[k] += o.Amount - o.Refunded
		}
	}
	buyers := make([]float64, 16)
	for _, at := range firstPaid {
		if k := week(at); k >= 0 {
			buyers[k]++
		}
	}
	sameFigure(x.t, "new buyers", d.CLV.NewBuyers, buyers)
	got := d.CLV.Revenue
	avg := (revenue[11] + revenue[12] + revenue[13] + revenue[14]) / 4
	if math.Abs(got.This-revenue[15]) > 1e-6 || math.Abs(got.Prev-revenue[14]) > 1e-6 || math.Abs(got.Avg4-avg) > 1e-6 || got.Before != 4 {
		x.t.Errorf("linked revenue: got %+v, want %v this week, %v before, %v on average", got, revenue[15], revenue[14], avg)
	}
	var standings []struct {
		Level     int      `db:"level"`
		Customer  *string  `db:"customer"`
		Predicted *float64 `db:"predicted_clv"`
		Revenue   *float64 `db:"revenue"`
	}
	if err := x.db.Select(&standings, `SELECT s.level, (SELECT id FROM customers WHERE member_id = s.member_id) AS customer,
       (SELECT predicted_clv FROM clv_snapshots v JOIN customers c ON c.id = v.customer_id WHERE c.member_id = s.member_id) AS predicted_clv,
       (SELECT revenue FROM clv_snapshots v JOIN customers c ON c.id = v.customer_id WHERE c.member_id = s.member_id) AS revenue
FROM member_standings s`); err != nil {
		x.t.Fatal(err)
	}
	byLevel := make([]digest.LevelValue, 4)
	for _, s := range standings {
		l := &byLevel[s.Level-1]
		l.Level = s.Level
		l.Members++
		if s.Customer != nil {
			l.Linked++
		}
		if s.Predicted != nil {
			l.Predicted++
			l.AvgPredicted += *s.Predicted
		}
		if s.Revenue != nil {
			l.Revenue += *s.Revenue
		}
	}
	if len(d.CLV.ByLevel) != 4 {
		x.t.Fatalf("value by level: %+v; want the four levels", d.CLV.ByLevel)
	}
	for i, want := range byLevel {
		if want.Predicted > 0 {
			want.AvgPredicted /= float64(want.Predicted)
		}
		g := d.CLV.ByLevel[i]
		if g.Level != want.Level || g.Members != want.Members || g.Linked != want.Linked || g.Predicted != want.Predicted ||
			math.Abs(g.AvgPredicted-want.AvgPredicted) > 1e-6 || math.Abs(g.Revenue-want.Revenue) > 1e-6 {
			x.t.Errorf("value of level %d: got %+v, want %+v", i+1, g, want)
		}
	}
}

// trend checks the chart's twelve weeks.
func (x expectDigest) trend(d digest.Digest) {
	x.t.Helper()
	active := x.perWeek(`SELECT count(DISTINCT member_id) FROM activities WHERE member_id IS NOT NULL AND`+counted+activeKinds, true)
	messages := x.perWeek(x.messagesSQL(), true)
	newMembers := x.perWeek(`SELECT count(*) FROM members WHERE created_at >= $1 AND created_at < $2`, false)
	var want []digest.WeekPoint
	gap := false
	for k := 4; k < 16; k++ {
		y, n := x.w.starts[k].ISOWeek()
		p := digest.WeekPoint{Week: fmt.Sprintf("%04d-W%02d", y, n),
			Active: int(active[k]), Messages: int(messages[k]), NewMembers: int(newMembers[k])}
		if scores, _ := x.answers(k); len(scores) > 0 {
			p.NPS, p.Responses = feedback.Compute(scores).Score, len(scores)
		} else {
			gap = true
		}
		want = append(want, p)
	}
	if !gap || want[0].Week != "2026-W37" || want[11].Week != "2026-W48" {
		x.t.Errorf("the trend should run from 2026-W37 to 2026-W48 with a week without NPS answers: %+v", want)
	}
	sameJSON(x.t, "trend", d.Trend, want)
}

// highlight: the ideas (not bugs) moved to done in the week; the
// consents for the community granted in the week that still hold at its
// end, their authors named where the credit is by name and they did not
// hide from /top.
func (x expectDigest) highlight(d digest.Digest) {
	x.t.Helper()
	start, end := x.w.starts[15], x.w.starts[16]
	type person struct {
		ID     int64  `db:"id"`
		Name   string `db:"display_name"`
		Hidden bool   `db:"hide_from_top"`
	}
	var people []person
	if err := x.db.Select(&people, `SELECT id, display_name, hide_from_top FROM members`); err != nil {
		x.t.Fatal(err)
	}
	h := d.Highlight
	var shipped []int64
	if err := x.db.Select(&shipped, `SELECT DISTINCT c.item_id FROM feedback_changes c, feedback_items i
WHERE i.id = c.item_id AND c.to_status = 'done' AND i.kind = 'idea' AND i.status = 'done' AND c.at >= $1 AND c.at < $2 ORDER BY 1`, start, end); err != nil {
		x.t.Fatal(err)
	}
	var got []int64
	for _, i := range h.Shipped {
		got = append(got, i.ID)
	}
	if !slices.Equal(got, shipped[:min(len(shipped), digest.Listed)]) || len(shipped) == 0 {
		x.t.Errorf("ideas shipped %v, want %v", got, shipped)
	}
	var consents []struct {
		Member   int64          `db:"member_id"`
		Scopes   pq.StringArray `db:"scopes"`
		Decision string         `db:"decision"`
		Credit   string         `db:"credit"`
		Granted  time.Time      `db:"granted_at"`
		Expires  time.Time      `db:"expires_at"`
		Revoked  *time.Time     `db:"revoked_at"`
		ID       int64          `db:"id"`
	}
	if err := x.db.Select(&consents, `SELECT member_id, scopes, decision, credit, granted_at, expires_at, revoked_at, id FROM showcase_consents ORDER BY granted_at, id`); err != nil {
		x.t.Fatal(err)
	}
	byID := map[int64]int{}
	for i, p := range people {
		byID[p.ID] = i
	}
	posts, unnamed := 0, 0
	var authors []digest.Named
	for _, c := range consents {
		if c.Granted.Before(start) || !c.Granted.Before(end) || c.Decision == "decline" || !slices.Contains(c.Scopes, "community") ||
			c.Revoked != nil || !c.Expires.After(end) {
			continue
		}
		posts++
		p := people[byID[c.Member]]
		if c.Credit != "named" || p.Hidden {
			unnamed++
			continue
		}
		if n := (digest.Named{Member: community.MemberID(p.ID), Name: p.Name}); !slices.Contains(authors, n) {
			authors = append(authors, n)
		}
	}
	if posts == 0 || unnamed == 0 || len(authors) == 0 {
		x.t.Errorf("%d posts, %d unnamed, %d authors: the seed should have each", posts, unnamed, len(authors))
	}
	sameJSON(x.t, "authors", h.Authors, authors[:min(len(authors), digest.HighlightNames)])
	if h.Posts != posts {
		x.t.Errorf("posts %d; want %d", h.Posts, posts)
	}
}
