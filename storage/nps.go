package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// npsAsksInWindowSQL counts the NPS questions member m was asked in the
// $4 milliseconds before $3: they count against the announcements'
// weekly cap of private messages.
const npsAsksInWindowSQL = `(SELECT count(*) FROM nps_asks a
            WHERE a.member_id = m.id AND a.asked_at > CAST($3 AS timestamptz) - $4 * interval '1 millisecond')`

// npsCandidatesSQL lists the members an NPS wave may ask: those Hearth
// may write to privately on a platform in $2 (always on $6), under the
// cap $5 of private messages in the $4 milliseconds before $3, with their
// tier, when they were last asked, and the platform to ask them on. $1
// is always true: the parameters keep the numbers mayWritePrivatelySQL
// and the announcements' cap use.
const npsCandidatesSQL = `
SELECT m.id, COALESCE(s.tier, 'newcomer') AS tier,
       (SELECT max(a.asked_at) FROM nps_asks a WHERE a.member_id = m.id) AS last_asked,
       (SELECT i.platform FROM identities i WHERE i.member_id = m.id AND i.platform = ANY($2) AND ` + mayWritePrivatelySQL + `
        ORDER BY i.platform LIMIT 1) AS platform
FROM members m LEFT JOIN member_standings s ON s.member_id = m.id
WHERE $1 AND EXISTS (SELECT 1 FROM identities i WHERE i.member_id = m.id AND i.platform = ANY($2) AND ` + mayWritePrivatelySQL + `)
  AND (SELECT count(*) FROM announcement_recipients r
       WHERE r.member_id = m.id AND r.due_at > CAST($3 AS timestamptz) - $4 * interval '1 millisecond')
      + ` + npsAsksInWindowSQL + ` < $5
ORDER BY m.id`

type npsCandidate struct {
	Member    int64        `db:"id"`
	Tier      string       `db:"tier"`
	LastAsked sql.NullTime `db:"last_asked"`
	Platform  string       `db:"platform"`
}

// OpenSurvey implements feedback.SurveyStore, under the announcements'
// advisory lock so that a send and a wave count each other's messages.
func (s *Store) OpenSurvey(ctx context.Context, w feedback.Wave, choose func([]feedback.Candidate) []community.MemberID,
	effects func(feedback.Survey, []community.RecipientBatch) community.Effects) (feedback.Survey, error) {
	var sv feedback.Survey
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(announceLock)); err != nil {
			return fmt.Errorf("lock announcements: %w", err)
		}
		var rows []npsCandidate
		if err := tx.SelectContext(ctx, &rows, npsCandidatesSQL, true, pq.Array(platformNames(w.Platforms)), w.AskAt,
			w.Window.Milliseconds(), w.Cap, pq.Array(platformNames(w.HearthOpens))); err != nil {
			return fmt.Errorf("nps candidates: %w", err)
		}
		cands, platform := make([]feedback.Candidate, len(rows)), map[community.MemberID]string{}
		for i, r := range rows {
			tier, err := community.ParseTier(r.Tier)
			if err != nil {
				return err
			}
			cands[i] = feedback.Candidate{Member: community.MemberID(r.Member), Tier: tier, LastAsked: r.LastAsked.Time}
			platform[cands[i].Member] = r.Platform
		}
		picked := choose(cands)
		if len(picked) == 0 {
			return nil
		}
		sv = feedback.Survey{OpenedAt: w.At, ClosesAt: w.ClosesAt, Asked: len(picked)}
		if err := tx.GetContext(ctx, &sv.ID, `INSERT INTO nps_surveys (opened_at, closes_at) VALUES ($1, $2) RETURNING id`, w.At, w.ClosesAt); err != nil {
			return fmt.Errorf("record survey: %w", err)
		}
		members, platforms := make([]int64, len(picked)), make([]string, len(picked))
		for i, m := range picked {
			members[i], platforms[i] = int64(m), platform[m]
		}
		if _, err := tx.ExecContext(ctx, `
INSERT INTO nps_asks (survey_id, member_id, platform, asked_at) SELECT $1, m, p, $4 FROM unnest($2::bigint[], $3::text[]) AS a(m, p)`,
			sv.ID, pq.Array(members), pq.Array(platforms), w.AskAt); err != nil {
			return fmt.Errorf("record asks of survey %d: %w", sv.ID, err)
		}
		return saveEffects(ctx, tx, effects(sv, batchesOf(picked)))
	})
	return sv, err
}

