package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/digest"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestHighlightNewcomersOfAGroup: a group's highlight welcomes who joined
// that group in the week, in the order they came: not who joined another
// group, or before the week, nor whose captcha expired, nor who was banned
// or kicked since; who hid from /top is counted, not named. A Discord
// channel's newcomers are its guild's.
func TestHighlightNewcomersOfAGroup(t *testing.T) {
	s := storage.New(storagetest.New(t))
	ctx := context.Background()
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 7)
	mustExec(t, s.DB(), `INSERT INTO chats (id, platform, platform_chat_id, kind, parent_id, title) OVERRIDING SYSTEM VALUE VALUES
	    (1, 'telegram', '-100', 'group', NULL, 'Tea'), (2, 'telegram', '-200', 'group', NULL, 'Other'),
	    (3, 'discord', 'g1', 'group', NULL, 'Guild'), (4, 'discord', 'c1', 'channel', 3, 'general')`)
	names := []string{"Ann", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"}
	for i, n := range names {
		mustExec(t, s.DB(), `INSERT INTO members (id, display_name, hide_from_top) OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3)`, i+1, n, n == "Di")
	}
	join := func(member, chat int, at time.Time, captcha string) {
		t.Helper()
		var deadline *time.Time
		if captcha != "none" {
			d := at.Add(time.Hour)
			deadline = &d
		}
		mustExec(t, s.DB(), `INSERT INTO onboarding_joins (platform, update_key, group_id, chat_id, member_id, user_id, name, joined_at, captcha, deadline)
SELECT c.platform, 'j' || $1::bigint || '-' || c.id || '-' || extract(epoch FROM $3::timestamptz), c.platform_chat_id, c.id, $1::bigint,
       'u' || $1::bigint, '', $3::timestamptz, $4::text, $5::timestamptz
FROM chats c WHERE c.id = $2::bigint`, member, chat, at, captcha, deadline)
	}
	join(2, 1, start.Add(30*time.Hour), "solved") // Bo, second
	join(1, 1, start.Add(2*time.Hour), "none")    // Ann, first
	join(1, 1, start.Add(50*time.Hour), "none")   // Ann again: once
	join(3, 1, start.Add(-time.Hour), "none")     // Cy, the week before
	join(4, 1, start.Add(40*time.Hour), "none")   // Di, hidden from /top
	join(5, 1, start.Add(41*time.Hour), "expired")
	join(6, 1, start.Add(42*time.Hour), "none") // Flo, banned since
	mustExec(t, s.DB(), `INSERT INTO sanctions (member_id, kind, groups, at) VALUES (6, 'ban', '{telegram:-100}', $1)`, start.Add(43*time.Hour))
	join(7, 2, start.Add(44*time.Hour), "none") // Gus, another group
	join(8, 3, start.Add(45*time.Hour), "none") // Hal, the Discord guild
	named, hidden, err := s.HighlightNewcomers(ctx, 1, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if want := []digest.Named{{Member: 1, Name: "Ann"}, {Member: 2, Name: "Bo"}}; !slices.Equal(named, want) || hidden != 1 {
		t.Errorf("newcomers %v and %d hidden; want %v and 1", named, hidden, want)
	}
	if named, _, err := s.HighlightNewcomers(ctx, 4, start, end); err != nil || !slices.Equal(named, []digest.Named{{Member: 8, Name: "Hal"}}) {
		t.Errorf("the Discord channel's newcomers %v, %v; want its guild's, Hal", named, err)
	}
}

// TestPAliveFallComparesAWeekApart: a VIP's P(alive) is compared with the
// one kept with last week's digest only when that digest was made about a
// week before (5 to 9 days): not by a run catching up several weeks at
// once, nor with a digest made long ago.
func TestPAliveFallComparesAWeekApart(t *testing.T) {
	s := storage.New(storagetest.New(t))
	ctx := context.Background()
	mustExec(t, s.DB(), `INSERT INTO members (id, display_name) OVERRIDING SYSTEM VALUE VALUES (1, 'Vera')`)
	mustExec(t, s.DB(), `INSERT INTO customers (id, member_id, linked_at, linked_via) VALUES ('c1', 1, now(), 'token')`)
	mustExec(t, s.DB(), `INSERT INTO clv_models (id, computed_at, observation_end, period, customers, bgnbd, gammagamma) OVERRIDING SYSTEM VALUE
VALUES (1, now(), now(), 'day', 1, '{}', '{}')`)
	mustExec(t, s.DB(), `INSERT INTO clv_snapshots (customer_id, model_id, orders, first_order_at, last_order_at, revenue, historical_clv,
    predicted_clv, p_alive, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, computed_at)
VALUES ('c1', 1, 3, now(), now(), 100, 100, 400, 0.5, 1, 1, 1, 'x', now())`)
	mustExec(t, s.DB(), `INSERT INTO member_standings (member_id, tier, flags, priority, value_percentile, engagement_percentile, level,
    this_week, prev_weekly, points, computed_at) VALUES (1, 'vip', 0, 0, 0, 0, 1, 0, 0, 0, now())`)
	lastMade := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	mustExec(t, s.DB(), `INSERT INTO digests (week, made_at, digest) VALUES ('2026-W47', $1, '{}')`, lastMade)
	mustExec(t, s.DB(), `INSERT INTO digest_p_alive (week, member_id, p_alive) VALUES ('2026-W47', 1, 0.9)`)
	span := digest.SpanOf(digest.Week{Year: 2026, Num: 48}, time.UTC)
	for _, c := range []struct {
		made time.Time
		had  bool
	}{{lastMade.AddDate(0, 0, 7), true}, {lastMade.Add(time.Minute), false}, {lastMade.AddDate(0, 0, 30), false}} {
		f, err := s.DigestFacts(ctx, span, community.DefaultEngagementWeights(), c.made)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.AtRisk) != 1 || f.AtRisk[0].HadPAlive != c.had || c.had && f.AtRisk[0].PrevPAlive != 0.9 {
			t.Errorf("made %s after last week's: %+v; want last week's P(alive) %v", c.made.Sub(lastMade), f.AtRisk, c.had)
		}
	}
}

// TestOnlyLastWeeksPAliveIsKept: storing a week's digest keeps the VIPs'
// P(alive) of that week and the one before, and drops older weeks': only
// the week before is ever compared with.
func TestOnlyLastWeeksPAliveIsKept(t *testing.T) {
	s := storage.New(storagetest.New(t))
	mustExec(t, s.DB(), `INSERT INTO members (id, display_name) OVERRIDING SYSTEM VALUE VALUES (1, 'Vera')`)
	for _, w := range []string{"2026-W46", "2026-W47"} {
		mustExec(t, s.DB(), `INSERT INTO digests (week, made_at, digest) VALUES ($1, now(), '{}')`, w)
		mustExec(t, s.DB(), `INSERT INTO digest_p_alive (week, member_id, p_alive) VALUES ($1, 1, 0.5)`, w)
	}
	d := digest.Digest{Week: digest.Week{Year: 2026, Num: 48}, MadeAt: time.Now(), PAlive: map[community.MemberID]float64{1: 0.4}}
	if saved, err := s.SaveDigest(context.Background(), d, community.Effects{}); err != nil || !saved {
		t.Fatalf("saved %v, %v", saved, err)
	}
	var weeks []string
	if err := s.DB().Select(&weeks, `SELECT week FROM digest_p_alive ORDER BY week`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(weeks, []string{"2026-W47", "2026-W48"}) {
		t.Errorf("P(alive) kept for %v; want 2026-W47 and 2026-W48", weeks)
	}
}
