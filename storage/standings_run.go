package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// A recomputation reads the daily rollups (activity_days), never the raw
// activities, and only for the members it must: those marked in
// standings_dirty (by the triggers of migration 00029: new activities, an
// uncount, a new member, a link, a changed CLV), those whose trend
// windows the passing days moved, and newcomers whose first days ended.
// It ranks every member by score_log in SQL, and hands to Go the members
// whose percentiles crossed a level's or tier's cut or drifted by the
// slack, besides those. Everything happens in one transaction; a
// standing is written only when one of its values changed.

// freshInputsSQL sums the rollups of the members of %[1]s (member_id,
// version) as of day $7: the score's logarithm (each weighted activity
// counts e^(λ·day), λ = $6, summed relative to day $7 so that nothing
// overflows; a day more than 700/λ back, 83 years at a 30-day half-life,
// counts as that old), this week's and the four weeks before's weighted
// activities, loyalty points, messages, helpful answers and the last
// weighted activity. A member's history (member_history, through a day up
// to $8) stands for the days it folded, unless $9 (the rules changed) or a
// change touched a folded day since (their mark's refold_from): only the
// days after it are read. The days up to $8 are folded into the history
// again (folded is true when there were any such days not folded yet, or a
// history was set aside: it must be replaced, even by nothing). Rows are
// summed in order of day and kind, the history first, so that the same
// rows give the same bits.
const freshInputsSQL = `
WITH w AS (
    SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[], $4::int[], $5::int[]) AS w(kind, weight, points, message, helpful)
), k AS (
    SELECT $6 * date_part('epoch', CAST(CAST($7 AS date) AS timestamp)) AS today
), r AS (
    SELECT t.member_id, t.version, h.through, h.score_log, h.activity_points, h.messages, h.helpful, h.last_at,
           h.member_id IS NULL AND EXISTS (SELECT 1 FROM member_history x WHERE x.member_id = t.member_id) AS refold
    FROM %[1]s t LEFT JOIN member_history h ON h.member_id = t.member_id AND h.through <= CAST($8 AS date) AND NOT $9
        AND NOT EXISTS (SELECT 1 FROM standings_dirty m WHERE m.member_id = t.member_id AND m.refold_from <= h.through)
), d AS (
    SELECT a.member_id, a.day, a.kind, false AS history, w.weight * a.n AS weight, w.points * a.n AS points,
           w.message * a.n AS messages, w.helpful * a.n AS helpful, CASE WHEN w.weight > 0 THEN a.last_at END AS last_at,
           $6 * date_part('epoch', CAST(a.day AS timestamp)) - k.today AS exponent
    FROM r JOIN activity_days a ON a.member_id = r.member_id AND a.day > COALESCE(r.through, '-infinity') AND a.day <= CAST($7 AS date)
    JOIN w ON w.kind = a.kind CROSS JOIN k
    UNION ALL
    SELECT member_id, through, '', true, CASE WHEN score_log IS NULL THEN 0 ELSE 1 END, activity_points, messages, helpful, last_at,
           COALESCE(score_log, 0) - k.today
    FROM r CROSS JOIN k WHERE through IS NOT NULL
), m AS (
    SELECT member_id,
           ln(sum(weight * exp(greatest(exponent, -700)) ORDER BY day, kind) FILTER (WHERE weight > 0)) AS score_log,
           sum(weight) FILTER (WHERE day > CAST($7 AS date) - 7) AS this_week,
           sum(weight) FILTER (WHERE day > CAST($7 AS date) - 35 AND day <= CAST($7 AS date) - 7) AS prev4,
           sum(points) AS activity_points, sum(messages) AS messages, sum(helpful) AS helpful, max(last_at) AS last_at,
           count(*) FILTER (WHERE day <= CAST($8 AS date) AND NOT history) > 0 AS folded,
           ln(sum(weight * exp(greatest(exponent, -700)) ORDER BY day, kind) FILTER (WHERE weight > 0 AND day <= CAST($8 AS date))) AS old_score_log,
           COALESCE(sum(points) FILTER (WHERE day <= CAST($8 AS date)), 0) AS old_points,
           COALESCE(sum(messages) FILTER (WHERE day <= CAST($8 AS date)), 0) AS old_messages,
           COALESCE(sum(helpful) FILTER (WHERE day <= CAST($8 AS date)), 0) AS old_helpful,
           max(last_at) FILTER (WHERE day <= CAST($8 AS date)) AS old_last_at
    FROM d GROUP BY member_id
)
SELECT r.member_id, r.version, m.score_log + k.today AS score_log, COALESCE(m.this_week, 0) AS this_week, COALESCE(m.prev4, 0) AS prev4,
       COALESCE(m.activity_points, 0) AS activity_points, COALESCE(m.messages, 0) AS messages,
       COALESCE(m.helpful, 0) AS helpful, m.last_at, COALESCE(m.folded, false) OR r.refold AS folded,
       m.old_score_log + k.today AS old_score_log, COALESCE(m.old_points, 0) AS old_points, COALESCE(m.old_messages, 0) AS old_messages,
       COALESCE(m.old_helpful, 0) AS old_helpful, m.old_last_at,
       EXISTS (SELECT 1 FROM member_standings s WHERE s.member_id = r.member_id) AS scored
FROM r CROSS JOIN k LEFT JOIN m ON m.member_id = r.member_id`

