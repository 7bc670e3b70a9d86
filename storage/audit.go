package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
)

// Audit implements the chat layer's Store.
func (s *Store) Audit(ctx context.Context, e community.AuditEntry) error {
	return writeAudit(ctx, s.db, e)
}

// writeAudit writes one audit entry in the caller's transaction. Zero
// member and chat ids are stored as NULL.
func writeAudit(ctx context.Context, q sqlx.QueryerContext, e community.AuditEntry) error {
	_, err := insertAudit(ctx, q, e)
	return err
}

// insertAudit writes one audit entry as writeAudit does and returns its id.
func insertAudit(ctx context.Context, q sqlx.QueryerContext, e community.AuditEntry) (int64, error) {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return 0, fmt.Errorf("encode audit details: %w", err)
	}
	var id int64
	err = sqlx.GetContext(ctx, q, &id, `
INSERT INTO audit_log (at, actor_member_id, action, target_member_id, chat_id, reason, details)
VALUES (COALESCE($1, now()), NULLIF($2, 0), $3, NULLIF($4, 0), NULLIF($5, 0), $6, $7) RETURNING id`,
		nullTime(e.At), int64(e.Actor), e.Action, int64(e.Target), int64(e.Chat), e.Reason, raw)
	if err != nil {
		return 0, fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return id, nil
}

// saveEffects writes what a change causes, as the domain chose it, in
// the change's transaction.
func saveEffects(ctx context.Context, tx *sqlx.Tx, e community.Effects) error {
	for _, a := range e.Audit {
		if err := writeAudit(ctx, tx, a); err != nil {
			return err
		}
	}
	return insertEvents(ctx, tx, e.Events)
}

// auditNamingSQL finds the audit entries a member acted in, or whose
// details hold their id, that are not about them. The index of the whole
// numbers in each entry's details (jsonb_integers, migration 00033) finds
// the entries that may hold the id; jsonb_path_exists decides.
const auditNamingSQL = `
SELECT id, details FROM audit_log
WHERE (actor_member_id = $1
       OR (jsonb_integers(details) @> jsonb_build_array($1::bigint)
           AND jsonb_path_exists(details, 'strict $.** ? (@ == $m)', jsonb_build_object('m', $1::bigint))))
  AND target_member_id IS DISTINCT FROM $1
ORDER BY id
FOR UPDATE`

// scrubAudit takes an erased member out of the audit log, by their id
// only: an entry about them (its target) loses its reason and details;
// an entry about someone else keeps both, with community.ErasedMember
// where the details name the member as who acted. The actor and target
// columns are cleared when the member row goes.
func scrubAudit(ctx context.Context, tx *sqlx.Tx, member community.MemberID) error {
	if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET reason = '', details = '{}' WHERE target_member_id = $1`, int64(member)); err != nil {
		return fmt.Errorf("anonymize audit entries about member %d: %w", member, err)
	}
	var rows []struct {
		ID      int64  `db:"id"`
		Details []byte `db:"details"`
	}
	if err := tx.SelectContext(ctx, &rows, auditNamingSQL, int64(member)); err != nil {
		return fmt.Errorf("audit entries naming member %d: %w", member, err)
	}
	for _, r := range rows {
		sc, err := scrubMemberID(r.Details, member)
		if err != nil {
			return fmt.Errorf("audit entry %d: %w", r.ID, err)
		}
		switch {
		case sc.about:
			_, err = tx.ExecContext(ctx, `UPDATE audit_log SET reason = '', details = '{}' WHERE id = $1`, r.ID)
		case sc.changed:
			_, err = tx.ExecContext(ctx, `UPDATE audit_log SET details = $2 WHERE id = $1`, r.ID, sc.doc)
		}
		if err != nil {
			return fmt.Errorf("scrub audit entry %d: %w", r.ID, err)
		}
	}
	return nil
}
