package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
)

// uncountFixture is moderation with Bob and Alice writing in one group:
// Alice 3 messages an hour ago, Bob a flood of 6 a minute ago.
type uncountFixture struct {
	*modFixture
	chat community.ChatID
}

func newUncountFixture(t *testing.T) *uncountFixture {
	f := &uncountFixture{modFixture: newModFixture(t, community.DefaultModerationRules(), "bob", "alice")}
	if err := f.s.DB().Get(&f.chat, `INSERT INTO chats (platform, platform_chat_id, kind, title) VALUES ('telegram', '-1001', 'group', 'Tea') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	f.messages("alice", "a", 3, time.Hour)
	f.messages("bob", "b", 6, time.Minute)
	return f
}

// messages records n messages of name's, with ids prefix1..prefixN, ago
// before now.
func (f *uncountFixture) messages(name, prefix string, n int, ago time.Duration) []string {
	f.t.Helper()
	var ids []string
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("%s%d", prefix, i)
		f.exec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id) VALUES ($1, $2, 'message', $3, $4)`,
			f.members[name], f.chat, standingsNow.Add(-ago), id)
		ids = append(ids, id)
	}
	return ids
}

// flood is automod catching Bob's flood, b1..bN.
func (f *uncountFixture) flood(n int) (community.Outcome, error) {
	var ids []string
	for i := 1; i <= n; i++ {
		ids = append(ids, fmt.Sprintf("b%d", i))
	}
	return f.mod.Automod(context.Background(), community.AutomodHit{Member: f.members["bob"], Group: f.tg, Chat: f.chat,
		Messages: ids, Rule: community.RuleFlood, Deleted: n})
}

// earnsNothing checks that Bob's saved standing counts none of his
// messages and that /top does not list him.
func (f *uncountFixture) earnsNothing(when string) {
	f.t.Helper()
	st := f.standing("bob")
	if st.Points != 0 || math.Abs(st.Engagement.Score) > 1e-9 || st.Engagement.ThisWeek != 0 {
		f.t.Errorf("%s: Bob has %d points, score %g, this week %g; want nothing for removed messages",
			when, st.Points, st.Engagement.Score, st.Engagement.ThisWeek)
	}
	top, err := f.s.Leaderboard(context.Background(), 10)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range top {
		if e.Member == f.members["bob"] {
			f.t.Errorf("%s: Bob is on /top: %+v", when, top)
		}
	}
}

// TestAutomodRemovedMessagesEarnNothing: Bob's flood put him first on
// /top; once automod removes it, the standing saved before is corrected
// in the same transaction as the mute, and no later recomputation counts
// it. Messages caught while he is muted already earn nothing either. The
// activities stay, so that /purge still finds the messages.
func TestAutomodRemovedMessagesEarnNothing(t *testing.T) {
	f := newUncountFixture(t)
	f.recompute()
	if top, err := f.s.Leaderboard(context.Background(), 1); err != nil || len(top) != 1 || top[0].Member != f.members["bob"] {
		t.Fatalf("before automod: /top = %+v, %v; want the flooder first", top, err)
	}
	out, err := f.flood(6)
	if err != nil || out.Sanction == nil || out.Sanction.Kind != community.SanctionMute {
		t.Fatalf("automod: %+v, %v; want a mute", out, err)
	}
	f.earnsNothing("right after the mute")
	f.recompute()
	f.earnsNothing("after the next recomputation")
	if alice := f.standing("alice"); alice.Points != 3 {
		t.Errorf("Alice has %d points, want 3 for her 3 messages", alice.Points)
	}

	f.messages("bob", "c", 2, 0)
	f.recompute()
	if _, err := f.mod.Automod(context.Background(), community.AutomodHit{Member: f.members["bob"], Group: f.tg, Chat: f.chat,
		Messages: []string{"c1", "c2"}, Rule: community.RuleFlood, Deleted: 2}); community.ErrorCode(err) != community.EConflict {
		t.Fatalf("a flood while muted: %v, want EConflict (muted already)", err)
	}
	f.earnsNothing("after a flood while muted")
	if n := f.count(`SELECT count(*) FROM activities WHERE member_id = $1 AND uncounted_xid IS NOT NULL`, f.members["bob"]); n != 8 {
		t.Errorf("%d of Bob's activities uncounted, want 8 (kept for /purge)", n)
	}
}

