package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

// eraseShowcase is an erasure's part in the showcase: the member's
// consents are revoked and left anonymous (no member, no text; the hash
// of the text, the dates and the scope stay as proof of what was
// allowed), their submissions lose their caption, staff's reason and
// their files, and a
// file nobody else submitted goes. The submissions stay, anonymous,
// because the ledger refers to them.
func eraseShowcase(ctx context.Context, tx *sqlx.Tx, member community.MemberID, at time.Time) error {
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
