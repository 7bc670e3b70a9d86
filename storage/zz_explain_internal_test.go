package storage

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

func TestZZExplain(t *testing.T) {
	url := os.Getenv("HEARTH_SEEDED_DATABASE_URL")
	if url == "" {
		t.Skip()
	}
	db := sqlx.MustOpen("postgres", url)
	defer db.Close()
	ctx := context.Background()
	tx := db.MustBeginTx(ctx, nil)
	defer tx.Rollback()
	var now time.Time
	if err := tx.Get(&now, `SELECT computed_at FROM standings_state`); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute)
	tx.MustExec(`INSERT INTO activities (member_id, chat_id, kind, at)
SELECT a.member_id, a.chat_id, a.kind, $1::timestamptz - random() * interval '10 minutes'
FROM (SELECT member_id, chat_id, kind FROM activities TABLESAMPLE SYSTEM (2) WHERE member_id IS NOT NULL LIMIT $2) a`, now, 100000)
	q := community.NewStandings(nil, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(), nil).Scoring()
	q.Now = now
	tx.MustExec(`SET LOCAL work_mem = '128MB'`)
	tx.MustExec(`SET LOCAL jit = off`)
	today := utcDay(now)
	full, err := markRunDirty(ctx, tx, q, today)
	if err != nil || full {
		t.Fatal(err, full)
	}
	show := func(name, query string, args ...any) {
		start := time.Now()
		var plan []string
		if err := tx.Select(&plan, "EXPLAIN (ANALYZE, BUFFERS) "+query, args...); err != nil {
			t.Fatal(name, err)
		}
		fmt.Printf("=== %s (%s)\n", name, time.Since(start))
		for _, l := range plan {
			fmt.Println(l)
		}
	}
	show("inputs", `CREATE TEMP TABLE run_inputs ON COMMIT DROP AS `+fmt.Sprintf(freshInputsSQL, "run_dirty"), inputArgs(q, today, false)...)
	tx.MustExec(`ALTER TABLE run_inputs ADD PRIMARY KEY (member_id); ANALYZE run_inputs`)
	var members int
	tx.Get(&members, `SELECT (SELECT count(*) FROM member_standings) + (SELECT count(*) FROM run_inputs WHERE NOT scored)`)
	show("chosen", runChosenSQL, pq.Array(slices.Sorted(slices.Values(q.EngagementCuts))),
		pq.Array(slices.Sorted(slices.Values(q.ValueCuts))), q.Slack, driftBudget, members)
	tx.MustExec(`ALTER TABLE run_chosen ADD PRIMARY KEY (member_id); ANALYZE run_chosen`)
	show("cands", runCandidatesSQL)
}
