package main

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

// TestBenchSeed: bench seed fills an empty database with the community
// asked for and says so; a second seed and a bad size are refused with
// what was wrong, and write nothing.
func TestBenchSeed(t *testing.T) {
	dsn := storagetest.URL(t)
	env := map[string]string{"DATABASE_URL": dsn}
	code, stdout, stderr := inProcess(t, env, "bench", "seed", "--members", "300", "--activities", "3000", "--orders", "200")
	if code != 0 || !strings.Contains(stdout, "Seeded 300 members, 3000 activities and 200 orders in ") {
		t.Fatalf("bench seed: %d %q %q", code, stdout, stderr)
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func() (n int) {
		if err := db.Get(&n, `SELECT (SELECT count(*) FROM members) + (SELECT count(*) FROM activities) + (SELECT count(*) FROM orders)`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 3500 {
		t.Errorf("%d rows, want 3500", n)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--members", "10"}, "holds a seeded community already"},
		{[]string{"--members", "-5"}, "a count of -5: each must be 0 to 100000000"},
		{[]string{"--members", "0", "--activities", "10"}, "activities need members"},
	} {
		code, _, stderr := inProcess(t, env, append([]string{"bench", "seed"}, tc.args...)...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("bench seed %v: %d %q, want it refused saying %q", tc.args, code, stderr, tc.want)
		}
	}
	if n := count(); n != 3500 {
		t.Errorf("%d rows after refusals, want 3500", n)
	}
}
