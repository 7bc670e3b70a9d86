package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The digest's statements read a span of weeks with digest.Lookback
// weeks before it (who went quiet, who returned): $1 are the weeks'
// bounds as moments and $2 as dates (the rollups are by UTC day),
// digest.Reach weeks in all; week j (1-based) is [$1[j], $1[j+1]). A
// statement that reads only the dates takes them as $1: PostgreSQL
// cannot type a parameter it is given but never reads. The digest's own
// weeks are 5 to 16.

// digestMembersSQL groups the members active in the reach (anything but
// a reaction received or a join) by the weeks they were active in (a bit
// a week) and the week they were first seen (0 before the reach), for
// digest.CountMembers.
const digestMembersSQL = `
WITH active AS (
    SELECT member_id, bit_or(1 << (width_bucket(day, $2::date[]) - 1)) AS weeks
    FROM activity_days
    WHERE day >= ($2::date[])[1] AND day < ($2::date[])[17] AND kind NOT IN ('reaction_received', 'join')
    GROUP BY member_id)
SELECT a.weeks, width_bucket(m.created_at, $1::timestamptz[]) AS joined, count(*) AS members
FROM active a JOIN members m ON m.id = a.member_id
GROUP BY 1, 2`

// digestWeeklySQL counts the rest of the weekly series, each row a
// series, a week (5 to 16) and its value. $3 are the moderation actions'
// audit names. Messages are the community's: not the staff's chats nor
// private ones, as the busiest groups. A reshare is queued with its
// consent, and counted then (its event may be pruned since). Purchases
// count as the CLV engine counts them
// (ordersForCLVSQL, clv.IsPurchase): paid, refunds the larger of the
// order's own and those its source reported apart, not wholly refunded.
const digestWeeklySQL = `
WITH b AS (SELECT $1::timestamptz[] AS t, $2::date[] AS d),
refunded AS (
    SELECT o.customer_id, o.ordered_at, o.amount, GREATEST(o.refunded, COALESCE(r.total, 0)) AS refunded
    FROM orders o JOIN customers c ON c.id = o.customer_id
    LEFT JOIN (SELECT source, order_id, sum(amount) AS total FROM refunds GROUP BY source, order_id) r
           ON r.source = o.source AND r.order_id = o.id
    WHERE c.member_id IS NOT NULL AND o.status = 'paid'),
purchases AS (
    SELECT customer_id, ordered_at, amount - refunded AS net FROM refunded WHERE amount = 0 OR refunded < amount)
SELECT 'new_members' AS series, width_bucket(created_at, b.t) AS j, count(*)::float8 AS v
    FROM members, b WHERE created_at >= b.t[5] AND created_at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'messages', width_bucket(a.day, b.d), sum(a.n)
    FROM chat_activity_days a JOIN chats c ON c.id = a.chat_id, b
    WHERE a.kind IN ('message', 'reply') AND a.day >= b.d[5] AND a.day < b.d[17] AND c.kind <> 'direct' AND NOT ` + chatIsStaffSQL + ` GROUP BY 2
UNION ALL
SELECT 'ideas_new', width_bucket(created_at, b.t), count(*)
    FROM feedback_items, b WHERE kind = 'idea' AND created_at >= b.t[5] AND created_at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'idea_changes', width_bucket(at, b.t), count(*)
    FROM feedback_changes, b WHERE at >= b.t[5] AND at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'voters_told', width_bucket(queued_at, b.t), count(*)
    FROM feedback_notices, b WHERE NOT unreachable AND queued_at >= b.t[5] AND queued_at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'posts_submitted', width_bucket(created_at, b.t), count(*)
    FROM showcase_submissions, b WHERE created_at >= b.t[5] AND created_at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'posts_approved', width_bucket(reviewed_at, b.t), count(*)
    FROM showcase_submissions, b WHERE status <> 'rejected' AND reviewed_at >= b.t[5] AND reviewed_at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'posts_consented', width_bucket(granted_at, b.t), count(*)
    FROM showcase_consents, b WHERE decision <> 'decline' AND granted_at >= b.t[5] AND granted_at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'posts_reshared', width_bucket(c.granted_at, b.t), count(*)
    FROM showcase_reshares r JOIN showcase_consents c ON c.id = r.consent_id, b
    WHERE c.granted_at >= b.t[5] AND c.granted_at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'moderation', width_bucket(at, b.t), count(*)
    FROM audit_log, b WHERE action = ANY ($3) AND at >= b.t[5] AND at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'moderation_vips', width_bucket(a.at, b.t), count(*)
    FROM audit_log a JOIN member_standings s ON s.member_id = a.target_member_id AND s.tier = 'vip', b
    WHERE a.action = ANY ($3) AND a.at >= b.t[5] AND a.at < b.t[17] GROUP BY 2
UNION ALL
SELECT 'new_buyers', width_bucket(first, b.t), count(*)
    FROM (SELECT min(ordered_at) AS first FROM purchases GROUP BY customer_id) f, b
    WHERE first >= b.t[5] AND first < b.t[17] GROUP BY 2
UNION ALL
SELECT 'linked_revenue', width_bucket(ordered_at, b.t), sum(net)::float8
    FROM purchases, b WHERE ordered_at >= b.t[5] AND ordered_at < b.t[17] GROUP BY 2`