// batchesOf splits members in id order in batches of
// community.AnnouncementDMBatch.
func batchesOf(members []community.MemberID) []community.RecipientBatch {
	var out []community.RecipientBatch
	for i := 0; i < len(members); i += community.AnnouncementDMBatch {
		last := min(i+community.AnnouncementDMBatch, len(members)) - 1
		out = append(out, community.RecipientBatch{From: members[i], To: members[last]})
	}
	return out
}

// SurveyAsk implements feedback.SurveyStore.
func (s *Store) SurveyAsk(ctx context.Context, survey feedback.SurveyID, member community.MemberID) (feedback.Ask, error) {
	var row struct {
		Opened   time.Time `db:"opened_at"`
		Closes   time.Time `db:"closes_at"`
		Platform string    `db:"platform"`
		Asked    time.Time `db:"asked_at"`
	}
	err := s.db.GetContext(ctx, &row, `
SELECT s.opened_at, s.closes_at, a.platform, a.asked_at
FROM nps_asks a JOIN nps_surveys s ON s.id = a.survey_id WHERE a.survey_id = $1 AND a.member_id = $2`, survey, member)
	if err == sql.ErrNoRows {
		return feedback.Ask{}, community.Errorf(community.ENotFound, "nps.not_asked", nil, "member %d was not asked in survey %d", member, survey)
	}
	if err != nil {
		return feedback.Ask{}, fmt.Errorf("ask of member %d in survey %d: %w", member, survey, err)
	}
	return feedback.Ask{Survey: feedback.Survey{ID: survey, OpenedAt: row.Opened, ClosesAt: row.Closes}, Member: member,
		Platform: community.Platform(row.Platform), AskedAt: row.Asked}, nil
}

// PendingAsk implements feedback.SurveyStore.
func (s *Store) PendingAsk(ctx context.Context, member community.MemberID, at time.Time) (feedback.Ask, error) {
	var row struct {
		Survey   int64     `db:"survey_id"`
		Opened   time.Time `db:"opened_at"`
		Closes   time.Time `db:"closes_at"`
		Platform string    `db:"platform"`
		Asked    time.Time `db:"asked_at"`
	}
	err := s.db.GetContext(ctx, &row, `
SELECT a.survey_id, s.opened_at, s.closes_at, a.platform, a.asked_at
FROM nps_asks a JOIN nps_surveys s ON s.id = a.survey_id
WHERE a.member_id = $1 AND s.closes_at > $2
  AND NOT EXISTS (SELECT 1 FROM nps_answers n WHERE n.survey_id = a.survey_id AND n.member_id = a.member_id)
ORDER BY s.opened_at DESC LIMIT 1`, member, at)
	if err == sql.ErrNoRows {
		return feedback.Ask{}, community.Errorf(community.ENotFound, "nps.none_open", nil, "member %d has no open survey", member)
	}
	if err != nil {
		return feedback.Ask{}, fmt.Errorf("pending ask of member %d: %w", member, err)
	}
	return feedback.Ask{Survey: feedback.Survey{ID: feedback.SurveyID(row.Survey), OpenedAt: row.Opened, ClosesAt: row.Closes}, Member: member,
		Platform: community.Platform(row.Platform), AskedAt: row.Asked}, nil
}

