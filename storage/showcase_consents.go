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
// is locked first, so that two answers to one request (two presses, two
// platforms) record one consent.
func (s *Store) RecordConsent(ctx context.Context, r feedback.ConsentRecord) (feedback.Consent, error) {
	c := r.Consent
	scopes := make([]string, len(c.Scopes))
	for i, sc := range c.Scopes {
		scopes[i] = string(sc)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `
UPDATE showcase_submissions s SET status = $3
WHERE s.id = $1 AND s.status = $2
  AND NOT EXISTS (SELECT 1 FROM showcase_consents c WHERE c.submission_id = s.id
                  AND c.decision <> 'decline' AND c.revoked_at IS NULL AND c.expires_at > $4)`,
			int64(c.Submission), string(r.From), string(r.To), c.GrantedAt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errOr(err, community.ErrConflict)
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
		// before the reshare is replaced: the withdrawal takes down the old one
		if err := withdraw(ctx, tx, r.Ends, c.GrantedAt); err != nil {
			return err
		}
		if r.Reshare.Kind == "" {
			return nil
		}
		event, err := insertEventID(ctx, tx, r.Reshare)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE showcase_submissions SET reshare_event = $2 WHERE id = $1`, int64(c.Submission), event)
		return err
	})
	if err != nil {
		return feedback.Consent{}, fmt.Errorf("consent to submission %d: %w", c.Submission, err)
	}
	return c, nil
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
// already is left as it is), and queues the event of each it recorded,
// naming the reshare the submission has now: the one the consent allowed.
func withdraw(ctx context.Context, tx *sqlx.Tx, ws []feedback.Withdrawal, at time.Time) error {
	var events []community.Event
	for _, w := range ws {
		res, err := tx.ExecContext(ctx, `
INSERT INTO showcase_withdrawals (consent_id, submission_id, reason, at) VALUES ($1, $2, $3, $4) ON CONFLICT (consent_id) DO NOTHING`,
			int64(w.Consent), int64(w.Submission), string(w.Reason), at)
		if err != nil {
			return fmt.Errorf("withdraw consent %d: %w", w.Consent, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue
		}
		if err := tx.GetContext(ctx, &w.Reshare, `SELECT COALESCE(reshare_event, 0) FROM showcase_submissions WHERE id = $1`,
			int64(w.Submission)); err != nil {
			return fmt.Errorf("reshare of submission %d: %w", w.Submission, err)
		}
		events = append(events, feedback.WithdrawnEvent(w, at))
	}
	return insertEvents(ctx, tx, events)
}

// WithdrawExpired implements feedback.ShowcaseStore. The expired
// consents are locked (SKIP LOCKED) while their withdrawals are written,
// so replicas running the job at once each take different ones.
func (s *Store) WithdrawExpired(ctx context.Context, now time.Time) ([]feedback.Withdrawal, error) {
	var ws []feedback.Withdrawal
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var rows []struct {
			Consent    int64 `db:"id"`
			Submission int64 `db:"submission_id"`
		}
		if err := tx.SelectContext(ctx, &rows, `
SELECT c.id, c.submission_id FROM showcase_consents c
WHERE c.expires_at <= $1 AND c.revoked_at IS NULL AND c.decision <> 'decline'
  AND NOT EXISTS (SELECT 1 FROM showcase_withdrawals w WHERE w.consent_id = c.id)
ORDER BY c.expires_at, c.id LIMIT 1000
FOR UPDATE SKIP LOCKED`, now); err != nil {
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