// digestChatsSQL lists the groups and topics with the most messages in
// the digest's week, with the week before's: not the staff's chats (the
// staff chat, a ticket's own thread), nor private ones.
const digestChatsSQL = `
SELECT coalesce(nullif(p.title, '') || ' › ', '') || coalesce(nullif(c.title, ''), c.platform_chat_id) AS title, c.platform,
       sum(d.n) FILTER (WHERE d.day >= ($1::date[])[16]) AS messages,
       coalesce(sum(d.n) FILTER (WHERE d.day < ($1::date[])[16]), 0) AS prev
FROM chat_activity_days d JOIN chats c ON c.id = d.chat_id LEFT JOIN chats p ON p.id = c.parent_id
WHERE d.kind IN ('message', 'reply') AND d.day >= ($1::date[])[15] AND d.day < ($1::date[])[17]
  AND c.kind <> 'direct' AND NOT ` + chatIsStaffSQL + `
GROUP BY c.id, c.title, c.platform_chat_id, c.platform, p.title
HAVING sum(d.n) FILTER (WHERE d.day >= ($1::date[])[16]) > 0
ORDER BY messages DESC, c.id
LIMIT $2`

// digestContributorsSQL ranks the members by their activity of the
// digest's week, weighed as the standings weigh it ($2 kinds, $3
// weights), with their tier and their customer's value.
const digestContributorsSQL = `
WITH w AS (SELECT * FROM unnest($2::text[], $3::float8[]) AS w (kind, weight)),
top AS (
    SELECT d.member_id, sum(d.n * w.weight) AS points,
           sum(d.n) FILTER (WHERE d.kind IN ('message', 'reply')) AS messages
    FROM activity_days d JOIN w ON w.kind = d.kind
    WHERE d.day >= ($1::date[])[16] AND d.day < ($1::date[])[17]
    GROUP BY d.member_id
    HAVING sum(d.n * w.weight) > 0
    ORDER BY points DESC, d.member_id
    LIMIT $4)
SELECT t.member_id, m.display_name, coalesce(s.tier, 'newcomer') AS tier, t.points, coalesce(t.messages, 0) AS messages,
       cu.id IS NOT NULL AS linked, v.predicted_clv IS NOT NULL AS modelled, coalesce(v.predicted_clv, 0) AS predicted,
       coalesce(v.revenue, 0) AS revenue
FROM top t JOIN members m ON m.id = t.member_id
LEFT JOIN member_standings s ON s.member_id = t.member_id
LEFT JOIN customers cu ON cu.member_id = t.member_id
LEFT JOIN clv_snapshots v ON v.customer_id = cu.id
ORDER BY t.points DESC, t.member_id`