// Respondent implements feedback.SurveyStore: the member's standing and
// the predicted CLV of their customer (historical without a model).
func (s *Store) Respondent(ctx context.Context, member community.MemberID) (feedback.Respondent, error) {
	var row struct {
		Tier  string  `db:"tier"`
		Flags int     `db:"flags"`
		CLV   float64 `db:"clv"`
	}
	err := s.db.GetContext(ctx, &row, `
SELECT COALESCE(s.tier, 'newcomer') AS tier, COALESCE(s.flags, 0) AS flags,
       COALESCE((SELECT COALESCE(v.predicted_clv, v.historical_clv) FROM customers c JOIN clv_snapshots v ON v.customer_id = c.id
                 WHERE c.member_id = m.id), 0) AS clv
FROM members m LEFT JOIN member_standings s ON s.member_id = m.id WHERE m.id = $1`, member)
	if err == sql.ErrNoRows {
		return feedback.Respondent{}, community.MemberNotFound(member)
	}
	if err != nil {
		return feedback.Respondent{}, fmt.Errorf("respondent %d: %w", member, err)
	}
	tier, err := community.ParseTier(row.Tier)
	return feedback.Respondent{Tier: tier, Flags: community.Flags(row.Flags), CLV: row.CLV}, err
}

// RecordAnswer implements feedback.SurveyStore.
func (s *Store) RecordAnswer(ctx context.Context, a *feedback.Answer, effects func(feedback.Answer) community.Effects) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &a.ID, `
INSERT INTO nps_answers (survey_id, member_id, score, tier, flags, clv, platform, answered_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (survey_id, member_id) DO NOTHING RETURNING id`,
			a.Survey, a.Member, int(a.Score), a.Tier.String(), int(a.Flags), a.CLV, string(a.Platform), a.At)
		if err == sql.ErrNoRows {
			return fmt.Errorf("member %d answered survey %d: %w", a.Member, a.Survey, community.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("record answer: %w", err)
		}
		return saveEffects(ctx, tx, effects(*a))
	})
}

const answerSQL = `
SELECT a.id, a.survey_id, COALESCE(a.member_id, 0) AS member_id, COALESCE(m.display_name, '') AS name, a.score, a.reason,
       a.tier, a.flags, a.clv, a.platform, a.answered_at, COALESCE(a.ticket_id, 0) AS ticket_id
FROM nps_answers a LEFT JOIN members m ON m.id = a.member_id`

type answerRow struct {
	ID       int64     `db:"id"`
	Survey   int64     `db:"survey_id"`
	Member   int64     `db:"member_id"`
	Name     string    `db:"name"`
	Score    int       `db:"score"`
	Reason   string    `db:"reason"`
	Tier     string    `db:"tier"`
	Flags    int       `db:"flags"`
	CLV      float64   `db:"clv"`
	Platform string    `db:"platform"`
	At       time.Time `db:"answered_at"`
	Ticket   int64     `db:"ticket_id"`
}

func (r answerRow) answer() (feedback.Answer, error) {
	tier, err := community.ParseTier(r.Tier)
	return feedback.Answer{ID: r.ID, Survey: feedback.SurveyID(r.Survey), Member: community.MemberID(r.Member), Name: r.Name,
		Score: feedback.Score(r.Score), Reason: r.Reason, Platform: community.Platform(r.Platform), At: r.At, Ticket: r.Ticket,
		Respondent: feedback.Respondent{Tier: tier, Flags: community.Flags(r.Flags), CLV: r.CLV}}, err
}

