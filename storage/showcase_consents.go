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

// RecordConsent implements feedback.ShowcaseStore.
func (s *Store) RecordConsent(ctx context.Context, c feedback.Consent, to feedback.SubmissionStatus) (feedback.Consent, error) {
	scopes := make([]string, len(c.Scopes))
	for i, sc := range c.Scopes {
		scopes[i] = string(sc)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE showcase_submissions SET status = $2 WHERE id = $1 AND status = 'approved'`,
			int64(c.Submission), string(to))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errOr(err, community.ErrConflict)
		}
		return tx.GetContext(ctx, &c.ID, `
INSERT INTO showcase_consents (member_id, submission_id, scopes, text, text_hash, language, decision, credit,
                               granted_at, expires_at, platform, message_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			int64(c.Member), int64(c.Submission), pq.StringArray(scopes), c.Text, c.TextHash[:], c.Lang, string(c.Decision),
			string(c.Credit), c.GrantedAt, c.ExpiresAt, string(c.Platform), c.MessageID)
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
func (s *Store) RevokeConsent(ctx context.Context, id feedback.ConsentID, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE showcase_consents SET revoked_at = GREATEST(granted_at, $2) WHERE id = $1 AND revoked_at IS NULL`, int64(id), at)
	if err != nil {
		return fmt.Errorf("revoke consent %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	if _, err := s.Consent(ctx, id); err != nil {
		return err
	}
	return fmt.Errorf("revoke consent %d: %w", id, community.ErrConflict)
}