// recomputeThrough runs a recomputation through a store, as of at.
func (f *uncountFixture) recomputeThrough(s community.StandingStore, at time.Time) {
	f.t.Helper()
	standings := community.NewStandings(s, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(),
		func() time.Time { return at })
	if _, err := standings.Recompute(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// floodOnlyCounted checks that Bob's saved standing counts his 3 later
// messages, not the flood automod removed.
func (f *uncountFixture) floodOnlyCounted() {
	f.t.Helper()
	if st := f.standing("bob"); st.Points != 3 || st.Engagement.ThisWeek != 3 {
		f.t.Errorf("saved by the recomputation under way: Bob has %d points, this week %g; want his 3 later messages only", st.Points, st.Engagement.ThisWeek)
	}
}

// midRecompute is the standings store with an automod action landing
// between reading the members and saving their standings, as on another
// replica.
type midRecompute struct {
	*storage.Store
	during func()
	// afterSaving lands the action once every batch is saved (the run
	// holds the standings it saved) rather than before the first.
	afterSaving bool
}

// RecomputeStandings runs during before the run's first batch is
// decided, or after the last one is saved.
func (m midRecompute) RecomputeStandings(ctx context.Context, q community.EngagementQuery, decide func([]community.EngagementTotal) community.StandingsUpdate) error {
	var once sync.Once
	return m.Store.RecomputeStandings(ctx, q, func(totals []community.EngagementTotal) community.StandingsUpdate {
		if !m.afterSaving || len(totals) == 0 {
			once.Do(m.during)
		}
		return decide(totals)
	})
}

// TestRecomputationUnderWayTakesOutWhatAutomodRemoved: a recomputation
// reads Bob's flood, automod removes it before the recomputation saves,
// and the saved standing counts it not; Bob stays marked, and the next
// run decides him again.
func TestRecomputationUnderWayTakesOutWhatAutomodRemoved(t *testing.T) {
	f := newUncountFixture(t)
	f.recompute()
	f.messages("bob", "c", 3, 0)
	store := midRecompute{Store: f.s, during: func() {
		if _, err := f.flood(6); err != nil {
			t.Errorf("automod during the recomputation: %v", err)
		}
	}}
	f.recomputeThrough(store, standingsNow)
	f.floodOnlyCounted()
	if n := f.count(`SELECT count(*) FROM standings_dirty WHERE member_id = $1`, f.members["bob"]); n != 1 {
		t.Errorf("Bob marked %d times after the run, want still marked", n)
	}
	f.recompute()
	if n := f.count(`SELECT count(*) FROM standings_dirty`); n != 0 {
		t.Errorf("%d members still marked after a quiet run", n)
	}
	if alice := f.standing("alice"); alice.Points != 3 {
		t.Errorf("Alice has %d points, want 3", alice.Points)
	}
}

// TestAutomodOnAFoldedDayDuringARecomputation: automod removes messages
// of a day Bob's history folded already, while a recomputation that read
// him and folds more of his days is under way. Neither waits for the
// other (the run locks a member's standing before their history, as
// automod does), and what is saved counts them not.
func TestAutomodOnAFoldedDayDuringARecomputation(t *testing.T) {
	f := newUncountFixture(t)
	old := f.messages("bob", "old", 4, 40*24*time.Hour)
	f.messages("bob", "mid", 2, 34*24*time.Hour)
	f.recompute()
	if n := f.count(`SELECT count(*) FROM member_history WHERE member_id = $1`, f.members["bob"]); n != 1 {
		t.Fatalf("Bob has %d histories after a run 40 days after his first messages, want 1", n)
	}
	// Two days later Bob writes again, and the run folds the day 36 days back.
	later := standingsNow.Add(48 * time.Hour)
	f.exec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id) VALUES ($1, $2, 'message', $3, 'c1')`,
		f.members["bob"], f.chat, later)
	store := midRecompute{Store: f.s, during: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if _, err := f.mod.Automod(ctx, community.AutomodHit{Member: f.members["bob"], Group: f.tg, Chat: f.chat,
			Messages: old, Rule: community.RuleFlood, Deleted: len(old)}); err != nil {
			t.Errorf("automod during the recomputation: %v", err)
		}
	}}
	for _, s := range []community.StandingStore{store, f.s} {
		f.recomputeThrough(s, later)
		if st := f.standing("bob"); st.Points != 9 {
			t.Errorf("Bob has %d points; want 9 (6 + 2 + 1), his old messages taken out", st.Points)
		}
	}
}

// TestAutomodDoesNotWaitForARecomputation: automod removes Bob's flood
// after a recomputation saved his standing and before it commits. Automod
// does not wait for the run (it holds Bob's standing); the run sums Bob
// again before it commits, so what it saves counts the flood not.
func TestAutomodDoesNotWaitForARecomputation(t *testing.T) {
	f := newUncountFixture(t)
	f.recompute()
	f.messages("bob", "c", 3, 0)
	store := midRecompute{Store: f.s, afterSaving: true, during: func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		flood := []string{"b1", "b2", "b3", "b4", "b5", "b6"}
		if _, err := f.mod.Automod(ctx, community.AutomodHit{Member: f.members["bob"], Group: f.tg, Chat: f.chat,
			Messages: flood, Rule: community.RuleFlood, Deleted: len(flood)}); err != nil {
			t.Errorf("automod during the recomputation: %v", err)
		}
	}}
	f.recomputeThrough(store, standingsNow)
	f.floodOnlyCounted()
}

// TestAnUncountUnderWayWhileARunFoldsIsNotLost: automod's transaction
// uncounts a message of a day the run is folding into Bob's history, and
// commits only after the run did. The run folded the message in; the
// uncount's mark, which the run never read, makes the next run read all
// of Bob's days again, and the history it saves leaves the message out.
func TestAnUncountUnderWayWhileARunFoldsIsNotLost(t *testing.T) {
	f := newUncountFixture(t)
	f.messages("bob", "old", 4, 40*24*time.Hour)
	f.messages("bob", "mid", 2, 34*24*time.Hour)
	f.recompute()
	later := standingsNow.Add(48 * time.Hour)
	f.exec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id) VALUES ($1, $2, 'message', $3, 'c1')`,
		f.members["bob"], f.chat, later)
	var uncount *sql.Tx
	store := midRecompute{Store: f.s, during: func() {
		var err error
		if uncount, err = f.s.DB().BeginTx(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := uncount.Exec(`UPDATE activities SET uncounted_at = now(), uncounted_xid = pg_current_xact_id()
WHERE member_id = $1 AND message_id = 'mid1'`, f.members["bob"]); err != nil {
			t.Fatal(err)
		}
	}}
	f.recomputeThrough(store, later)
	if err := uncount.Commit(); err != nil {
		t.Fatal(err)
	}
	f.recomputeThrough(f.s, later)
	if st := f.standing("bob"); st.Points != 12 {
		t.Errorf("Bob has %d points; want 12 (6 + 4 + 2 + 1, one taken out)", st.Points)
	}
	if n := f.count(`SELECT messages FROM member_history WHERE member_id = $1`, f.members["bob"]); n != 5 {
		t.Errorf("Bob's history holds %d messages; want the 5 of his folded days still counted", n)
	}
}

// TestUncountingAFoldedDaysOnlyActivityEmptiesTheHistory: Alice's only
// folded message is uncounted; the run that reads her days again has
// nothing to fold, and must still replace her history, or the runs after
// it would count the message from the history again.
func TestUncountingAFoldedDaysOnlyActivityEmptiesTheHistory(t *testing.T) {
	f := newUncountFixture(t)
	f.messages("alice", "old", 1, 40*24*time.Hour)
	f.recompute()
	if st := f.standing("alice"); st.Points != 4 {
		t.Fatalf("Alice has %d points, want 4", st.Points)
	}
	f.exec(`UPDATE activities SET uncounted_at = now(), uncounted_xid = pg_current_xact_id() WHERE member_id = $1 AND message_id = 'old1'`,
		f.members["alice"])
	for run := 1; run <= 2; run++ {
		f.recomputeThrough(f.s, standingsNow.Add(time.Duration(run)*time.Minute))
		if st := f.standing("alice"); st.Points != 3 {
			t.Errorf("run %d after the uncount: Alice has %d points, want her 3 recent messages' 3", run, st.Points)
		}
	}
	if n := f.count(`SELECT messages FROM member_history WHERE member_id = $1`, f.members["alice"]); n != 0 {
		t.Errorf("Alice's history holds %d messages, want none", n)
	}
	f.exec(`INSERT INTO activities (member_id, chat_id, kind, at, message_id) VALUES ($1, $2, 'message', $3, 'a9')`,
		f.members["alice"], f.chat, standingsNow.Add(5*time.Minute))
	f.recomputeThrough(f.s, standingsNow.Add(6*time.Minute))
	if st := f.standing("alice"); st.Points != 4 {
		t.Errorf("after a new message: Alice has %d points, want 4", st.Points)
	}
}
