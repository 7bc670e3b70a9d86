package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// consentColumns are a ledger row's columns as consentRow reads them.
const consentColumns = `id, COALESCE(member_id, 0) AS member_id, submission_id, scopes, text, text_hash, language, decision, credit,
granted_at, expires_at, revoked_at, platform, message_id`

type consentRow struct {
	ID         int64          `db:"id"`
	Member     int64          `db:"member_id"`
	Submission int64          `db:"submission_id"`
	Scopes     pq.StringArray `db:"scopes"`
	Text       string         `db:"text"`
	TextHash   []byte         `db:"text_hash"`
	Lang       string         `db:"language"`
	Decision   string         `db:"decision"`
	Credit     string         `db:"credit"`
	GrantedAt  time.Time      `db:"granted_at"`
	ExpiresAt  time.Time      `db:"expires_at"`
	RevokedAt  sql.NullTime   `db:"revoked_at"`
	Platform   string         `db:"platform"`
	MessageID  string         `db:"message_id"`
}

func (r consentRow) consent() feedback.Consent {
	c := feedback.Consent{ID: feedback.ConsentID(r.ID), Member: community.MemberID(r.Member), Submission: feedback.SubmissionID(r.Submission),
		Text: r.Text, Lang: r.Lang, Decision: feedback.ConsentDecision(r.Decision), Credit: feedback.Credit(r.Credit),
		GrantedAt: r.GrantedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt.Time, Platform: community.Platform(r.Platform), MessageID: r.MessageID}
	for _, sc := range r.Scopes {
		c.Scopes = append(c.Scopes, feedback.ConsentScope(sc))
	}
	copy(c.TextHash[:], r.TextHash)
	return c
}

// RecordConsent implements feedback.ShowcaseStore. The submission's row
// is locked first, and the consents in force are read after the lock (in
// a statement of their own, which sees what committed while it waited),
// so that two answers at once (two presses, two platforms, two
// renewals) record one consent.
func (s *Store) RecordConsent(ctx context.Context, r feedback.ConsentRecord) (feedback.Consent, error) {
	c := r.Consent
	scopes := make([]string, len(c.Scopes))
	for i, sc := range c.Scopes {
		scopes[i] = string(sc)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var status string
		err := tx.GetContext(ctx, &status, `SELECT status FROM showcase_submissions WHERE id = $1 FOR UPDATE`, int64(c.Submission))
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != string(r.From) {
			return community.ErrConflict
		}
		if err != nil {
			return err
		}
		var inForce bool
		if err := tx.GetContext(ctx, &inForce, `SELECT EXISTS (SELECT 1 FROM showcase_consents WHERE submission_id = $1
AND decision <> 'decline' AND revoked_at IS NULL AND expires_at > $2)`, int64(c.Submission), c.GrantedAt); err != nil || inForce {
			return errOr(err, community.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE showcase_submissions SET status = $2 WHERE id = $1`, int64(c.Submission), string(r.To)); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &c.ID, `
INSERT INTO showcase_consents (member_id, submission_id, scopes, text, text_hash, language, decision, credit,
                               granted_at, expires_at, platform, message_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			int64(c.Member), int64(c.Submission), pq.StringArray(scopes), c.Text, c.TextHash[:], c.Lang, string(c.Decision),
			string(c.Credit), c.GrantedAt, c.ExpiresAt, string(c.Platform), c.MessageID); err != nil {
			return err
		}
		if r.Activity != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO activities (member_id, kind, at, message_id) VALUES ($1, $2, $3, $4)`,
				int64(c.Member), string(r.Activity), c.GrantedAt, fmt.Sprintf("showcase:%d", c.Submission)); err != nil {
				return fmt.Errorf("record the activity: %w", err)
			}
		}
		if err := withdraw(ctx, tx, r.Withdraw, c.GrantedAt); err != nil {
			return err
		}
		if r.Reshare.Kind == "" {
			return nil
		}
		event, err := insertEventID(ctx, tx, r.Reshare)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO showcase_reshares (consent_id, event_id) VALUES ($1, $2)`, int64(c.ID), event)
		return err
	})
	if err != nil {
		return feedback.Consent{}, fmt.Errorf("consent to submission %d: %w", c.Submission, err)
	}
	return c, nil
}

// SaveRequest implements feedback.ShowcaseStore. A request shown again
// word for word (the author pressing Answer twice, a render tried again)
// is the request kept already.
func (s *Store) SaveRequest(ctx context.Context, r feedback.ConsentRequest) (feedback.ConsentRequest, error) {
	err := s.db.GetContext(ctx, &r.ID, `
WITH same AS (
    SELECT id FROM showcase_requests
    WHERE submission_id = $1 AND member_id = $2 AND text = $3 AND language = $4 AND months = $5
    ORDER BY id LIMIT 1
), added AS (
    INSERT INTO showcase_requests (submission_id, member_id, text, language, months, created_at)
    SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM same)
    RETURNING id
)
SELECT id FROM same UNION ALL SELECT id FROM added`,
		int64(r.Submission), int64(r.Member), r.Text, r.Lang, r.Months, r.CreatedAt)
	if err != nil {
		return feedback.ConsentRequest{}, fmt.Errorf("consent request for submission %d: %w", r.Submission, err)
	}
	return r, nil
}