// digestRiskSQL reads every VIP's facts for the at-risk rule: their
// weighted activity ($3 kinds, $4 weights) in the digest's week and the
// weekly average of the four weeks before ($5 the dates), P(alive) now and
// when last week's digest was made ($6 that week), their latest NPS
// answer in the DetractorDays before the week's end ($1, $2), and their
// open tickets with a breached SLA.
const digestRiskSQL = `
WITH w AS (SELECT * FROM unnest($3::text[], $4::float8[]) AS w (kind, weight)),
vip AS (SELECT member_id FROM member_standings WHERE tier = 'vip'),
engagement AS (
    SELECT d.member_id,
           coalesce(sum(d.n * w.weight) FILTER (WHERE d.day >= ($5::date[])[16]), 0) AS this_week,
           coalesce(sum(d.n * w.weight) FILTER (WHERE d.day < ($5::date[])[16]), 0) / 4 AS prev_weekly
    FROM activity_days d JOIN w ON w.kind = d.kind JOIN vip ON vip.member_id = d.member_id
    WHERE d.day >= ($5::date[])[12] AND d.day < ($5::date[])[17]
    GROUP BY d.member_id)
SELECT s.member_id, m.display_name, coalesce(e.this_week, 0) AS this_week, coalesce(e.prev_weekly, 0) AS prev_weekly,
       v.predicted_clv IS NOT NULL AS has_model, coalesce(v.p_alive, 0) AS p_alive,
       p.p_alive IS NOT NULL AS had_p_alive, coalesce(p.p_alive, 0) AS prev_p_alive,
       coalesce(v.predicted_clv, 0) AS predicted, coalesce(v.revenue, 0) AS revenue,
       coalesce((SELECT a.score FROM nps_answers a WHERE a.member_id = s.member_id
                   AND a.answered_at >= $1 AND a.answered_at < $2 ORDER BY a.answered_at DESC, a.id DESC LIMIT 1), -1) AS score,
       ARRAY(SELECT t.id FROM tickets t WHERE t.member_id = s.member_id AND t.closed_at IS NULL
               AND EXISTS (SELECT 1 FROM ticket_sla_alerts x WHERE x.ticket_id = t.id AND x.kind = 'breach')
             ORDER BY t.opened_at, t.id) AS overdue
FROM member_standings s JOIN members m ON m.id = s.member_id
LEFT JOIN engagement e ON e.member_id = s.member_id
LEFT JOIN customers cu ON cu.member_id = s.member_id
LEFT JOIN clv_snapshots v ON v.customer_id = cu.id
LEFT JOIN digests prev ON prev.week = $6 AND prev.made_at BETWEEN $7::timestamptz - interval '9 days' AND $7::timestamptz - interval '5 days'
LEFT JOIN digest_p_alive p ON p.week = prev.week AND p.member_id = s.member_id
WHERE s.tier = 'vip'`

// digestIdeasSQL lists the open ideas with the most CLV-weighted votes,
// and the votes each got in the digest's week.
const digestIdeasSQL = `
SELECT i.id, i.title, i.status, i.votes, coalesce(i.voters_value, 0)::float8 AS value,
       (SELECT count(*) FROM feedback_votes v WHERE v.item_id = i.id AND v.at >= $1 AND v.at < $2) AS new_votes
FROM feedback_items i
WHERE i.kind = 'idea' AND i.status IN ('open', 'under_review', 'planned', 'in_progress')
ORDER BY value DESC, i.votes DESC, i.id
LIMIT $3`

// digestNPSSQL reads the answers of the span's weeks with the member's
// CLV when they answered.
const digestNPSSQL = `
SELECT width_bucket(answered_at, $1::timestamptz[]) AS j, score, coalesce(clv, 0) AS clv
FROM nps_answers WHERE answered_at >= ($1::timestamptz[])[5] AND answered_at < ($1::timestamptz[])[17]`

