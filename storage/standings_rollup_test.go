package storage_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/lib/pq"
)

// rollupWorld is a seeded community whose standings are recomputed the
// way the scheduled job does, as things happen to it.
type rollupWorld struct {
	t *testing.T
	s *storage.Store
}

func (w *rollupWorld) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.s.DB().Exec(q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

func (w *rollupWorld) count(q string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.s.DB().Get(&n, q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (w *rollupWorld) recompute(now time.Time) {
	w.t.Helper()
	standings := community.NewStandings(w.s, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(),
		func() time.Time { return now })
	if _, err := standings.Recompute(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// scoreLinked saves a CLV run for every linked customer: what they paid,
// and a prediction that varies with the seed's numbers.
func (w *rollupWorld) scoreLinked(now time.Time, factor float64) {
	w.t.Helper()
	var rows []struct {
		ID      string  `db:"id"`
		Orders  int     `db:"orders"`
		Revenue float64 `db:"revenue"`
		Member  int64   `db:"member_id"`
	}
	if err := w.s.DB().Select(&rows, `
SELECT c.id, c.member_id, count(o.*) FILTER (WHERE o.status = 'paid') AS orders,
       COALESCE(sum(o.amount) FILTER (WHERE o.status = 'paid'), 0)::float8 AS revenue
FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.member_id IS NOT NULL GROUP BY c.id, c.member_id`); err != nil {
		w.t.Fatal(err)
	}
	var scores []clv.CustomerScore
	for _, r := range rows {
		predicted := r.Revenue * (0.5 + math.Mod(float64(r.Member)*factor, 1))
		scores = append(scores, clv.CustomerScore{CustomerID: r.ID, Orders: r.Orders, First: now.AddDate(-1, 0, 0), Last: now.AddDate(0, -1, 0),
			Revenue: r.Revenue, Historical: r.Revenue, HasModel: r.Member%7 != 0, Predicted: predicted,
			PAlive: math.Mod(float64(r.Member)*0.37, 1), Recency: 3, Frequency: 3, Monetary: 3, Segment: "Loyal"})
	}
	run := clv.ModelRun{ComputedAt: now, End: now, Period: clv.Week, Customers: len(scores)}
	if _, err := w.s.SaveCLVRun(context.Background(), run, slices.Values(scores)); err != nil {
		w.t.Fatal(err)
	}
}

// standingRow is a saved standing, as compared between two ways of
// computing it.
type standingRow struct {
	Member     int64      `db:"member_id"`
	Tier       string     `db:"tier"`
	Flags      int        `db:"flags"`
	Level      int        `db:"level"`
	ScoreLog   *float64   `db:"score_log"`
	ThisWeek   float64    `db:"this_week"`
	PrevWeekly float64    `db:"prev_weekly"`
	Points     int64      `db:"points"`
	Engaged    float64    `db:"engagement_percentile"`
	Value      float64    `db:"value_percentile"`
	Priority   float64    `db:"priority"`
	Messages   int        `db:"messages"`
	Helpful    int        `db:"helpful"`
	LastActive *time.Time `db:"last_active_at"`
}

func (w *rollupWorld) standings() map[int64]standingRow {
	w.t.Helper()
	var rows []standingRow
	if err := w.s.DB().Select(&rows, `
SELECT member_id, tier, flags, level, score_log, this_week, prev_weekly, points, engagement_percentile, value_percentile,
       priority, messages, helpful, last_active_at
FROM member_standings`); err != nil {
		w.t.Fatal(err)
	}
	out := make(map[int64]standingRow, len(rows))
	for _, r := range rows {
		out[r.Member] = r
	}
	return out
}

// rewritten counts the standings written since versions were taken.
func (w *rollupWorld) versions() map[int64]string {
	w.t.Helper()
	var rows []struct {
		Member int64  `db:"member_id"`
		Xmin   string `db:"xmin"`
	}
	if err := w.s.DB().Select(&rows, `SELECT member_id, xmin::text AS xmin FROM member_standings`); err != nil {
		w.t.Fatal(err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.Member] = r.Xmin
	}
	return out
}

func rewritten(before, after map[int64]string) int {
	n := 0
	for m, x := range after {
		if before[m] != x {
			n++
		}
	}
	return n
}

// TestRollupsGiveWhatAFullRecomputeGives: on a seeded community, the
// recurring recomputation reads the daily rollups of the members whose
// inputs changed (new activity, messages automod uncounted, a link, a CLV
// run, a new member, an erased one, the days passing) and writes only
// what changed; at the end, rebuilding the rollups from the raw
// activities and recomputing everyone from scratch gives the same
// engagement, levels, trend, points and tiers, and percentiles within
// the slack. Histories fold the days that left the trend's windows. Members are decided in batches, as at a million.
func TestRollupsGiveWhatAFullRecomputeGives(t *testing.T) {
	ctx := context.Background()
	w := &rollupWorld{t: t, s: newBareStore(t)}
	storage.DecideInBatchesOf(t, 700) // 3,000 members: five batches, the last one short
	if err := w.s.Seed(ctx, storage.SeedSize{Members: 3000, Activities: 40000, Orders: 3000, Seed: 0.18}, seedNow); err != nil {
		t.Fatal(err)
	}
	w.scoreLinked(seedNow, 0.61)
	w.recompute(seedNow)
	members := w.count(`SELECT count(*) FROM members`)
	if n := w.count(`SELECT count(*) FROM member_standings`); n != members {
		t.Fatalf("first run: %d standings for %d members", n, members)
	}

	before := w.versions()
	w.recompute(seedNow.Add(10 * time.Minute))
	if n := rewritten(before, w.versions()); n != 0 {
		t.Errorf("a run with nothing new rewrote %d standings, want none", n)
	}
	if n := w.count(`SELECT count(*) FROM standings_dirty`); n != 0 {
		t.Errorf("%d members still marked after a run", n)
	}

	// Five members write, within the next ten minutes.
	now := seedNow.Add(20 * time.Minute)
	w.exec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id)
SELECT m.id, (SELECT min(id) FROM chats), 'message', $1::timestamptz - i * interval '1 minute', 'new-' || m.id || '-' || i
FROM (SELECT id FROM members ORDER BY id LIMIT 5) m, generate_series(1, 8) i`, now)
	before = w.versions()
	w.recompute(now)
	if n := rewritten(before, w.versions()); n < 5 || n > members/20 {
		t.Errorf("5 members wrote: %d standings rewritten, want theirs and the few their rise moved", n)
	}

	// Automod uncounts some messages; one member links to a customer and
	// another unlinks; a new member comes; one is erased; the nightly CLV
	// run changes values; the days pass.
	w.exec(`UPDATE activities SET uncounted_at = now(), uncounted_xid = pg_current_xact_id()
WHERE id IN (SELECT id FROM activities WHERE kind = 'message' AND uncounted_xid IS NULL ORDER BY id DESC LIMIT 30)`)
	w.exec(`UPDATE customers SET member_id = NULL, linked_via = '' WHERE id = (SELECT min(id) FROM customers WHERE member_id IS NOT NULL)`)
	w.exec(`UPDATE customers SET member_id = (SELECT max(m.id) FROM members m WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.member_id = m.id)),
    linked_via = 'token' WHERE id = (SELECT min(id) FROM customers WHERE member_id IS NULL)`)
	w.exec(`INSERT INTO members (display_name, language, created_at) VALUES ('Newcomer', 'en', $1)`, now)
	w.exec(`DELETE FROM members WHERE id = (SELECT max(member_id) FROM activity_days)`)
	w.recompute(now.Add(10 * time.Minute))
	w.scoreLinked(now.Add(12*time.Hour), 0.29)
	for _, later := range []time.Duration{24 * time.Hour, 8 * 24 * time.Hour, 15 * 24 * time.Hour, 40 * 24 * time.Hour} {
		at := now.Add(later)
		w.exec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id)
SELECT id, (SELECT max(id) FROM chats), kind, $1::timestamptz - interval '1 hour', 'later-' || id || '-' || kind || '-' || $2::int
FROM members, unnest(ARRAY['reply', 'reaction', 'helpful_answer']) AS kind WHERE id % 97 = $2`, at, int(later.Hours())%97)
		w.recompute(at)
	}
	end := now.Add(40 * 24 * time.Hour)

	// The days that left the trend's windows are folded into histories;
	// automod uncounting messages of a folded day marks the member to be
	// read from that day (refold_from), and the next run reads all their
	// days again; so does an activity recorded late on a folded day.
	if n := w.count(`SELECT count(*) FROM member_history`); n < members/2 {
		t.Errorf("%d histories after 40 days, want most members'", n)
	}
	var folded []int64
	if err := w.s.DB().Select(&folded, `
SELECT a.id FROM activities a JOIN member_history h ON h.member_id = a.member_id
WHERE a.at < h.through AND a.kind = 'message' AND a.uncounted_xid IS NULL ORDER BY a.id LIMIT 20`); err != nil {
		t.Fatal(err)
	}
	w.exec(`UPDATE activities SET uncounted_at = now(), uncounted_xid = pg_current_xact_id() WHERE id = ANY($1)`, pq.Array(folded))
	if n := w.count(`
SELECT count(*) FROM member_history h JOIN standings_dirty d USING (member_id)
WHERE d.refold_from <= h.through AND h.member_id IN (SELECT member_id FROM activities WHERE id = ANY($1))`, pq.Array(folded)); len(folded) == 0 ||
		n != w.count(`SELECT count(DISTINCT member_id) FROM activities WHERE id = ANY($1)`, pq.Array(folded)) {
		t.Errorf("%d folded activities uncounted: %d of their members' marks say to read their days again", len(folded), n)
	}
	// An activity recorded late, on a day folded already (a backlog
	// handled after a long outage), counts too.
	late := w.count(`SELECT min(member_id) FROM member_history WHERE through > $1::timestamptz - interval '100 days'`, end)
	w.exec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id)
SELECT member_id, (SELECT min(id) FROM chats), 'helpful_answer', through - interval '3 days', 'late' FROM member_history WHERE member_id = $1`, late)
	if n := w.count(`SELECT count(*) FROM member_history h JOIN standings_dirty d USING (member_id)
WHERE d.refold_from <= h.through AND h.member_id = $1`, late); n != 1 {
		t.Errorf("a late activity on a folded day: member %d's mark does not say to read their days again", late)
	}
	w.recompute(end)
	incremental := w.standings()

	// The rollups are what the raw activities add up to.
	if n := w.count(`
SELECT count(*) FROM (
    (SELECT member_id, day, kind, n, last_at FROM activity_days
     EXCEPT SELECT member_id, (at AT TIME ZONE 'UTC')::date, kind, count(*)::int, max(at) FROM activities WHERE uncounted_xid IS NULL AND member_id IS NOT NULL GROUP BY 1, 2, 3)
    UNION ALL
    (SELECT member_id, (at AT TIME ZONE 'UTC')::date, kind, count(*)::int, max(at) FROM activities WHERE uncounted_xid IS NULL AND member_id IS NOT NULL GROUP BY 1, 2, 3
     EXCEPT SELECT member_id, day, kind, n, last_at FROM activity_days)) diff`); n != 0 {
		t.Errorf("%d rollup rows differ from the raw activities", n)
	}

	// From scratch: rollups rebuilt from the raw activities, no standing,
	// no last run.
	w.exec(`TRUNCATE activity_days`)
	w.exec(`INSERT INTO activity_days (member_id, day, kind, n, last_at)
SELECT member_id, (at AT TIME ZONE 'UTC')::date, kind, count(*), max(at) FROM activities WHERE uncounted_xid IS NULL AND member_id IS NOT NULL GROUP BY 1, 2, 3`)
	w.exec(`DELETE FROM member_standings`)
	w.exec(`DELETE FROM standings_state`)
	w.recompute(end)
	full := w.standings()

	if len(full) != len(incremental) {
		t.Fatalf("%d standings from scratch, %d incrementally", len(full), len(incremental))
	}
	differ := 0
	for m, f := range full {
		i := incremental[m]
		same := i.Tier == f.Tier && i.Flags == f.Flags && i.Level == f.Level && i.ThisWeek == f.ThisWeek &&
			i.PrevWeekly == f.PrevWeekly && i.Points == f.Points && i.Messages == f.Messages && i.Helpful == f.Helpful &&
			sameFloat(i.ScoreLog, f.ScoreLog) && sameTime(i.LastActive, f.LastActive) &&
			math.Abs(i.Engaged-f.Engaged) < 1 && math.Abs(i.Value-f.Value) < 1 && math.Abs(i.Priority-f.Priority) < 1
		if !same {
			if differ++; differ <= 5 {
				t.Errorf("member %d: incrementally %+v, from scratch %+v", m, i, f)
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d standings differ", differ, len(full))
	}
	tiers := w.count(`SELECT count(DISTINCT tier) FROM member_standings`)
	if tiers < 3 {
		t.Errorf("%d tiers in the seeded community: the comparison proves little", tiers)
	}
}

// sameFloat: a history sums its days apart from the days after it, so
// a score's logarithm may differ from a sum of every day in its last
// bits.
func sameFloat(a, b *float64) bool {
	return a == nil && b == nil || a != nil && b != nil && math.Abs(*a-*b) <= 1e-12*math.Max(1, math.Abs(*b))
}

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

// drifted counts the members with a score whose saved engagement
// percentile is off by the slack or more from their rank among every
// saved score now (community.Percentiles, ties counting half).
func (w *rollupWorld) drifted(slack float64) int {
	w.t.Helper()
	var rows []struct {
		ScoreLog *float64 `db:"score_log"`
		Engaged  float64  `db:"engagement_percentile"`
	}
	if err := w.s.DB().Select(&rows, `SELECT score_log, engagement_percentile FROM member_standings`); err != nil {
		w.t.Fatal(err)
	}
	scores := make([]float64, len(rows))
	for i, r := range rows {
		scores[i] = math.Inf(-1)
		if r.ScoreLog != nil {
			scores[i] = *r.ScoreLog
		}
	}
	n := 0
	for i, p := range community.Percentiles(scores) {
		if rows[i].ScoreLog != nil && math.Abs(p-rows[i].Engaged) >= slack {
			n++
		}
	}
	return n
}

// TestDriftBudgetCatchesUpOverRuns: when many members rise at once,
// everyone they pass drops a little. A run rewrites the members it must
// (those who wrote, those who crossed a threshold) and at most the drift
// budget of the others, the most drifted first; the runs after it catch
// the rest up, until every saved percentile is within the slack of the
// member's rank. Two communities seeded alike, one with no budget, show
// the budget is what the run spent.
func TestDriftBudgetCatchesUpOverRuns(t *testing.T) {
	ctx := context.Background()
	const budget = 15
	burst := func(w *rollupWorld) (rewrote int) {
		if err := w.s.Seed(ctx, storage.SeedSize{Members: 600, Activities: 6000, Orders: 600, Seed: 0.33}, seedNow); err != nil {
			t.Fatal(err)
		}
		w.recompute(seedNow)
		// The 150 quietest members with a score write ten messages each.
		w.exec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id)
SELECT s.member_id, (SELECT min(id) FROM chats), 'message', $1::timestamptz - i * interval '1 minute', 'burst-' || s.member_id || '-' || i
FROM (SELECT member_id FROM member_standings WHERE score_log IS NOT NULL ORDER BY score_log, member_id LIMIT 150) s,
     generate_series(1, 10) i`, seedNow.Add(5*time.Minute))
		before := w.versions()
		w.recompute(seedNow.Add(10 * time.Minute))
		return rewritten(before, w.versions())
	}
	unbudgeted := &rollupWorld{t: t, s: newBareStore(t)}
	storage.DriftBudgetOf(t, 0)
	withoutDrift := burst(unbudgeted)
	drifted := unbudgeted.drifted(1)
	if drifted <= budget {
		t.Fatalf("the burst left %d members drifted by a point or more, want more than the budget of %d", drifted, budget)
	}

	w := &rollupWorld{t: t, s: newBareStore(t)}
	storage.DriftBudgetOf(t, budget)
	if n := burst(w); n != withoutDrift+budget {
		t.Errorf("a run with a drift budget of %d rewrote %d standings; without one, %d", budget, n, withoutDrift)
	}
	left := w.drifted(1)
	if left != drifted-budget {
		t.Errorf("after the burst, %d members drifted; want %d less than the %d without a budget", left, budget, drifted)
	}
	for run := 2; left > 0; run++ {
		before := w.versions()
		w.recompute(seedNow.Add(time.Duration(run) * 10 * time.Minute))
		if n := rewritten(before, w.versions()); n > budget {
			t.Errorf("run %d with nothing new rewrote %d standings, more than the budget of %d", run, n, budget)
		}
		now := w.drifted(1)
		if now >= left {
			t.Fatalf("run %d: %d members still drifted, %d before: not catching up", run, now, left)
		}
		left = now
	}
}
