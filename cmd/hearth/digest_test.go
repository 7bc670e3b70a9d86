package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

// TestDigestCommand: hearth digest prints last week's digest made on the
// spot (Ann's two messages of that week counted) as text, JSON, the
// charts stacked on one PNG, and one HTML page holding them; it stores
// nothing; a format or a week it does not know is a usage error.
func TestDigestCommand(t *testing.T) {
	dsn := storagetest.URL(t)
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	week := digest.WeekOf(testNow, testNow.Location()).Prev()
	for _, q := range []string{
		`INSERT INTO members (display_name, created_at) VALUES ('Ann', $1::timestamptz - interval '60 days')`,
		`INSERT INTO chats (platform, platform_chat_id, kind, title, added_at) VALUES ('telegram', '-100', 'group', 'Tea Lovers', $1)`,
		`INSERT INTO activities (member_id, chat_id, kind, at) SELECT 1, 1, 'message', $1::timestamptz - interval '5 days' FROM generate_series(1, 2)`,
	} {
		if _, err := db.Exec(q, week.End(testNow.Location())); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	env := map[string]string{"DATABASE_URL": dsn}
	code, stdout, stderr := inProcess(t, env, "digest")
	if code != 0 {
		t.Fatalf("digest: %d %s", code, stderr)
	}
	for _, part := range []string{"Weekly digest " + week.String(), "Made just now", "• Active: 1", "• Messages: 2", "Tea Lovers (telegram): 2 messages", "1. Ann"} {
		if !strings.Contains(stdout, part) {
			t.Errorf("text lacks %q:\n%s", part, stdout)
		}
	}
	code, stdout, stderr = inProcess(t, env, "digest", "--week", week.String(), "--format", "json")
	var d struct {
		Week    string
		Members struct{ Active struct{ This float64 } }
		Trend   []struct{ Messages int }
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &d) != nil || d.Week != week.String() || d.Members.Active.This != 1 || len(d.Trend) != 12 || d.Trend[11].Messages != 2 {
		t.Errorf("json: %d %s %+v\n%s", code, stderr, d, stdout)
	}
	out := filepath.Join(t.TempDir(), "charts.png")
	if code, _, stderr = inProcess(t, env, "digest", "--format", "png", "--out", out); code != 0 {
		t.Fatalf("png: %d %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != 1080 || img.Bounds().Dy() != 2*720 {
		t.Errorf("png: %v, %v; want the two charts (no levels, no NPS yet) one under the other", err, img)
	}
	code, stdout, _ = inProcess(t, env, "digest", "--format", "html")
	if code != 0 || strings.Count(stdout, `src="data:image/png;base64,`) != 2 || !strings.Contains(stdout, "<b>Members</b>") {
		t.Errorf("html: %d\n%s", code, stdout[:min(len(stdout), 2000)])
	}
	if n := storagetest.Count(t, db, `SELECT count(*) FROM digests`); n != 0 {
		t.Errorf("%d digests stored; want none", n)
	}
	for _, args := range [][]string{{"digest", "--format", "pdf"}, {"digest", "--week", "2026-W60"}} {
		if code, _, stderr := inProcess(t, env, args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, %q; want a usage error", args, code, stderr)
		}
	}
}