// historyHorizon is how many days back from today a member's history
// may reach: the days before are in neither of the trend's windows.
const historyHorizon = 35

// horizon is the last day a history folded on day today may hold.
func horizon(today time.Time) string {
	return today.AddDate(0, 0, -historyHorizon).Format(time.DateOnly)
}

// movedByDaysSQL adds to run_dirty the members with activity on a day
// that left this week's window ($1-$2) or the four weeks before ($3-$4)
// since the last run, or that came into today's since ($5-$6, exclusive
// of $5), and the newcomers whose first days ended ($7-$8, exclusive of
// $7).
const movedByDaysSQL = `
INSERT INTO run_dirty (member_id, version)
SELECT DISTINCT a.member_id, 0 FROM activity_days a
WHERE a.day BETWEEN $1 AND $2 OR a.day BETWEEN $3 AND $4 OR (a.day > $5 AND a.day <= $6)
UNION
SELECT id, 0 FROM members WHERE created_at > $7 AND created_at <= $8
ON CONFLICT DO NOTHING`

// runChosenSQL ranks every member by score (counted in the same
// snapshot) and every linked customer by historical and predicted CLV
// (ties counting half, as community.Percentiles does), and keeps, with
// their engagement percentile and their value, the members whose inputs
// were just read, who have no standing yet, or whose engagement or value
// percentile crossed a cut ($1, $2, smallest first) from the one saved;
// and, of those whose percentile moved by the slack ($3) or more, the $4
// that moved the most. The ranking carries only what it needs.
const runChosenSQL = `
CREATE TEMP TABLE run_chosen ON COMMIT DROP AS
WITH v AS (
    SELECT c.member_id, c.linked_via, v.orders, v.revenue, v.historical_clv, v.predicted_clv IS NOT NULL AS has_model,
           COALESCE(v.predicted_clv, 0) AS predicted, COALESCE(v.p_alive, 0) AS p_alive
    FROM customers c JOIN clv_snapshots v ON v.customer_id = c.id
    WHERE c.member_id IS NOT NULL
), vh AS (
    SELECT v.*, CAST(rank() OVER w - 1 + count(*) OVER w AS float8) / 2 AS hist_below
    FROM v WINDOW w AS (ORDER BY historical_clv)
), vp AS (
    SELECT vh.*, CAST(rank() OVER w - 1 + count(*) OVER w AS float8) / 2 AS pred_below
    FROM vh WINDOW w AS (ORDER BY predicted)
), lv AS MATERIALIZED (
    SELECT member_id, linked_via, orders, revenue, historical_clv, has_model, predicted, p_alive,
           hist_below / n * 100 AS hist_pct, pred_below / n * 100 AS pred_pct
    FROM vp CROSS JOIN (SELECT CAST(count(*) AS float8) AS n FROM v) n
), lvalue AS (
    SELECT member_id, CASE WHEN orders > 0 THEN CASE WHEN has_model THEN (hist_pct + pred_pct) / 2 ELSE hist_pct END ELSE 0 END AS value
    FROM lv
), e AS (
    SELECT s.member_id, f.member_id IS NOT NULL AS fresh, true AS scored,
           CASE WHEN f.member_id IS NULL THEN s.score_log ELSE f.score_log END AS score_log,
           s.engagement_percentile AS old_engaged, s.value_percentile AS old_value, COALESCE(v.value, 0) AS value
    FROM member_standings s LEFT JOIN run_inputs f ON f.member_id = s.member_id LEFT JOIN lvalue v ON v.member_id = s.member_id
    UNION ALL
    SELECT f.member_id, true, false, f.score_log, 0, 0, COALESCE(v.value, 0)
    FROM run_inputs f LEFT JOIN lvalue v ON v.member_id = f.member_id WHERE NOT f.scored
), n AS (
    SELECT greatest(1, (SELECT count(*) FROM member_standings) + (SELECT count(*) FROM run_inputs WHERE NOT scored)) AS n
), ranked AS (
    SELECT e.*, CASE WHEN score_log IS NULL THEN 0
                ELSE CAST(rank() OVER w - 1 + count(*) OVER w AS float8) / 2 / n.n * 100 END AS engaged
    FROM e CROSS JOIN n WINDOW w AS (ORDER BY score_log NULLS FIRST)
), drifted AS MATERIALIZED (
    SELECT member_id, engaged, greatest(abs(engaged - old_engaged), abs(value - old_value)) AS drift,
           fresh OR NOT scored
           OR width_bucket(engaged, $1::float8[]) <> width_bucket(old_engaged, $1::float8[])
           OR width_bucket(value, $2::float8[]) <> width_bucket(old_value, $2::float8[]) AS must
    FROM ranked
), chosen AS (
    SELECT member_id, engaged FROM drifted WHERE must
    UNION ALL
    (SELECT member_id, engaged FROM drifted WHERE NOT must AND drift >= $3 ORDER BY drift DESC LIMIT $4)
)
SELECT c.member_id, c.engaged, lv.member_id IS NOT NULL AS linked, lv.linked_via, lv.orders, lv.revenue, lv.historical_clv,
       lv.has_model, lv.predicted, lv.p_alive, lv.hist_pct, lv.pred_pct
FROM chosen c LEFT JOIN lv ON lv.member_id = c.member_id`

