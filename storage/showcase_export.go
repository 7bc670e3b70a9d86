package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/lib/pq"
)

var _ feedback.ExportStore = (*Store)(nil)

// consentedSubmissionsSQL lists the consented submissions whose latest
// consent (the highest id) is in force at $1 for scope $2, as
// feedback.Consent.Allows tells it, and is not anonymous (an erased
// author's), with their files in order and their author's name.
const consentedSubmissionsSQL = `
SELECT s.id, COALESCE(s.member_id, 0) AS member_id, s.platform, COALESCE(s.chat_id, 0) AS chat_id, s.caption, s.status, s.reason,
       COALESCE(s.reviewed_by, 0) AS reviewed_by, s.reviewed_at, s.created_at, COALESCE(m.display_name, '') AS author_name,
       f.hashes, f.message_ids, f.types, f.sizes
FROM showcase_submissions s
CROSS JOIN LATERAL (SELECT member_id, decision, revoked_at, expires_at, scopes FROM showcase_consents
                    WHERE submission_id = s.id ORDER BY id DESC LIMIT 1) c
LEFT JOIN members m ON m.id = s.member_id
CROSS JOIN LATERAL (SELECT array_agg(sm.sha256 ORDER BY sm.position) AS hashes, array_agg(sm.message_id ORDER BY sm.position) AS message_ids,
                           array_agg(md.type ORDER BY sm.position) AS types, array_agg(md.size ORDER BY sm.position) AS sizes
                    FROM showcase_submission_media sm JOIN showcase_media md ON md.sha256 = sm.sha256
                    WHERE sm.submission_id = s.id) f
WHERE s.status = 'consented'
  AND c.member_id IS NOT NULL AND c.decision <> 'decline' AND c.revoked_at IS NULL AND c.expires_at > $1 AND $2 = ANY (c.scopes)
ORDER BY s.created_at DESC, s.id DESC`

type consentedRow struct {
	submissionRow
	AuthorName string         `db:"author_name"`
	Hashes     pq.ByteaArray  `db:"hashes"`
	MessageIDs pq.StringArray `db:"message_ids"`
	Types      pq.StringArray `db:"types"`
	Sizes      pq.Int64Array  `db:"sizes"`
}

// ConsentedSubmissions implements feedback.ExportStore.
func (s *Store) ConsentedSubmissions(ctx context.Context, scope feedback.ConsentScope, now time.Time) ([]feedback.ExportCandidate, error) {
	var rows []consentedRow
	if err := s.db.SelectContext(ctx, &rows, consentedSubmissionsSQL, now, string(scope)); err != nil {
		return nil, fmt.Errorf("consented submissions: %w", err)
	}
	out := make([]feedback.ExportCandidate, len(rows))
	for i, r := range rows {
		sub := feedback.Submission{ID: feedback.SubmissionID(r.ID), Member: community.MemberID(r.Member), Platform: community.Platform(r.Platform),
			Chat: community.ChatID(r.Chat), Caption: r.Caption, Status: feedback.SubmissionStatus(r.Status), Reason: r.Reason,
			ReviewedBy: community.MemberID(r.ReviewedBy), ReviewedAt: r.ReviewedAt.Time, CreatedAt: r.CreatedAt}
		for j, h := range r.Hashes {
			sm := feedback.SubmissionMedia{MessageID: r.MessageIDs[j], Type: feedback.MediaType(r.Types[j]), Size: r.Sizes[j]}
			copy(sm.Hash[:], h)
			sub.Media = append(sub.Media, sm)
		}
		out[i] = feedback.ExportCandidate{Submission: sub, AuthorName: r.AuthorName}
	}
	return out, nil
}
