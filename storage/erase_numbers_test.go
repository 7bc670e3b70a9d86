package storage_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/lib/pq"
)

// namingPayloads are JSON documents with member m's id, or a number like
// it, and whether the erasure must find the member in them:
// wherever == finds the id as a number, as jsonb_path_exists did reading
// every row.
func namingPayloads(m int64) []struct {
	doc   string
	names bool
} {
	return []struct {
		doc   string
		names bool
	}{
		{fmt.Sprintf(`{"member": %d}`, m), true},
		{fmt.Sprintf(`{"kind": "digest", "groups": [[1, [{"lines": [[{"x": [%d]}]]}]]]}`, m), true},
		{fmt.Sprintf(`{"score": %d.0}`, m), true}, // == compares numbers: 42.0 is 42
		{fmt.Sprintf(`%d`, m), true},
		{fmt.Sprintf(`{"n": 123456789012345678901234567890, "huge": 1e400, "by": %d}`, m), true},
		{fmt.Sprintf(`{"score": %d.5}`, m), false},
		{fmt.Sprintf(`{"member": "%d"}`, m), false},
		{fmt.Sprintf(`{"member": %d1, "by": -%d}`, m, m), false},
		{`{"n": 123456789012345678901234567890, "huge": 1e400, "tiny": -1e-400, "f": 0.5}`, false},
		{fmt.Sprintf(`{"text": "member %d", "members": []}`, m), false},
	}
}

// TestErasureFindsTheMemberAsANumberAnywhere: the events and audit
// entries an erasure finds are exactly those holding the member's id as a
// number, at any depth, fractional or not, next to numbers too large for
// bigint; and they are the ones the old full scan found.
func TestErasureFindsTheMemberAsANumberAnywhere(t *testing.T) {
	s := newStore(t)
	const m = 900000042
	var wantEvents, wantAudit []int64
	for _, p := range namingPayloads(m) {
		var ev, au int64
		if err := s.DB().Get(&ev, `INSERT INTO outbox_events (kind, payload) VALUES ('test', $1) RETURNING id`, p.doc); err != nil {
			t.Fatalf("insert event %s: %v", p.doc, err)
		}
		if err := s.DB().Get(&au, `INSERT INTO audit_log (action, details) VALUES ('test', $1) RETURNING id`, p.doc); err != nil {
			t.Fatalf("insert audit entry %s: %v", p.doc, err)
		}
		if p.names {
			wantEvents, wantAudit = append(wantEvents, ev), append(wantAudit, au)
		}
	}
	for _, tc := range []struct {
		what, query, scan string
		want              []int64
	}{
		{"events", storage.EventsNamingSQL, `SELECT id FROM outbox_events
WHERE jsonb_path_exists(payload, 'strict $.** ? (@ == $m)', jsonb_build_object('m', $1::bigint)) ORDER BY id`, wantEvents},
		{"audit entries", storage.AuditNamingSQL, `SELECT id FROM audit_log
WHERE jsonb_path_exists(details, 'strict $.** ? (@ == $m)', jsonb_build_object('m', $1::bigint)) ORDER BY id`, wantAudit},
	} {
		got := firstColumn(t, s, tc.query, int64(m))
		var scanned []int64
		if err := s.DB().Select(&scanned, tc.scan, int64(m)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) || !slices.Equal(scanned, tc.want) {
			t.Errorf("%s naming %d: found %v, a full scan %v, want %v", tc.what, m, got, scanned, tc.want)
		}
	}
}