// runCandidatesSQL gives the members chosen what deciding needs: their
// inputs (run_inputs' where read, the saved ones otherwise), when they
// came, their tier, flags and milestones.
const runCandidatesSQL = `
CREATE TEMP TABLE run_candidates ON COMMIT DROP AS
SELECT c.member_id, c.engaged,
       CASE WHEN f.member_id IS NULL THEN s.score_log ELSE f.score_log END AS score_log,
       CASE WHEN f.member_id IS NULL THEN s.this_week ELSE f.this_week END AS this_week,
       CASE WHEN f.member_id IS NULL THEN s.prev_weekly * 4 ELSE f.prev4 END AS prev4,
       CASE WHEN f.member_id IS NULL THEN s.activity_points ELSE f.activity_points END AS activity_points,
       CASE WHEN f.member_id IS NULL THEN s.messages ELSE f.messages END AS messages,
       CASE WHEN f.member_id IS NULL THEN s.helpful ELSE f.helpful END AS helpful,
       CASE WHEN f.member_id IS NULL THEN s.last_active_at ELSE f.last_at END AS last_at,
       s.tier, COALESCE(s.flags, 0) AS flags,
       c.linked, c.linked_via, c.orders, c.revenue, c.historical_clv, c.has_model,
       c.predicted, c.p_alive, c.hist_pct, c.pred_pct, m.created_at,
       COALESCE((SELECT array_agg(milestone ORDER BY reached_at, milestone) FROM member_milestones mm WHERE mm.member_id = c.member_id), '{}') AS milestones
FROM run_chosen c JOIN members m ON m.id = c.member_id
LEFT JOIN run_inputs f ON f.member_id = c.member_id
LEFT JOIN member_standings s ON s.member_id = c.member_id`

