package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hearthbot/hearth/bots"
	"github.com/jmoiron/sqlx"
)

// Audit implements bots.Store.
func (s *Store) Audit(ctx context.Context, e bots.AuditEntry) error {
	return writeAudit(ctx, s.db, e)
}

// writeAudit writes one audit entry in the caller's transaction. Zero
// member and chat ids are stored as NULL.
func writeAudit(ctx context.Context, q sqlx.ExecerContext, e bots.AuditEntry) error {
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("encode audit details: %w", err)
	}
	_, err = q.ExecContext(ctx, `
INSERT INTO audit_log (at, actor_member_id, action, target_member_id, chat_id, reason, details)
VALUES (COALESCE($1, now()), NULLIF($2, 0), $3, NULLIF($4, 0), NULLIF($5, 0), $6, $7)`,
		nullTime(e.At), int64(e.Actor), e.Action, int64(e.Target), int64(e.Chat), e.Reason, raw)
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}
