package storage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/inbox"
)

// TestPruneOutboxKeepsSentMessagesForTheRetentionOnly: messages sent
// before the cut-off go, and then the events they came from; recent ones,
// pending and dead ones stay, and so do the welcome a newer one will
// replace and a captcha still waiting (onboarding deletes those messages
// by their ids later).
func TestPruneOutboxKeepsSentMessagesForTheRetentionOnly(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	rec, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-1001")})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	old, recent := now.Add(-8*24*time.Hour), now.Add(-24*time.Hour)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.DB().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Events 1-5, rendered long ago: 1 sent a message long ago, 2 a recent
	// one, 3 is a welcome still shown, 4 a welcome replaced and cleared,
	// 5 a captcha still waiting. Event 6 is still pending.
	exec(`INSERT INTO outbox_events (kind, status, rendered_at, created_at)
		SELECT 'k', 'rendered', $1, $1 FROM generate_series(1, 5)`, old)
	exec(`INSERT INTO outbox_events (kind, created_at) VALUES ('k', $1)`, old)
	exec(`INSERT INTO onboarding_joins (platform, update_key, group_id, member_id, user_id, joined_at, welcome_event, welcome_cleared_at, captcha, captcha_event, deadline) VALUES
		('telegram', 'j1', '-1001', $1, '100', $2, 3, NULL, 'none', NULL, NULL),
		('telegram', 'j2', '-1001', $1, '100', $2, 4, $2, 'none', NULL, NULL),
		('telegram', 'j3', '-1001', $1, '100', $2, NULL, NULL, 'pending', 5, $3)`, rec[0].Member, old, now)
	exec(`INSERT INTO deliveries (event_id, platform, target_key, target, message, status, created_at, sent_at) VALUES
		(1, 'telegram', 't:1', '{}', '{"text": "event 1, sent long ago"}', 'sent', $1, $1),
		(2, 'telegram', 't:1', '{}', '{"text": "event 2, sent yesterday"}', 'sent', $1, $2),
		(3, 'telegram', 't:1', '{}', '{"text": "welcome still shown"}', 'sent', $1, $1),
		(4, 'telegram', 't:1', '{}', '{"text": "welcome replaced"}', 'sent', $1, $1),
		(5, 'telegram', 't:1', '{}', '{"text": "captcha waiting"}', 'sent', $1, $1),
		(NULL, 'telegram', 't:2', '{}', '{"text": "a reply sent long ago"}', 'sent', $1, $1),
		(NULL, 'telegram', 't:2', '{}', '{"text": "a reply sent yesterday"}', 'sent', $1, $2),
		(NULL, 'telegram', 't:3', '{}', '{"text": "pending"}', 'pending', $1, NULL),
		(NULL, 'telegram', 't:4', '{}', '{"text": "dead"}', 'dead', $1, NULL)`, old, recent)

	d, e, err := s.PruneOutbox(ctx, now.Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := s.DB().Select(&left, `SELECT message->>'text' FROM deliveries ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := "event 2, sent yesterday|welcome still shown|captcha waiting|a reply sent yesterday|pending|dead"
	if got := strings.Join(left, "|"); got != want || d != 3 {
		t.Errorf("messages left: %s (%d deleted)\nwant: %s (3 deleted)", got, d, want)
	}
	var events []int64
	if err := s.DB().Select(&events, `SELECT id FROM outbox_events ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	// Event 1 is gone with its message; 4 stays while its join refers to it.
	if len(events) != 5 || events[0] != 2 || e != 1 {
		t.Errorf("events left: %v (%d deleted), want 2-6 (1 deleted)", events, e)
	}
	if d, e, err := s.PruneOutbox(ctx, now.Add(-7*24*time.Hour)); err != nil || d != 0 || e != 0 {
		t.Errorf("a second prune deleted %d messages and %d events (%v), want none", d, e, err)
	}
}