// readCandidatesSQL reads a batch of candidates (after member $3, at most
// $4) with what deciding needs, the score as of $1 (λ = $2).
const readCandidatesSQL = `
SELECT c.member_id, c.created_at,
       CASE WHEN c.score_log IS NULL OR c.score_log - CAST($2 AS float8) * $1 < -700 THEN 0 ELSE exp(c.score_log - CAST($2 AS float8) * $1) END AS score,
       c.engaged, c.last_at, c.this_week, c.prev4, c.activity_points, c.messages, c.helpful,
       c.linked, COALESCE(c.linked_via, '') AS linked_via, COALESCE(c.orders, 0) AS orders, COALESCE(c.revenue, 0) AS revenue,
       COALESCE(c.historical_clv, 0) AS historical, COALESCE(c.has_model, false) AS has_model, COALESCE(c.predicted, 0) AS predicted,
       COALESCE(c.p_alive, 0) AS p_alive, COALESCE(c.hist_pct, 0) AS hist_pct, COALESCE(c.pred_pct, 0) AS pred_pct,
       c.tier, c.flags, c.milestones
FROM run_candidates c
WHERE c.member_id > $3
ORDER BY c.member_id LIMIT $4`

// driftBudget is how many members a run decides again only because
// their percentiles drifted by the slack, the most drifted first: when
// many members rise at once, everyone else's percentile moves a little,
// and rewriting them all would cost the run its speed. The rest are
// caught up over the next runs. Tests make it small.
var driftBudget = 10_000

// decideBatch is how many members are decided at a time: a run that
// rescores everyone (the first, or after the rules changed) holds one
// batch in memory, not the community. Tests make it small.
var decideBatch = 20_000

// standingsLock serialises recomputations across replicas and commands:
// the scheduler runs one at a time, but hearth and tests may call more.
const standingsLock = 0x48535452 // "HSTR"

// standingsState is the last recomputation, as standings_state keeps it.
type standingsState struct {
	ComputedAt time.Time `db:"computed_at"`
	Day        time.Time `db:"day"`
	Decay      float64   `db:"decay"`
	Rules      string    `db:"rules"`
}

// RecomputeStandings implements community.StandingStore.
func (s *Store) RecomputeStandings(ctx context.Context, q community.EngagementQuery, decide func([]community.EngagementTotal) community.StandingsUpdate) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, standingsLock); err != nil {
			return fmt.Errorf("lock the standings: %w", err)
		}
		// A bigger work_mem keeps the ranking of a large community in
		// memory; compiling the run's queries (JIT) costs more than it
		// saves: 0.7 s of a run at a million members.
		if _, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '128MB'; SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("standings work memory: %w", err)
		}
		today := utcDay(q.Now)
		full, err := markRunDirty(ctx, tx, q, today)
		if err != nil {
			return err
		}
		if err := readRunInputs(ctx, tx, q, today, full); err != nil {
			return err
		}
		if err := chooseCandidates(ctx, tx, q); err != nil {
			return err
		}
		if err := createNewStandings(ctx, tx); err != nil {
			return err
		}
		for after := community.MemberID(0); ; {
			totals, err := readCandidates(ctx, tx, q, after)
			if err != nil {
				return err
			}
			if err := saveDecided(ctx, tx, decide(totals)); err != nil {
				return err
			}
			if len(totals) < decideBatch {
				break
			}
			after = totals[len(totals)-1].Member
		}
		if err := saveDecided(ctx, tx, decide(nil)); err != nil {
			return err
		}
		if err := foldHistories(ctx, tx, today, full); err != nil {
			return err
		}
		if err := resumRenewed(ctx, tx, q, today); err != nil {
			return err
		}
		return settleRun(ctx, tx, q, today)
	})
}