// Request implements feedback.ShowcaseStore.
func (s *Store) Request(ctx context.Context, id feedback.RequestID) (feedback.ConsentRequest, error) {
	var r struct {
		Submission int64     `db:"submission_id"`
		Member     int64     `db:"member_id"`
		Text       string    `db:"text"`
		Lang       string    `db:"language"`
		Months     int       `db:"months"`
		CreatedAt  time.Time `db:"created_at"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT submission_id, member_id, text, language, months, created_at FROM showcase_requests WHERE id = $1`, int64(id))
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.ConsentRequest{}, feedback.RequestNotFound(id)
	}
	if err != nil {
		return feedback.ConsentRequest{}, fmt.Errorf("consent request %d: %w", id, err)
	}
	return feedback.ConsentRequest{ID: id, Submission: feedback.SubmissionID(r.Submission), Member: community.MemberID(r.Member), Text: r.Text,
		Lang: r.Lang, Months: r.Months, CreatedAt: r.CreatedAt}, nil
}

// Consent implements feedback.ShowcaseStore.
func (s *Store) Consent(ctx context.Context, id feedback.ConsentID) (feedback.Consent, error) {
	var r consentRow
	err := s.db.GetContext(ctx, &r, `SELECT `+consentColumns+` FROM showcase_consents WHERE id = $1`, int64(id))
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.Consent{}, feedback.ConsentNotFound(id)
	}
	if err != nil {
		return feedback.Consent{}, fmt.Errorf("consent %d: %w", id, err)
	}
	return r.consent(), nil
}

// LatestConsent implements feedback.ShowcaseStore.
func (s *Store) LatestConsent(ctx context.Context, id feedback.SubmissionID) (feedback.Consent, error) {
	var r consentRow
	err := s.db.GetContext(ctx, &r, `SELECT `+consentColumns+` FROM showcase_consents WHERE submission_id = $1 ORDER BY id DESC LIMIT 1`, int64(id))
	if errors.Is(err, sql.ErrNoRows) {
		return feedback.Consent{}, feedback.ConsentNotFound(0)
	}
	if err != nil {
		return feedback.Consent{}, fmt.Errorf("consent to submission %d: %w", id, err)
	}
	return r.consent(), nil
}

// RevokeConsent implements feedback.ShowcaseStore.
func (s *Store) RevokeConsent(ctx context.Context, w feedback.Withdrawal, at time.Time) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE showcase_consents SET revoked_at = GREATEST(granted_at, $2) WHERE id = $1 AND revoked_at IS NULL`,
			int64(w.Consent), at)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errOr(err, community.ErrConflict)
		}
		return withdraw(ctx, tx, []feedback.Withdrawal{w}, at)
	})
	if errors.Is(err, community.ErrConflict) {
		if _, cerr := s.Consent(ctx, w.Consent); cerr != nil {
			return cerr
		}
	}
	if err != nil {
		return fmt.Errorf("revoke consent %d: %w", w.Consent, err)
	}
	return nil
}

// withdraw records the withdrawals, each once (a consent withdrawn
// already is left as it is), and queues the event of each it recorded.
func withdraw(ctx context.Context, tx *sqlx.Tx, ws []feedback.Withdrawal, at time.Time) error {
	var events []community.Event
	for _, w := range ws {
		res, err := tx.ExecContext(ctx, `
INSERT INTO showcase_withdrawals (consent_id, submission_id, reason, at) VALUES ($1, $2, $3, $4) ON CONFLICT (consent_id) DO NOTHING`,
			int64(w.Consent), int64(w.Submission), string(w.Reason), at)
		if err != nil {
			return fmt.Errorf("withdraw consent %d: %w", w.Consent, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			events = append(events, feedback.WithdrawnEvent(w, at))
		}
	}
	return insertEvents(ctx, tx, events)
}

// WithdrawExpired implements feedback.ShowcaseStore. The expired
// consents and their submissions are locked (SKIP LOCKED) while their
// withdrawals are written, so replicas running the job at once each take
// different ones, and a renewal under way (which holds the submission)
// is left to withdraw its expired consent itself.
func (s *Store) WithdrawExpired(ctx context.Context, now time.Time) ([]feedback.Withdrawal, error) {
	var ws []feedback.Withdrawal
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []struct {
			Consent    int64 `db:"id"`
			Submission int64 `db:"submission_id"`
		}
		if err := tx.SelectContext(ctx, &rows, `
SELECT c.id, c.submission_id FROM showcase_consents c JOIN showcase_submissions s ON s.id = c.submission_id
WHERE c.expires_at <= $1 AND c.revoked_at IS NULL AND c.decision <> 'decline'
  AND NOT EXISTS (SELECT 1 FROM showcase_withdrawals w WHERE w.consent_id = c.id)
ORDER BY c.expires_at, c.id LIMIT 1000
FOR UPDATE OF c, s SKIP LOCKED`, now); err != nil {
			return err
		}
		ws = make([]feedback.Withdrawal, len(rows))
		for i, r := range rows {
			ws[i] = feedback.Withdrawal{Submission: feedback.SubmissionID(r.Submission), Consent: feedback.ConsentID(r.Consent), Reason: feedback.WithdrawExpired}
		}
		return withdraw(ctx, tx, ws, now)
	})
	if err != nil {
		return nil, fmt.Errorf("withdraw expired consents: %w", err)
	}
	return ws, nil
}
