package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/jmoiron/sqlx"
)

// eraseShowcase is an erasure's part in the showcase: the reshares of
// the member's posts are withdrawn (deleted from the platforms), their
// consents are revoked and left anonymous (no member, no text; the hash
// of the text, the dates and the scope stay as proof of what was
// allowed), their reshares' messages lose what they said, their
// submissions lose their caption, staff's reason and their files, and a
// file nobody else submitted goes. The submissions stay, anonymous,
// because the ledger refers to them.
func eraseShowcase(ctx context.Context, tx *sqlx.Tx, member community.MemberID, at time.Time) error {
	if err := withdrawErased(ctx, tx, member, at); err != nil {
		return err
	}
	steps := []struct {
		what, sql string
		args      []any // nil: the member's id
	}{
		{"revoke the consents", `UPDATE showcase_consents SET revoked_at = GREATEST(granted_at, $2) WHERE member_id = $1 AND revoked_at IS NULL`, []any{int64(member), at}},
		{"anonymise the consents", `UPDATE showcase_consents SET member_id = NULL, text = '' WHERE member_id = $1`, nil},
		{"drop the submissions' files", `
WITH gone AS (
    DELETE FROM showcase_submission_media sm USING showcase_submissions s
    WHERE sm.submission_id = s.id AND s.member_id = $1
    RETURNING sm.sha256
)
DELETE FROM showcase_media m WHERE m.sha256 IN (SELECT sha256 FROM gone)
  -- the statement sees the rows it deletes: another member's are what count
  AND NOT EXISTS (SELECT 1 FROM showcase_submission_media o WHERE o.sha256 = m.sha256 AND o.member_id IS DISTINCT FROM $1)`, nil},
		// A reshare's messages stay while its post is reshared (their ids
		// are how the withdrawal deletes them), past the time sent
		// messages are kept: without what they said, the caption and the
		// credit.
		{"scrub the reshares' messages", `
UPDATE deliveries d SET message = d.message - 'text' - 'media'
FROM showcase_submissions s WHERE s.member_id = $1 AND d.event_id = s.reshare_event`, nil},
		{"anonymise the submissions", `UPDATE showcase_submissions SET member_id = NULL, caption = '', reason = '' WHERE member_id = $1`, nil},
	}
	for _, st := range steps {
		args := st.args
		if args == nil {
			args = []any{int64(member)}
		}
		if _, err := tx.ExecContext(ctx, st.sql, args...); err != nil {
			return fmt.Errorf("%s of member %d: %w", st.what, member, err)
		}
	}
	return nil
}

// withdrawErased queues the withdrawal of every reshare the member's
// consents allowed that was not withdrawn yet.
func withdrawErased(ctx context.Context, tx *sqlx.Tx, member community.MemberID, at time.Time) error {
	var rows []struct {
		Consent    int64 `db:"id"`
		Submission int64 `db:"submission_id"`
	}
	if err := tx.SelectContext(ctx, &rows, `
SELECT c.id, c.submission_id FROM showcase_consents c
WHERE c.member_id = $1 AND c.decision <> 'decline'
  AND NOT EXISTS (SELECT 1 FROM showcase_withdrawals w WHERE w.consent_id = c.id)
ORDER BY c.id`, int64(member)); err != nil {
		return fmt.Errorf("consents of member %d: %w", member, err)
	}
	ws := make([]feedback.Withdrawal, len(rows))
	for i, r := range rows {
		ws[i] = feedback.Withdrawal{Submission: feedback.SubmissionID(r.Submission), Consent: feedback.ConsentID(r.Consent), Reason: feedback.WithdrawErased}
	}
	return withdraw(ctx, tx, ws, at)
}