// digestModeratedVIPsSQL names the VIPs moderation acted on in the
// digest's week.
const digestModeratedVIPsSQL = `
SELECT m.id AS member_id, m.display_name FROM audit_log a
JOIN member_standings s ON s.member_id = a.target_member_id AND s.tier = 'vip'
JOIN members m ON m.id = a.target_member_id
WHERE a.action = ANY ($2) AND a.at >= ($1::timestamptz[])[16] AND a.at < ($1::timestamptz[])[17]
GROUP BY m.id, m.display_name ORDER BY min(a.at), m.id`

// digestLevelsSQL is what the members of each engagement level are worth.
const digestLevelsSQL = `
SELECT s.level, count(*) AS members, count(cu.id) AS linked, count(v.predicted_clv) AS predicted,
       coalesce(avg(v.predicted_clv), 0) AS avg_predicted, coalesce(sum(v.revenue), 0) AS revenue
FROM member_standings s
LEFT JOIN customers cu ON cu.member_id = s.member_id
LEFT JOIN clv_snapshots v ON v.customer_id = cu.id
WHERE s.level BETWEEN 1 AND 4
GROUP BY s.level ORDER BY s.level`

// digestShippedSQL lists the ideas moved to done in the digest's week.
const digestShippedSQL = `
SELECT DISTINCT ON (i.id) i.id, i.title, i.votes FROM feedback_changes c JOIN feedback_items i ON i.id = c.item_id
WHERE c.to_status = 'done' AND i.kind = 'idea' AND i.status = 'done' AND c.at >= $1 AND c.at < $2
ORDER BY i.id`

// digestConsentedSQL lists the posts consented for the community in the
// digest's week whose consent still holds, with the author's name where
// the credit and /top allow it (” otherwise).
const digestConsentedSQL = `
SELECT CASE WHEN c.credit = 'named' AND NOT m.hide_from_top AND NOT EXISTS (SELECT 1 FROM sanctions s
                WHERE s.member_id = m.id AND s.kind IN ('ban', 'kick') AND s.at >= c.granted_at) THEN m.id ELSE 0 END AS member_id,
       coalesce(m.display_name, '') AS display_name
FROM showcase_consents c LEFT JOIN members m ON m.id = c.member_id
WHERE c.decision <> 'decline' AND 'community' = ANY (c.scopes) AND c.revoked_at IS NULL AND c.expires_at > $2
  AND c.granted_at >= $1 AND c.granted_at < $2
ORDER BY c.granted_at, c.id`

// digestModerationActions are the audit names of the moderation actions
// a digest counts: what staff or automod did to members, not the undoing.
var digestModerationActions = func() []string {
	var out []string
	for _, k := range []community.ActionKind{community.ActionWarn, community.ActionMute, community.ActionBan,
		community.ActionKick, community.ActionPurge, community.ActionDelete} {
		out = append(out, community.AuditModeration(k))
	}
	return out
}()

// digestBounds are the moments and dates that bound the span's weeks and
// the four before them.
func digestBounds(s digest.Span) (pq.GenericArray, pq.GenericArray, error) {
	if len(s.Weeks) != digest.ChartWeeks || len(s.Bounds) != digest.ChartWeeks+1 {
		return pq.GenericArray{}, pq.GenericArray{}, fmt.Errorf("digest span: %d weeks, want %d", len(s.Weeks), digest.ChartWeeks)
	}
	loc := s.Bounds[0].Location()
	var moments []time.Time
	first := s.Weeks[0]
	for range digest.Lookback {
		first = first.Prev()
	}
	for w := first; w != s.Weeks[0]; w = w.Next() {
		moments = append(moments, w.Start(loc))
	}
	moments = append(moments, s.Bounds...)
	dates := make([]string, len(moments))
	for i, m := range moments {
		dates[i] = m.Format(time.DateOnly)
	}
	return pq.GenericArray{A: moments}, pq.GenericArray{A: dates}, nil
}

