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
// the member's posts are withdrawn (deleted from the platforms); Hearth's
// copies of what it sent about them (reshares, review cards, notices to
// staff) lose their text, which names the member and quotes their
// caption, and those not sent yet go; their consent requests go; their
// consents are revoked and left anonymous (no member, no text; the hash
// of the text, the dates and the scope stay as proof of what was
// allowed); their submissions lose their caption, staff's reason and
// their files, and a file nobody else submitted goes. The submissions
// stay, anonymous, because the ledger refers to them.
func eraseShowcase(ctx context.Context, tx *sqlx.Tx, member community.MemberID, at time.Time) error {
	if err := withdrawErased(ctx, tx, member, at); err != nil {
		return err
	}
	// the events about the member's posts, whose messages name them
	const about = `
SELECT r.event_id FROM showcase_reshares r JOIN showcase_consents c ON c.id = r.consent_id WHERE c.member_id = $1
UNION ALL
SELECT s.card_event FROM showcase_submissions s WHERE s.member_id = $1 AND s.card_event IS NOT NULL
UNION ALL
SELECT e.id FROM outbox_events e JOIN showcase_submissions s ON s.id = (e.payload->>'submission')::bigint
WHERE s.member_id = $1 AND e.kind = 'showcase.reviewed'`
	steps := []struct {
		what, sql string
		args      []any // nil: the member's id
	}{
		// Hearth's copies of sent messages stay for their ids (the
		// withdrawal deletes the reshares from the platforms).
		// one not begun goes; one being sent or partly sent stays for
		// its ids (the delivery guard stops the rest of it, and the
		// withdrawal waits for it and deletes it)
		{"drop the messages about their posts not sent yet", `DELETE FROM deliveries WHERE event_id IN (` + about + `)
AND status = 'pending' AND cardinality(sent_ids) = 0 AND (locked_until IS NULL OR locked_until < now())`, nil},
		{"blank the messages about their posts", `UPDATE deliveries SET message = jsonb_set(message, '{text}', '""')
WHERE event_id IN (` + about + `)`, nil},
		{"drop the consent requests", `DELETE FROM showcase_requests WHERE member_id = $1`, nil},
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
  AND NOT EXISTS (SELECT 1 FROM showcase_submission_media o WHERE o.sha256 = m.sha256 AND o.member_id IS DISTINCT FROM $1)
  AND NOT EXISTS (SELECT 1 FROM ticket_message_files tf WHERE tf.sha256 = m.sha256)`, nil},
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