// GiveReason implements feedback.SurveyStore.
func (s *Store) GiveReason(ctx context.Context, survey feedback.SurveyID, member community.MemberID, reason string,
	effects func(feedback.Answer) community.Effects) (feedback.Answer, error) {
	var a feedback.Answer
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var row answerRow
		err := tx.GetContext(ctx, &row, answerSQL+` WHERE a.survey_id = $1 AND a.member_id = $2 FOR UPDATE OF a`, survey, member)
		if err == sql.ErrNoRows {
			return community.Errorf(community.ENotFound, "nps.not_answered", nil, "member %d has not answered survey %d", member, survey)
		}
		if err != nil {
			return fmt.Errorf("answer of member %d to survey %d: %w", member, survey, err)
		}
		if row.Reason != "" {
			return fmt.Errorf("answer %d has a reason: %w", row.ID, community.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE nps_answers SET reason = $2 WHERE id = $1`, row.ID, reason); err != nil {
			return fmt.Errorf("record reason of answer %d: %w", row.ID, err)
		}
		row.Reason = reason
		if a, err = row.answer(); err != nil {
			return err
		}
		return saveEffects(ctx, tx, effects(a))
	})
	return a, err
}

// SurveyAnswer implements feedback.SurveyStore.
func (s *Store) SurveyAnswer(ctx context.Context, id int64) (feedback.Answer, error) {
	var row answerRow
	err := s.db.GetContext(ctx, &row, answerSQL+` WHERE a.id = $1`, id)
	if err == sql.ErrNoRows {
		return feedback.Answer{}, community.Errorf(community.ENotFound, "nps.no_answer", nil, "no answer %d", id)
	}
	if err != nil {
		return feedback.Answer{}, fmt.Errorf("answer %d: %w", id, err)
	}
	return row.answer()
}

// SurveyResults implements feedback.SurveyStore.
func (s *Store) SurveyResults(ctx context.Context, since time.Time) (int, []feedback.Answer, error) {
	var asked int
	if err := s.db.GetContext(ctx, &asked, `
SELECT count(*) FROM nps_asks a JOIN nps_surveys s ON s.id = a.survey_id WHERE s.opened_at >= $1`, since); err != nil {
		return 0, nil, fmt.Errorf("survey asks: %w", err)
	}
	var rows []answerRow
	if err := s.db.SelectContext(ctx, &rows, answerSQL+`
WHERE a.survey_id IN (SELECT id FROM nps_surveys WHERE opened_at >= $1) ORDER BY a.answered_at, a.id`, since); err != nil {
		return 0, nil, fmt.Errorf("survey answers: %w", err)
	}
	out := make([]feedback.Answer, len(rows))
	for i, r := range rows {
		a, err := r.answer()
		if err != nil {
			return 0, nil, err
		}
		out[i] = a
	}
	return asked, out, nil
}

// SurveyAsks implements the chat layer's survey outbox: the members of a
// survey asked whose ids lie between from and to, each with their
// identities on the platform they are asked on, and when the question
// may go.
func (s *Store) SurveyAsks(ctx context.Context, survey feedback.SurveyID, from, to community.MemberID) ([]community.Member, time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `
SELECT m.id, m.display_name, m.language, i.platform, i.platform_user_id, i.username, i.display_name, i.language, a.asked_at
FROM nps_asks a
JOIN members m ON m.id = a.member_id
JOIN identities i ON i.member_id = m.id AND i.platform = a.platform
WHERE a.survey_id = $1 AND a.member_id BETWEEN $2 AND $3
ORDER BY m.id, i.platform_user_id`, survey, from, to)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("asks of survey %d: %w", survey, err)
	}
	defer rows.Close()
	var out []community.Member
	var at time.Time
	for rows.Next() {
		var m community.Member
		var i community.Identity
		if err := rows.Scan(&m.ID, &m.DisplayName, &m.Language, &i.Platform, &i.UserID, &i.Username, &i.DisplayName, &i.Language, &at); err != nil {
			return nil, at, fmt.Errorf("asks of survey %d: %w", survey, err)
		}
		if len(out) == 0 || out[len(out)-1].ID != m.ID {
			out = append(out, m)
		}
		last := &out[len(out)-1]
		i.Member = last.ID
		last.Identities = append(last.Identities, i)
	}
	return out, at, rows.Err()
}

var _ feedback.SurveyStore = (*Store)(nil)
