package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/lib/pq"
)

// entriesSQL reads submissions with their latest consent (NULL columns:
// none) and the author's name; the caller adds WHERE, ORDER and LIMIT.
const entriesSQL = `
SELECT s.id, COALESCE(m.display_name, '') AS author_name,
       c.id AS c_id, COALESCE(c.member_id, 0) AS c_member_id, c.scopes AS c_scopes, c.text AS c_text, c.text_hash AS c_text_hash,
       c.language AS c_language, c.decision AS c_decision, c.credit AS c_credit, c.granted_at AS c_granted_at,
       c.expires_at AS c_expires_at, c.revoked_at AS c_revoked_at, c.platform AS c_platform, c.message_id AS c_message_id
FROM showcase_submissions s
LEFT JOIN members m ON m.id = s.member_id
LEFT JOIN LATERAL (SELECT * FROM showcase_consents c WHERE c.submission_id = s.id ORDER BY c.id DESC LIMIT 1) c ON true
`

type entryRow struct {
	Submission int64          `db:"id"`
	AuthorName string         `db:"author_name"`
	ID         sql.NullInt64  `db:"c_id"`
	Member     int64          `db:"c_member_id"`
	Scopes     pq.StringArray `db:"c_scopes"`
	Text       sql.NullString `db:"c_text"`
	TextHash   []byte         `db:"c_text_hash"`
	Lang       sql.NullString `db:"c_language"`
	Decision   sql.NullString `db:"c_decision"`
	Credit     sql.NullString `db:"c_credit"`
	GrantedAt  sql.NullTime   `db:"c_granted_at"`
	ExpiresAt  sql.NullTime   `db:"c_expires_at"`
	RevokedAt  sql.NullTime   `db:"c_revoked_at"`
	Platform   sql.NullString `db:"c_platform"`
	MessageID  sql.NullString `db:"c_message_id"`
}

func (s *Store) entries(ctx context.Context, where string, args ...any) ([]feedback.Entry, error) {
	var rows []entryRow
	if err := s.db.SelectContext(ctx, &rows, entriesSQL+where, args...); err != nil {
		return nil, err
	}
	out := make([]feedback.Entry, len(rows))
	for i, r := range rows {
		sub, err := s.Submission(ctx, feedback.SubmissionID(r.Submission))
		if err != nil {
			return nil, err
		}
		out[i] = feedback.Entry{Submission: sub, AuthorName: r.AuthorName}
		if r.ID.Valid {
			out[i].Consent = consentRow{ID: r.ID.Int64, Member: r.Member, Submission: r.Submission, Scopes: r.Scopes, Text: r.Text.String,
				TextHash: r.TextHash, Lang: r.Lang.String, Decision: r.Decision.String, Credit: r.Credit.String, GrantedAt: r.GrantedAt.Time,
				ExpiresAt: r.ExpiresAt.Time, RevokedAt: r.RevokedAt, Platform: r.Platform.String, MessageID: r.MessageID.String}.consent()
		}
	}
	return out, nil
}

// MemberEntries implements feedback.ShowcaseStore.
func (s *Store) MemberEntries(ctx context.Context, member community.MemberID) ([]feedback.Entry, error) {
	out, err := s.entries(ctx, `WHERE s.member_id = $1 ORDER BY s.id DESC LIMIT $2`, int64(member), feedback.MaxListed)
	if err != nil {
		return nil, fmt.Errorf("showcase posts of member %d: %w", member, err)
	}
	return out, nil
}

// ConsentedEntries implements feedback.ShowcaseStore.
func (s *Store) ConsentedEntries(ctx context.Context, now time.Time, limit int) ([]feedback.Entry, error) {
	out, err := s.entries(ctx, `
WHERE s.status = 'consented' AND c.decision <> 'decline' AND c.revoked_at IS NULL AND c.expires_at > $1 AND c.member_id IS NOT NULL
ORDER BY s.id DESC LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("consented showcase posts: %w", err)
	}
	return out, nil
}

// Reshares implements feedback.ShowcaseStore: the deliveries of the
// consent's reshare that reached their platform, whole or in part (a
// delivery that died after the first photos of an album went out holds
// their ids too), and those a dispatcher is sending now.
func (s *Store) Reshares(ctx context.Context, id feedback.ConsentID) ([]feedback.Reshare, error) {
	var rows []struct {
		Platform string         `db:"platform"`
		Chat     string         `db:"chat"`
		Thread   string         `db:"thread"`
		Sent     pq.StringArray `db:"sent_ids"`
		Sending  bool           `db:"sending"`
	}
	err := s.db.SelectContext(ctx, &rows, `
SELECT d.platform, COALESCE(d.target->>'chat', '') AS chat, COALESCE(d.target->>'thread', '') AS thread, d.sent_ids,
       COALESCE(d.status = 'pending' AND d.locked_until > now(), false) AS sending
FROM showcase_reshares r JOIN deliveries d ON d.event_id = r.event_id
WHERE r.consent_id = $1 AND (cardinality(d.sent_ids) > 0 OR d.status = 'pending' AND d.locked_until > now())
ORDER BY d.id`, int64(id))
	if err != nil {
		return nil, fmt.Errorf("reshares of consent %d: %w", id, err)
	}
	out := make([]feedback.Reshare, len(rows))
	for i, r := range rows {
		out[i] = feedback.Reshare{Platform: community.Platform(r.Platform), ChatID: r.Chat, ThreadID: r.Thread, MessageIDs: r.Sent, Sending: r.Sending}
	}
	return out, nil
}

// SameFiles implements feedback.ShowcaseStore.
func (s *Store) SameFiles(ctx context.Context, id feedback.SubmissionID) ([]feedback.SubmissionID, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, `
SELECT DISTINCT o.submission_id FROM showcase_submission_media sm
JOIN showcase_submission_media o ON o.sha256 = sm.sha256 AND o.submission_id <> sm.submission_id
WHERE sm.submission_id = $1 AND o.member_id IS DISTINCT FROM sm.member_id
ORDER BY o.submission_id LIMIT 10`, int64(id))
	if err != nil {
		return nil, fmt.Errorf("submissions of the same files as %d: %w", id, err)
	}
	out := make([]feedback.SubmissionID, len(ids))
	for i, v := range ids {
		out[i] = feedback.SubmissionID(v)
	}
	return out, nil
}
