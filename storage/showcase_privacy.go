package storage

import (
	"context"
	"encoding/json"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

// showcaseTables are the showcase's tables that refer to a member. The
// export leaves them out of its table-by-table walk and writes them with
// exportShowcase instead: a file as its type, size and hash (never its
// bytes), and a submission without the staff member who reviewed it.
var showcaseTables = []string{"showcase_submissions", "showcase_submission_media", "showcase_consents"}

// exportSubmissionsSQL is the member's submissions, each with its files
// in their order.
const exportSubmissionsSQL = `
SELECT jsonb_build_object('id', s.id, 'platform', s.platform, 'caption', s.caption, 'status', s.status, 'reason', s.reason,
    'created_at', s.created_at, 'reviewed_at', s.reviewed_at,
    'files', COALESCE((
        SELECT jsonb_agg(jsonb_build_object('type', m.type, 'size', m.size, 'sha256', encode(sm.sha256, 'hex')) ORDER BY sm.position)
        FROM showcase_submission_media sm JOIN showcase_media m ON m.sha256 = sm.sha256
        WHERE sm.submission_id = s.id), '[]'::jsonb))
FROM showcase_submissions s WHERE s.member_id = $1 ORDER BY s.id`

// exportConsentsSQL is the member's rows of the consent ledger, each with
// the exact text they were shown.
const exportConsentsSQL = `
SELECT jsonb_build_object('id', c.id, 'submission_id', c.submission_id, 'scopes', c.scopes, 'text', c.text,
    'language', c.language, 'decision', c.decision, 'credit', c.credit, 'granted_at', c.granted_at,
    'expires_at', c.expires_at, 'revoked_at', c.revoked_at, 'platform', c.platform, 'message_id', c.message_id,
    'text_hash', encode(c.text_hash, 'hex'))
FROM showcase_consents c WHERE c.member_id = $1 ORDER BY c.id`

// exportShowcase adds the member's showcase submissions and consents to
// out, under their tables' names.
func exportShowcase(ctx context.Context, tx *sqlx.Tx, out map[string][]json.RawMessage, member community.MemberID) error {
	if err := exportRows(ctx, tx, out, "showcase_submissions", exportSubmissionsSQL, int64(member)); err != nil {
		return err
	}
	return exportRows(ctx, tx, out, "showcase_consents", exportConsentsSQL, int64(member))
}
