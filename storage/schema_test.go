package storage_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestSchemaKeepsTheIdentityModel checks the rules the first migration
// promises later issues: one member per platform account, identities gone
// with their member, one staff chat per platform, audit rows that outlive
// the members they name.
func TestSchemaKeepsTheIdentityModel(t *testing.T) {
	db := storagetest.New(t)
	exec := func(q string, args ...any) error {
		_, err := db.Exec(q, args...)
		return err
	}
	mustExec := func(q string, args ...any) {
		t.Helper()
		if err := exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var alice, bob int64
	if err := db.Get(&alice, `INSERT INTO members (display_name) VALUES ('Alice') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&bob, `INSERT INTO members (display_name) VALUES ('Bob') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	mustExec(`INSERT INTO identities (platform, platform_user_id, member_id, username) VALUES ('telegram', '100', $1, 'alice')`, alice)
	mustExec(`INSERT INTO identities (platform, platform_user_id, member_id) VALUES ('discord', '900', $1)`, alice)

	rejected := []struct {
		what, sql string
		args      []any
		want      string
	}{
		{"a platform account of two members", `INSERT INTO identities (platform, platform_user_id, member_id) VALUES ('telegram', '100', $1)`, []any{bob}, "identities_pkey"},
		{"an unknown platform", `INSERT INTO identities (platform, platform_user_id, member_id) VALUES ('myspace', '1', $1)`, []any{bob}, "identities_platform_check"},
		{"a second staff chat", `INSERT INTO chats (platform, platform_chat_id, kind, is_staff) VALUES ('telegram', '-2', 'group', true)`, nil, "chats_one_staff_chat"},
		{"an audit row with no action", `INSERT INTO audit_log (action) VALUES ('')`, nil, "audit_log_action_check"},
	}
	mustExec(`INSERT INTO chats (platform, platform_chat_id, kind, is_staff) VALUES ('telegram', '-1', 'group', true)`)
	mustExec(`INSERT INTO chats (platform, platform_chat_id, kind, is_staff) VALUES ('discord', '77', 'group', true)`)
	for _, r := range rejected {
		err := exec(r.sql, r.args...)
		if err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%s: got %v, want a %s violation", r.what, err, r.want)
		}
	}

	mustExec(`INSERT INTO audit_log (actor_member_id, action, target_member_id) VALUES ($1, 'staff.add', $2)`, bob, alice)
	mustExec(`DELETE FROM members WHERE id = $1`, alice)
	var identities, audits int
	if err := db.Get(&identities, `SELECT count(*) FROM identities WHERE member_id = $1`, alice); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&audits, `SELECT count(*) FROM audit_log WHERE action = 'staff.add' AND target_member_id IS NULL AND actor_member_id = $1`, bob); err != nil {
		t.Fatal(err)
	}
	if identities != 0 || audits != 1 {
		t.Fatalf("after deleting the member: %d identities left (want 0), %d audit rows kept without target (want 1)", identities, audits)
	}
}