// markRunDirty fills run_dirty with the members to read again: the ones
// marked, with the version of their mark; those the days moved; and,
// when the rules changed or on the first run, everyone (full).
func markRunDirty(ctx context.Context, tx *sqlx.Tx, q community.EngagementQuery, today time.Time) (full bool, err error) {
	var st standingsState
	err = tx.GetContext(ctx, &st, `SELECT computed_at, day, decay, rules FROM standings_state`)
	if err != nil && err != sql.ErrNoRows {
		return false, fmt.Errorf("last standings run: %w", err)
	}
	full = err == sql.ErrNoRows || st.Rules != q.Rules || st.Decay != q.Decay
	if full {
		if _, err := tx.ExecContext(ctx, `INSERT INTO standings_dirty (member_id) SELECT id FROM members ORDER BY id ON CONFLICT DO NOTHING`); err != nil {
			return false, fmt.Errorf("mark every member to rescore: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `
CREATE TEMP TABLE run_dirty ON COMMIT DROP AS SELECT member_id, version FROM standings_dirty;
ALTER TABLE run_dirty ADD PRIMARY KEY (member_id)`); err != nil {
		return false, fmt.Errorf("members to rescore: %w", err)
	}
	if full {
		return true, nil
	}
	last := st.Day
	day := func(d time.Time, days int) string { return d.AddDate(0, 0, days).Format(time.DateOnly) }
	if _, err := tx.ExecContext(ctx, movedByDaysSQL, day(last, -6), day(today, -7), day(last, -34), day(today, -35),
		day(last, 0), day(today, 0), st.ComputedAt.Add(-q.NewcomerFor), q.Now.Add(-q.NewcomerFor)); err != nil {
		return false, fmt.Errorf("members the days moved: %w", err)
	}
	return false, nil
}

// chooseCandidates ranks everyone and fills run_candidates with the
// members to decide.
func chooseCandidates(ctx context.Context, tx *sqlx.Tx, q community.EngagementQuery) error {
	cuts := func(c []float64) any { return pq.Array(append([]float64{}, slices.Sorted(slices.Values(c))...)) } // never NULL
	steps := []struct {
		what, query string
		args        []any
	}{
		{"rank the members", runChosenSQL, []any{cuts(q.EngagementCuts), cuts(q.ValueCuts), q.Slack, driftBudget}},
		{"rank the members", `ALTER TABLE run_chosen ADD PRIMARY KEY (member_id); ANALYZE run_chosen`, nil},
		{"read the members to decide", runCandidatesSQL, nil},
		{"read the members to decide", `ALTER TABLE run_candidates ADD PRIMARY KEY (member_id); ANALYZE run_candidates`, nil},
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
	}
	return nil
}

// readRunInputs sums the rollups of run_dirty's members into run_inputs,
// with their histories folded further (saved by foldHistories). When the
// rules changed (full), histories are ignored.
func readRunInputs(ctx context.Context, tx *sqlx.Tx, q community.EngagementQuery, today time.Time, full bool) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE run_inputs ON COMMIT DROP AS `+fmt.Sprintf(freshInputsSQL, "run_dirty"),
		inputArgs(q, today, full)...); err != nil {
		return fmt.Errorf("sum the activity of members to rescore: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE run_inputs ADD PRIMARY KEY (member_id); ANALYZE run_inputs`); err != nil {
		return fmt.Errorf("sum the activity of members to rescore: %w", err)
	}
	return nil
}

// foldHistories saves the histories run_inputs folded, after dropping
// every history when the rules changed (full). Members being erased are
// skipped rather than waited for (their row is locked): the run holds
// standings the erasure's cascade waits for.
func foldHistories(ctx context.Context, tx *sqlx.Tx, today time.Time, full bool) error {
	if full {
		if _, err := tx.ExecContext(ctx, `DELETE FROM member_history`); err != nil {
			return fmt.Errorf("forget the histories summed with other rules: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `
INSERT INTO member_history (member_id, through, score_log, activity_points, messages, helpful, last_at)
SELECT f.member_id, $1, f.old_score_log, f.old_points, f.old_messages, f.old_helpful, f.old_last_at
FROM run_inputs f
WHERE f.folded AND f.member_id IN (
    SELECT id FROM members WHERE id IN (SELECT member_id FROM run_inputs WHERE folded) ORDER BY id FOR KEY SHARE SKIP LOCKED)
ORDER BY f.member_id
ON CONFLICT (member_id) DO UPDATE SET through = EXCLUDED.through, score_log = EXCLUDED.score_log,
    activity_points = EXCLUDED.activity_points, messages = EXCLUDED.messages, helpful = EXCLUDED.helpful, last_at = EXCLUDED.last_at`,
		horizon(today)); err != nil {
		return fmt.Errorf("fold the days that left the trend's windows: %w", err)
	}
	return nil
}

// inputArgs are freshInputsSQL's $1-$9 for a run on a day: the scoring
// rules, the day, the history's horizon, and whether to ignore histories.
func inputArgs(q community.EngagementQuery, today time.Time, full bool) []any {
	return append(scoringArgs(q), today.Format(time.DateOnly), horizon(today), full)
}

// scoringArgs are freshInputsSQL's $1-$6: every kind with its weight,
// points and whether it is a message or a helpful answer, and λ.
func scoringArgs(q community.EngagementQuery) []any {
	var kinds []string
	var weights, points []float64
	var messages, helpful []int
	for _, k := range community.ActivityKinds {
		kinds, weights, points = append(kinds, string(k)), append(weights, q.Weight[k]), append(points, q.Points[k])
		messages = append(messages, oneIf(k == community.ActivityMessage || k == community.ActivityReply))
		helpful = append(helpful, oneIf(k == community.ActivityHelpfulAnswer))
	}
	return []any{pq.Array(kinds), pq.Array(weights), pq.Array(points), pq.Array(messages), pq.Array(helpful), q.Decay}
}

// readCandidates reads the next batch of run_candidates, after a member,
// for deciding.
func readCandidates(ctx context.Context, tx *sqlx.Tx, q community.EngagementQuery, after community.MemberID) ([]community.EngagementTotal, error) {
	rows, err := tx.QueryContext(ctx, readCandidatesSQL, epochSeconds(q.Now), q.Decay, int64(after), decideBatch)
	if err != nil {
		return nil, fmt.Errorf("read the members to decide: %w", err)
	}
	defer rows.Close()
	out := make([]community.EngagementTotal, 0, decideBatch)
	for rows.Next() {
		var t community.EngagementTotal
		var v community.LinkedValue
		var last sql.NullTime
		var linked bool
		var tier sql.NullString
		var milestones pq.StringArray
		if err := rows.Scan(&t.Member, &t.Since, &t.Score, &t.Percentile, &last, &t.ThisWeek, &t.PrevFourWeeks, &t.ActivityPoints,
			&t.Messages, &t.Helpful, &linked, &v.Via, &v.Orders, &v.Revenue, &v.Historical, &v.HasModel, &v.Predicted, &v.PAlive,
			&v.HistoricalPercentile, &v.PredictedPercentile, &tier, &t.PrevFlags, &milestones); err != nil {
			return nil, fmt.Errorf("read the members to decide: %w", err)
		}
		t.LastActive, t.Milestones = last.Time, milestones
		if linked {
			v.Member = t.Member
			t.Value = &v
		}
		if tier.Valid {
			t.Scored = true
			t.Previous, _ = community.ParseTier(tier.String)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// decidedColumns are what deciding sets of a standing; the rest comes
// from run_candidates.
var decidedColumns = []string{"member_id", "tier", "flags", "priority", "value_percentile", "engagement_percentile", "level",
	"last_active_at", "this_week", "prev_weekly", "points", "computed_at"}

// standingValues are the columns whose change makes a standing worth
// writing.
const standingValues = `tier, flags, priority, value_percentile, engagement_percentile, level, last_active_at, this_week,
    prev_weekly, points, score_log, activity_points, messages, helpful`

// saveDecided writes the decided standings that changed, their inputs
// with them, then the milestones and events. Members erased meanwhile,
// or being erased (their row locked), are skipped.
func saveDecided(ctx context.Context, tx *sqlx.Tx, u community.StandingsUpdate) error {
	if _, err := tx.ExecContext(ctx, `TRUNCATE new_standings`); err != nil {
		return fmt.Errorf("staging table: %w", err)
	}
	if err := copyDecided(ctx, tx, u.Standings); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `ANALYZE new_standings`); err != nil {
		return fmt.Errorf("staging table: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
INSERT INTO member_standings (`+strings.Join(decidedColumns, ", ")+`, score_log, activity_points, messages, helpful)
SELECT n.*, c.score_log, c.activity_points, c.messages, c.helpful
FROM new_standings n JOIN run_candidates c USING (member_id)
WHERE n.member_id IN (SELECT id FROM members WHERE id IN (SELECT member_id FROM new_standings) ORDER BY id FOR KEY SHARE SKIP LOCKED)
ON CONFLICT (member_id) DO UPDATE SET `+strings.Join(assignments(standingValues), ", ")+`, computed_at = EXCLUDED.computed_at
WHERE (`+prefixed("member_standings.", standingValues)+`) IS DISTINCT FROM (`+prefixed("EXCLUDED.", standingValues)+`)`); err != nil {
		return fmt.Errorf("save standings: %w", err)
	}
	if err := saveMilestones(ctx, tx, u.Milestones, u.At); err != nil {
		return err
	}
	return copyEvents(ctx, tx, u.Events)
}

// prefixed qualifies each of a list of columns.
func prefixed(prefix, columns string) string {
	var out []string
	for _, c := range strings.Split(columns, ",") {
		out = append(out, prefix+strings.TrimSpace(c))
	}
	return strings.Join(out, ", ")
}

// assignments sets each of a list of columns from EXCLUDED.
func assignments(columns string) []string {
	var out []string
	for _, c := range strings.Split(columns, ",") {
		c = strings.TrimSpace(c)
		out = append(out, c+" = EXCLUDED."+c)
	}
	return out
}

// createNewStandings creates new_standings, where decided standings are
// copied before they are saved.
func createNewStandings(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE new_standings ON COMMIT DROP AS
SELECT `+strings.Join(decidedColumns, ", ")+` FROM member_standings WITH NO DATA`); err != nil {
		return fmt.Errorf("staging table: %w", err)
	}
	return nil
}

// copyDecided copies standings into new_standings.
func copyDecided(ctx context.Context, tx *sqlx.Tx, standings []community.MemberStanding) error {
	if len(standings) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, "COPY new_standings ("+strings.Join(decidedColumns, ", ")+") FROM STDIN")
	if err != nil {
		return fmt.Errorf("copy standings: %w", err)
	}
	defer stmt.Close()
	for _, m := range standings {
		e := m.Engagement
		if _, err := stmt.ExecContext(ctx, int64(m.Member), m.Tier.String(), int16(m.Flags), m.Priority, m.Value,
			e.Percentile, e.Level, nullTime(e.LastActive), e.ThisWeek, e.PrevWeekly, m.Points, m.ComputedAt); err != nil {
			return fmt.Errorf("copy standing of member %d: %w", m.Member, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy standings: %w", err)
	}
	return nil
}

// resumRenewed sums again the inputs of the members decided whose mark
// was renewed while the run decided them (automod uncounting their
// messages, on another replica): their saved standing must not count
// what was taken out. Their mark stays, for the next run to decide them
// again.
func resumRenewed(ctx context.Context, tx *sqlx.Tx, q community.EngagementQuery, today time.Time) error {
	if _, err := tx.ExecContext(ctx, `
CREATE TEMP TABLE run_renewed ON COMMIT DROP AS
SELECT c.member_id, d.version FROM run_candidates c JOIN standings_dirty d ON d.member_id = c.member_id
LEFT JOIN run_dirty r ON r.member_id = c.member_id
WHERE d.version IS DISTINCT FROM r.version`); err != nil {
		return fmt.Errorf("members changed meanwhile: %w", err)
	}
	if _, err := tx.ExecContext(ctx, resumSQL("run_renewed"), inputArgs(q, today, false)...); err != nil {
		return fmt.Errorf("sum again the members changed meanwhile: %w", err)
	}
	return nil
}

// settleRun clears the marks the run read (not those renewed since, nor
// those a transaction still holds: they stay for the next run) and
// records the run.
func settleRun(ctx context.Context, tx *sqlx.Tx, q community.EngagementQuery, today time.Time) error {
	if _, err := tx.ExecContext(ctx, `
DELETE FROM standings_dirty WHERE member_id IN (
    SELECT d.member_id FROM standings_dirty d JOIN run_dirty r ON r.member_id = d.member_id AND r.version = d.version
    FOR UPDATE OF d SKIP LOCKED)`); err != nil {
		return fmt.Errorf("clear the members rescored: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
INSERT INTO standings_state (computed_at, day, decay, rules) VALUES ($1, $2, $3, $4)
ON CONFLICT (only_row) DO UPDATE SET computed_at = EXCLUDED.computed_at, day = EXCLUDED.day, decay = EXCLUDED.decay, rules = EXCLUDED.rules`,
		q.Now, today.Format(time.DateOnly), q.Decay, q.Rules); err != nil {
		return fmt.Errorf("record the standings run: %w", err)
	}
	return nil
}

// utcDay is the UTC day of t, at midnight.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// epochSeconds is t in seconds since 1970, as PostgreSQL's
// date_part('epoch', ...) gives it.
func epochSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }
