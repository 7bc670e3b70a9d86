package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// TestProfileFactsReadOneMembersRecord: a profile's facts are the
// member's own: their accounts, standing with milestones, the customer
// their orders' ids link them to, warnings active at the time asked,
// sanctions not lifted and the latest ones, the latest notes and the
// oldest open tickets. A member never scored nor linked has neither, and
// an unknown member is not found.
func TestProfileFactsReadOneMembersRecord(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := recordMembers(t, s, message("1", "100", "-5"), message("2", "200", "-5"))
	alice, bob := m[0], m[1]
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	seedProfile(t, s.DB().MustExec, int64(bob), int64(alice), now)

	f, err := s.ProfileFacts(ctx, community.ProfileQuery{Member: bob, Now: now, Recent: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Member.Identities) != 1 || f.Member.Identities[0].UserID != "200" || f.Member.DisplayName != "User 200" {
		t.Errorf("member %+v", f.Member)
	}
	if st := f.Standing; st == nil || st.Tier != community.TierVIP || !st.Flags.Has(community.FlagVerifiedBuyer) || st.Priority != 90 ||
		st.Points != 340 || st.Engagement.Level != 2 || fmt.Sprint(st.Milestones) != "[first_message first_order]" {
		t.Errorf("standing %+v", st)
	}
	if f.Value == nil || f.Value.CustomerID != "cust-bob" || f.Value.Scored {
		t.Errorf("value %+v: want the customer carrying bob's telegram id, linked, not scored", f.Value)
	}
	for _, c := range []struct{ what, got, want string }{
		{"warnings", fmt.Sprint(reasons(f.Warnings, func(w community.Warning) string { return w.Reason })), "[active]"},
		{"in force", fmt.Sprint(reasons(f.InForce, func(s community.Sanction) string { return s.Reason })), "[old ban mute]"},
		{"recent", fmt.Sprint(reasons(f.Recent, func(s community.Sanction) string { return s.Reason })), "[kick 5 kick 4 kick 3 mute kick 2]"},
		{"notes", fmt.Sprint(reasons(f.Notes, func(n community.Note) string { return n.Text })), "[note 6 note 5 note 4 note 3 note 2]"},
		{"tickets", fmt.Sprint(reasons(f.Tickets, func(t community.TicketSummary) string { return t.Text })), "[first? third?]"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.what, c.got, c.want)
		}
	}
	if tk := f.Tickets[0]; tk.Platform != community.Telegram || tk.AskedIn != "Tea Lovers" || !tk.OpenedAt.Equal(now.Add(-3*time.Hour)) {
		t.Errorf("ticket %+v", tk)
	}

	f, err = s.ProfileFacts(ctx, community.ProfileQuery{Member: alice, Now: now, Recent: 5})
	if err != nil || f.Standing != nil || f.Value != nil {
		t.Errorf("alice: %+v, %v; want no standing and no value", f, err)
	}
	if got := fmt.Sprint(reasons(f.Warnings, func(w community.Warning) string { return w.Reason }), reasons(f.InForce, func(s community.Sanction) string { return s.Reason }),
		reasons(f.Notes, func(n community.Note) string { return n.Text }), reasons(f.Tickets, func(t community.TicketSummary) string { return t.Text })); got != "[alice's] [alice's] [] [alice's?]" {
		t.Errorf("alice's record: %s, want only her own", got)
	}
	if _, err := s.ProfileFacts(ctx, community.ProfileQuery{Member: 999, Now: now, Recent: 5}); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("unknown member: %v, want not found", err)
	}
}

// seedProfile gives bob a standing, a customer carrying his telegram id,
// warnings, sanctions, notes and tickets, and alice a ticket of her own.
func seedProfile(t *testing.T, exec func(string, ...any) sql.Result, bob, alice int64, now time.Time) {
	t.Helper()
	h := func(n int) time.Time { return now.Add(time.Duration(n) * time.Hour) }
	exec(`INSERT INTO member_standings (member_id, tier, flags, priority, value_percentile, score_log, engagement_percentile, level, this_week, prev_weekly, points, computed_at)
VALUES ($1, 'vip', 2, 90, 95, ln(12.5), 80, 2, 3, 4, 340, $2)`, bob, h(-1))
	exec(`INSERT INTO member_milestones (member_id, milestone, reached_at) VALUES ($1, 'first_order', $2), ($1, 'first_message', $3)`, bob, h(-2), h(-5))
	exec(`INSERT INTO customers (id, telegram_id) VALUES ('cust-bob', '200')`)
	exec(`INSERT INTO warnings (member_id, reason, at, expires_at, removed_at) VALUES
($1, 'expired', $2, $3, NULL), ($1, 'active', $3, $4, NULL), ($1, 'removed', $3, $4, $3), ($5, 'alice''s', $3, $4, NULL)`,
		bob, h(-50), h(-1), h(24), alice)
	exec(`INSERT INTO sanctions (member_id, kind, groups, reason, at, until, lifted_at) VALUES
($1, 'ban', '{telegram:-5}', 'old ban', $2, NULL, NULL), ($1, 'mute', '{telegram:-5}', 'mute', $3, $4, NULL)`, bob, h(-100), h(-8), h(1))
	for i := 1; i <= 5; i++ {
		exec(`INSERT INTO sanctions (member_id, kind, groups, reason, at, lifted_at) VALUES ($1, 'kick', '{telegram:-5}', $2, $3, $3)`,
			bob, fmt.Sprint("kick ", i), h(-13+2*i))
	}
	exec(`INSERT INTO sanctions (member_id, kind, groups, reason, at) VALUES ($1, 'ban', '{telegram:-5}', 'alice''s', $2)`, alice, h(-1))
	for i := 1; i <= 6; i++ {
		exec(`INSERT INTO moderation_notes (member_id, text, at) VALUES ($1, $2, $3)`, bob, fmt.Sprint("note ", i), h(-10+i))
	}
	exec(`INSERT INTO tickets (member_id, platform, asked_in, text, opened_at, closed_at, first_response_due, resolution_due) VALUES
($1, 'telegram', 'Tea Lovers', 'first?', $2, NULL, $2, $2), ($1, 'telegram', '', 'second?', $3, $4, $3, $3), ($1, 'telegram', '', 'third?', $4, NULL, $4, $4),
($5, 'telegram', '', 'alice''s?', $2, NULL, $2, $2)`, bob, h(-3), h(-2), h(-1), alice)
}

func reasons[T any](list []T, text func(T) string) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = text(x)
	}
	return out
}
