package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// staffOnly are the tables and columns a member's export leaves out:
// what only staff may see. Every other table that refers to a member is
// exported, found through its foreign keys, so new tables are included
// without changing this file.
var (
	staffOnlyTables = []string{"moderation_notes", "moderation_reviews", "feedback_worth",
		"ticket_messages",                   // exported by exportTicketMessages, without staff's notes
		"standings_dirty", "member_history", // bookkeeping: the standing and the rollups are exported
		"digest_p_alive"} // a VIP's P(alive) for the weekly digest: CLV, staff-only
	staffOnlyColumns = []string{"value_percentile", "priority", "reporter_id", "clv", // a reported member must not learn who reported them
		"voters_value", "voters_vips", "voters_revenue", // what an item's voters are worth
		"resolution"} // staff's note on how a ticket was resolved
)

// subjectColumns name whom a row is about. A row that refers to the
// member only as who acted (a staff member's warning, a ticket they
// closed) is about another member when its subject is someone else: it is
// that member's data, and left out.
var subjectColumns = []string{"member_id", "reported_id", "target_member_id"}

const memberForeignKeysSQL = `
SELECT cl.relname AS tbl, a.attname AS col
FROM pg_constraint c
JOIN pg_class cl ON cl.oid = c.conrelid
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.contype = 'f' AND c.confrelid = 'members'::regclass
ORDER BY 1, 2`

type memberReference struct {
	Table  string `db:"tbl"`
	Column string `db:"col"`
}

// ExportMember implements community.PrivacyStore.
func (s *Store) ExportMember(ctx context.Context, member community.MemberID) (map[string][]json.RawMessage, error) {
	out := map[string][]json.RawMessage{}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var refs []memberReference
		if err := tx.SelectContext(ctx, &refs, memberForeignKeysSQL); err != nil {
			return fmt.Errorf("find member data: %w", err)
		}
		if err := exportRows(ctx, tx, out, "members", `SELECT to_jsonb(m) FROM members m WHERE id = $1`, member); err != nil {
			return err
		}
		subjects := map[string][]string{}
		for _, r := range refs {
			if slices.Contains(subjectColumns, r.Column) {
				subjects[r.Table] = append(subjects[r.Table], r.Column)
			}
		}
		for _, r := range refs {
			if slices.Contains(staffOnlyTables, r.Table) || slices.Contains(showcaseTables, r.Table) {
				continue
			}
			where := []string{pq.QuoteIdentifier(r.Column) + " = $1"}
			for _, subject := range subjects[r.Table] {
				if subject != r.Column {
					where = append(where, fmt.Sprintf("(%[1]s IS NULL OR %[1]s = $1)", pq.QuoteIdentifier(subject)))
				}
			}
			q := fmt.Sprintf(`SELECT to_jsonb(t) - $2::text[] FROM %s t WHERE %s`, pq.QuoteIdentifier(r.Table), strings.Join(where, " AND "))
			if err := exportRows(ctx, tx, out, r.Table, q, member, pq.Array(staffOnlyColumns)); err != nil {
				return err
			}
		}
		if err := exportShowcase(ctx, tx, out, member); err != nil {
			return err
		}
		// The conversations of their tickets: their messages and staff's
		// replies to them with the files sent, not staff's notes;
		// nobody's member id.
		if err := exportRows(ctx, tx, out, "ticket_messages", `
SELECT to_jsonb(m) - 'author_id' || jsonb_build_object('files', ARRAY(
    SELECT jsonb_build_object('name', f.name, 'type', md.type, 'size', md.size, 'sha256', encode(f.sha256, 'hex'))
    FROM ticket_message_files f JOIN showcase_media md ON md.sha256 = f.sha256 WHERE f.message_id = m.id ORDER BY f.seq))
FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
WHERE t.member_id = $1 AND m.direction <> 'note' ORDER BY m.id`, member); err != nil {
			return err
		}
		if err := exportRows(ctx, tx, out, "orders", `SELECT to_jsonb(o) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.member_id = $1 ORDER BY o.ordered_at`, member); err != nil {
			return err
		}
		return exportRows(ctx, tx, out, "deliveries", `
SELECT jsonb_build_object('platform', d.platform, 'message', d.message, 'status', d.status, 'created_at', d.created_at, 'sent_at', d.sent_at)
FROM deliveries d JOIN identities i ON i.member_id = $1 AND d.platform = i.platform
WHERE d.target->>'user' = i.platform_user_id OR d.target->>'chat' IN (
    SELECT c.platform_chat_id FROM chats c -- their private chats, as the erasure finds them
    WHERE c.kind = 'direct' AND c.platform = d.platform AND (c.platform_chat_id = i.platform_user_id
          OR c.id IN (SELECT chat_id FROM inbound_updates WHERE member_id = $1 AND chat_id IS NOT NULL)))
ORDER BY d.id`, member)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// exportRows adds the rows a query returns under table, skipping a row
// already there (a table that refers to the member twice).
func exportRows(ctx context.Context, tx *sqlx.Tx, out map[string][]json.RawMessage, table, query string, args ...any) error {
	var rows []string
	if err := tx.SelectContext(ctx, &rows, query, args...); err != nil {
		return fmt.Errorf("export %s: %w", table, err)
	}
	for _, r := range rows {
		if !slices.ContainsFunc(out[table], func(have json.RawMessage) bool { return string(have) == r }) {
			out[table] = append(out[table], json.RawMessage(r))
		}
	}
	return nil
}