// DigestFacts implements digest.Store: the sections' statements read one
// snapshot (a repeatable-read, read-only transaction), so they agree with
// each other; the support desk's weeks are its own reports, read after.
func (s *Store) DigestFacts(ctx context.Context, span digest.Span, weights community.Weights, made time.Time) (digest.Facts, error) {
	moments, dates, err := digestBounds(span)
	if err != nil {
		return digest.Facts{}, err
	}
	var f digest.Facts
	err = s.readOnly(ctx, func(tx *sqlx.Tx) error {
		for _, step := range []func() error{
			func() error { return digestMembers(ctx, tx, moments, dates, &f) },
			func() error { return digestWeekly(ctx, tx, moments, dates, &f) },
			func() error { return digestChats(ctx, tx, dates, &f) },
			func() error { return digestContributors(ctx, tx, dates, weights, &f) },
			func() error { return digestRisk(ctx, tx, span, dates, weights, made, &f) },
			func() error { return digestIdeas(ctx, tx, span, &f) },
			func() error { return digestNPS(ctx, tx, moments, &f) },
			func() error {
				var err error
				f.ModeratedVIPs, err = selectNamed(ctx, tx, digestModeratedVIPsSQL, moments, pq.StringArray(digestModerationActions))
				return err
			},
			func() error { return digestLevels(ctx, tx, &f) },
			func() error { return digestHighlight(ctx, tx, span, &f.Highlight) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return digest.Facts{}, fmt.Errorf("digest facts: %w", err)
	}
	// The desk's weeks, as /support reports them.
	n := len(span.Bounds)
	for i := n - 1 - min(n-1, 5); i < n-1; i++ {
		r, err := s.SupportReport(ctx, span.Bounds[i], span.Bounds[i+1].Add(-time.Microsecond))
		if err != nil {
			return digest.Facts{}, fmt.Errorf("digest facts: %w", err)
		}
		f.Support = append(f.Support, r)
	}
	return f, nil
}

// readOnly runs fn in a read-only transaction that sees one snapshot.
func (s *Store) readOnly(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read only: nothing to undo
	// Room to aggregate a hundred thousand members in memory; no JIT,
	// whose compiling costs more than it saves here.
	for _, set := range []string{`SET LOCAL work_mem = '64MB'`, `SET LOCAL jit = off`} {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func digestMembers(ctx context.Context, tx *sqlx.Tx, moments, dates pq.GenericArray, f *digest.Facts) error {
	var groups []digest.MemberWeeks
	rows, err := tx.QueryContext(ctx, digestMembersSQL, moments, dates)
	if err != nil {
		return fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g digest.MemberWeeks
		if err := rows.Scan(&g.Active, &g.Joined, &g.Members); err != nil {
			return fmt.Errorf("members: %w", err)
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("members: %w", err)
	}
	f.ActiveMembers, f.ReturningMembers, f.QuietMembers = digest.CountMembers(groups)
	return nil
}

func digestWeekly(ctx context.Context, tx *sqlx.Tx, moments, dates pq.GenericArray, f *digest.Facts) error {
	ints := map[string]*[]int{"new_members": &f.NewMembers, "messages": &f.Messages, "ideas_new": &f.IdeasNew,
		"idea_changes": &f.IdeaStatusChanges, "voters_told": &f.VotersTold, "posts_submitted": &f.PostsSubmitted,
		"posts_approved": &f.PostsApproved, "posts_consented": &f.PostsConsented, "posts_reshared": &f.PostsReshared,
		"moderation": &f.ModerationActions, "moderation_vips": &f.ModerationOnVIPs, "new_buyers": &f.NewBuyers}
	for _, s := range ints {
		*s = weekly[int]()
	}
	f.LinkedRevenue = weekly[float64]()
	rows, err := tx.QueryContext(ctx, digestWeeklySQL, moments, dates, pq.StringArray(digestModerationActions))
	if err != nil {
		return fmt.Errorf("weekly counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var series string
		var j int
		var v float64
		if err := rows.Scan(&series, &j, &v); err != nil {
			return fmt.Errorf("weekly counts: %w", err)
		}
		k := j - digest.Lookback - 1
		if series == "linked_revenue" {
			f.LinkedRevenue[k] = v
		} else {
			(*ints[series])[k] = int(v)
		}
	}
	return rows.Err()
}

func digestChats(ctx context.Context, tx *sqlx.Tx, dates pq.GenericArray, f *digest.Facts) error {
	var rows []struct {
		Title    string `db:"title"`
		Platform string `db:"platform"`
		Messages int    `db:"messages"`
		Prev     int    `db:"prev"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, digestChatsSQL, dates, digest.Listed); err != nil {
		return fmt.Errorf("busiest groups: %w", err)
	}
	for _, r := range rows {
		f.BusiestChats = append(f.BusiestChats, digest.ChatLine{Title: r.Title, Platform: community.Platform(r.Platform), Messages: r.Messages, Prev: r.Prev})
	}
	return nil
}

func digestIdeas(ctx context.Context, tx *sqlx.Tx, span digest.Span, f *digest.Facts) error {
	var rows []struct {
		ID       int64   `db:"id"`
		Title    string  `db:"title"`
		Status   string  `db:"status"`
		Votes    int     `db:"votes"`
		Value    float64 `db:"value"`
		NewVotes int     `db:"new_votes"`
	}
	n := len(span.Bounds)
	if err := sqlx.SelectContext(ctx, tx, &rows, digestIdeasSQL, span.Bounds[n-2], span.Bounds[n-1], digest.Listed); err != nil {
		return fmt.Errorf("top ideas: %w", err)
	}
	for _, r := range rows {
		f.TopIdeas = append(f.TopIdeas, digest.IdeaLine{ID: r.ID, Title: r.Title, Status: feedback.Status(r.Status), Votes: r.Votes,
			NewVotes: r.NewVotes, Value: r.Value})
	}
	return nil
}

func digestLevels(ctx context.Context, tx *sqlx.Tx, f *digest.Facts) error {
	var rows []struct {
		Level        int     `db:"level"`
		Members      int     `db:"members"`
		Linked       int     `db:"linked"`
		Predicted    int     `db:"predicted"`
		AvgPredicted float64 `db:"avg_predicted"`
		Revenue      float64 `db:"revenue"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, digestLevelsSQL); err != nil {
		return fmt.Errorf("value by level: %w", err)
	}
	for _, r := range rows {
		f.ByLevel = append(f.ByLevel, digest.LevelValue(r))
	}
	return nil
}

func digestHighlight(ctx context.Context, tx *sqlx.Tx, span digest.Span, h *digest.HighlightFacts) error {
	start, end := span.Bounds[len(span.Bounds)-2], span.Bounds[len(span.Bounds)-1]
	var shipped []struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
		Votes int    `db:"votes"`
	}
	if err := sqlx.SelectContext(ctx, tx, &shipped, digestShippedSQL, start, end); err != nil {
		return fmt.Errorf("ideas shipped: %w", err)
	}
	for _, i := range shipped {
		h.Shipped = append(h.Shipped, digest.IdeaLine{ID: i.ID, Title: i.Title, Status: feedback.StatusDone, Votes: i.Votes})
	}
	authors, err := selectNamed(ctx, tx, digestConsentedSQL, start, end)
	if err != nil {
		return fmt.Errorf("posts consented: %w", err)
	}
	h.Posts = len(authors)
	for _, a := range authors {
		if a.Member != 0 && !slices.Contains(h.Authors, a) {
			h.Authors = append(h.Authors, a)
		}
	}
	return nil
}

// selectNamed reads members as a digest names them: member_id and
// display_name.
func selectNamed(ctx context.Context, tx *sqlx.Tx, query string, args ...any) ([]digest.Named, error) {
	var rows []struct {
		Member community.MemberID `db:"member_id"`
		Name   string             `db:"display_name"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]digest.Named, len(rows))
	for i, r := range rows {
		out[i] = digest.Named(r)
	}
	return out, nil
}

func digestContributors(ctx context.Context, tx *sqlx.Tx, dates pq.GenericArray, weights community.Weights, f *digest.Facts) error {
	kinds, w := weightArrays(weights)
	var rows []struct {
		Member    community.MemberID `db:"member_id"`
		Name      string             `db:"display_name"`
		Tier      string             `db:"tier"`
		Points    float64            `db:"points"`
		Messages  int                `db:"messages"`
		Linked    bool               `db:"linked"`
		Modelled  bool               `db:"modelled"`
		Predicted float64            `db:"predicted"`
		Revenue   float64            `db:"revenue"`
	}
	if err := sqlx.SelectContext(ctx, tx, &rows, digestContributorsSQL, dates, kinds, w, digest.Listed); err != nil {
		return fmt.Errorf("top contributors: %w", err)
	}
	for _, r := range rows {
		tier, err := community.ParseTier(r.Tier)
		if err != nil {
			return fmt.Errorf("top contributors: member %d: %w", r.Member, err)
		}
		f.Contributors = append(f.Contributors, digest.Contributor{Member: r.Member, Name: r.Name, Tier: tier, Points: r.Points,
			Messages: r.Messages, Linked: r.Linked, Predicted: r.Predicted, Modelled: r.Modelled, Revenue: r.Revenue})
	}
	return nil
}

func digestRisk(ctx context.Context, tx *sqlx.Tx, span digest.Span, dates pq.GenericArray, weights community.Weights, made time.Time, f *digest.Facts) error {
	end := span.Bounds[len(span.Bounds)-1]
	kinds, w := weightArrays(weights)
	rows, err := tx.QueryContext(ctx, digestRiskSQL, end.AddDate(0, 0, -digest.DetractorDays), end, kinds, w, dates,
		span.Weeks[len(span.Weeks)-2].String(), made)
	if err != nil {
		return fmt.Errorf("VIPs at risk: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r digest.RiskFacts
		var overdue pq.Int64Array
		if err := rows.Scan(&r.Member, &r.Name, &r.ThisWeek, &r.PrevWeekly, &r.HasModel, &r.PAlive, &r.HadPAlive, &r.PrevPAlive,
			&r.Predicted, &r.Revenue, &r.Score, &overdue); err != nil {
			return fmt.Errorf("VIPs at risk: %w", err)
		}
		r.Overdue = overdue
		f.AtRisk = append(f.AtRisk, r)
	}
	return rows.Err()
}

// weightArrays are the engagement weights as parallel lists, for SQL.
func weightArrays(weights community.Weights) (pq.StringArray, pq.Float64Array) {
	var kinds pq.StringArray
	var w pq.Float64Array
	for k, v := range weights {
		kinds, w = append(kinds, string(k)), append(w, v)
	}
	return kinds, w
}

func digestNPS(ctx context.Context, tx *sqlx.Tx, moments pq.GenericArray, f *digest.Facts) error {
	rows, err := tx.QueryContext(ctx, digestNPSSQL, moments)
	if err != nil {
		return fmt.Errorf("NPS answers: %w", err)
	}
	defer rows.Close()
	f.NPSAnswers = make([][]feedback.Weighted, digest.ChartWeeks)
	for rows.Next() {
		var j int
		var a feedback.Weighted
		if err := rows.Scan(&j, &a.Score, &a.Weight); err != nil {
			return fmt.Errorf("NPS answers: %w", err)
		}
		f.NPSAnswers[j-digest.Lookback-1] = append(f.NPSAnswers[j-digest.Lookback-1], a)
	}
	return rows.Err()
}

// weekly is a series of zeros, one per week of a digest.
func weekly[T int | float64]() []T { return make([]T, digest.ChartWeeks) }