// firstColumn runs query and returns the first column of each row, an id.
func firstColumn(t *testing.T, s *storage.Store, query string, args ...any) []int64 {
	t.Helper()
	rows, err := s.DB().Queryx(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		cols, err := rows.SliceScan()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cols[0].(int64))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestErasureLooksUpByIndex: among thousands of events, audit entries and
// private chats, the erasure's look-ups read indexes (the whole numbers in
// events and audit entries, the accounts audit entries name, migration
// 00033; chats by key), not every row.
func TestErasureLooksUpByIndex(t *testing.T) {
	s := newStore(t)
	for _, q := range []string{
		`INSERT INTO outbox_events (kind, payload)
SELECT 'tier.changed', jsonb_build_object('member', i, 'tier', 'vip', 'score', i * 1.5, 'groups', jsonb_build_array(i % 7)) FROM generate_series(1, 20000) i`,
		`INSERT INTO audit_log (action, details)
SELECT 'warn', jsonb_build_object('member', i, 'by', i + 1) FROM generate_series(1, 20000) i`,
		`INSERT INTO audit_log (action, details)
SELECT 'command.refused', jsonb_build_object('platform', 'telegram', 'user', i::text) FROM generate_series(1, 2000) i`,
		`INSERT INTO audit_log (action, details)
SELECT 'group.connected', jsonb_build_object('by', 'telegram:' || i) FROM generate_series(1, 2000) i`,
		`INSERT INTO chats (platform, platform_chat_id, kind) SELECT 'telegram', i::text, 'direct' FROM generate_series(1, 20000) i`,
		`VACUUM ANALYZE outbox_events`,
		`VACUUM ANALYZE audit_log`,
		`VACUUM ANALYZE chats`,
	} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, tc := range []struct {
		query, table string
		args         []any
		index        string
	}{
		{storage.EventsNamingSQL, "outbox_events", []any{12345}, "outbox_events_integers"},
		{storage.AuditNamingSQL, "audit_log", []any{12345}, "audit_log_integers"},
		{storage.AuditUsersSQL, "audit_log", []any{pq.Array([]string{"telegram"}), pq.Array([]string{"123"})}, "audit_log_user"},
		{storage.AuditByAccountsSQL, "audit_log", []any{pq.Array([]string{"telegram:123"})}, "audit_log_by_account"},
		{storage.PrivateChatsSQL, "chats", []any{0, pq.Array([]string{"telegram"}), pq.Array([]string{"123"}), 12345}, "chats_platform_platform_chat_id_key"},
	} {
		var plan []string
		if err := s.DB().Select(&plan, "EXPLAIN "+tc.query, tc.args...); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "Index Scan using "+tc.index) && !strings.Contains(text, "Index Scan on "+tc.index) ||
			strings.Contains(text, "Seq Scan on "+tc.table) {
			t.Errorf("a look-up in %s reads no index %s:\n%s\n%s", tc.table, tc.index, tc.query, text)
		}
	}
	if got := firstColumn(t, s, storage.EventsNamingSQL, int64(12345)); !slices.Equal(got, []int64{8230, 12345}) {
		t.Errorf("events naming 12345: %v, want the one of 8230 (its score) and its own", got)
	}
	if got := firstColumn(t, s, storage.AuditNamingSQL, int64(12345)); !slices.Equal(got, []int64{12344, 12345}) {
		t.Errorf("audit entries naming 12345: %v, want the one by it and the one about it", got)
	}
}

// TestEraseScrubsTheMemberDeepInNestedArrays: an event and an audit entry
// that name the member only deep inside arrays of arrays are found and
// scrubbed: their line of a summary goes, and where they acted they
// become community.ErasedMember.
func TestEraseScrubsTheMemberDeepInNestedArrays(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "5551234", "-1001"))[0]
	other := recordMembers(t, s, message("2", "5551235", "-1001"))[0]
	var summary, acted, audit int64
	for _, ins := range []struct {
		id    *int64
		query string
		doc   string
	}{
		{&summary, `INSERT INTO outbox_events (kind, payload) VALUES ('test.digest', $1) RETURNING id`,
			fmt.Sprintf(`{"weeks": [[{"changes": [{"member": %d, "to": "vip"}, {"member": %d, "to": "loyal"}]}]]}`, m, other)},
		{&acted, `INSERT INTO outbox_events (kind, payload) VALUES ('test.log', $1) RETURNING id`,
			fmt.Sprintf(`{"log": [[[{"by": %d, "member": %d}]]]}`, m, other)},
		{&audit, `INSERT INTO audit_log (action, details) VALUES ('test', $1) RETURNING id`,
			fmt.Sprintf(`{"notes": [[{"by": %d, "text": "hello"}]]}`, m)},
	} {
		if err := s.DB().Get(ins.id, ins.query, ins.doc); err != nil {
			t.Fatalf("%s: %v", ins.query, err)
		}
	}
	if err := s.EraseMember(ctx, community.Erasure{Member: m, At: time.Now()}, func([]community.Sanction) error { return nil }); err != nil {
		t.Fatal(err)
	}
	erased := community.ErasedMember
	for _, tc := range []struct {
		query string
		id    int64
		want  string
	}{
		{`SELECT payload::text FROM outbox_events WHERE id = $1`, summary, fmt.Sprintf(`{"weeks": [[{"changes": [{"to": "loyal", "member": %d}]}]]}`, other)},
		{`SELECT payload::text FROM outbox_events WHERE id = $1`, acted, fmt.Sprintf(`{"log": [[[{"by": %d, "member": %d}]]]}`, erased, other)},
		{`SELECT details::text FROM audit_log WHERE id = $1`, audit, fmt.Sprintf(`{"notes": [[{"by": %d, "text": "hello"}]]}`, erased)},
	} {
		var got string
		if err := s.DB().Get(&got, tc.query, tc.id); err != nil {
			t.Fatalf("%s %d: %v", tc.query, tc.id, err)
		}
		if got != tc.want {
			t.Errorf("%s %d:\n got %s\nwant %s", tc.query, tc.id, got, tc.want)
		}
	}
}
