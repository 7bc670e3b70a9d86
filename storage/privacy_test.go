package storage_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/hearthbot/hearth/support"
)

// forgetFixture is alice, with everything Hearth keeps about a member:
// messages in a group, a private chat, a link to a shop customer whose
// orders carry her Telegram id, a standing and milestones, messages to
// her and about her, audit entries and outbox events. Bob is there too.
func forgetFixture(t *testing.T) (*storage.Store, community.MemberID, community.MemberID) {
	t.Helper()
	s := newStore(t)
	ctx := context.Background()
	at := time.Now().Add(-time.Hour)
	in := func(key, uid, user, name, chat string, kind community.ChatKind, activity community.ActivityKind) inbox.Inbound {
		return inbox.Inbound{Platform: community.Telegram, Key: key, At: at, Done: true, Activity: activity, MessageID: key,
			From: inbox.User{ID: uid, Username: user, DisplayName: name}, Chat: inbox.Chat{ID: chat, Kind: kind, Title: "Tea"}}
	}
	rec, err := s.RecordInbound(ctx, []inbox.Inbound{
		in("1", "100123", "alice_w", "Alice Wonder", "-1001", community.ChatGroup, community.ActivityMessage),
		in("2", "100123", "alice_w", "Alice Wonder", "100123", community.ChatDirect, ""),
		in("3", "200456", "bob_b", "Bob Builder", "-1001", community.ChatGroup, community.ActivityMessage),
	})
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := rec[0].Member, rec[2].Member
	db := s.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	storagetest.SetValues(t, db, map[int64]float64{int64(alice): 500, int64(bob): 20})
	exec(`UPDATE customers SET telegram_id = '100123', telegram_username = 'alice_w', email = 'alice@example.com' WHERE member_id = $1`, alice)
	standings := community.NewStandings(s, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(), time.Now)
	if _, err := standings.Recompute(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.QueueMessages(ctx, []outbox.Outgoing{
		{Target: outbox.Target{Platform: community.Telegram, UserID: "100123"}, Message: outbox.Message{Text: "a private word"}},
		{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1002"}, Message: outbox.Message{Text: "Alice Wonder was warned"}},
	}); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE deliveries SET status = 'sent'`)
	if err := s.Audit(ctx, community.AuditEntry{At: at, Actor: bob, Action: "moderation.warn", Target: alice, Reason: "spam", Details: map[string]any{"name": "Alice Wonder"}}); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO inbound_updates (platform, update_key) VALUES ('discord', 'join:9:100123:1')`)
	desk := support.NewDesk(s, func() time.Time { return at })
	ticket, err := desk.Open(ctx, support.Question{Member: alice, Name: "Alice Wonder", Platform: community.Telegram, Text: "Is the oolong back in stock?"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Close(ctx, ticket.ID, bob, ""); err != nil {
		t.Fatal(err)
	}
	return s, alice, bob
}

// TestExportMember: the export holds the member's rows from every table
// that refers to them (their daily activity totals too, which outlive the
// activities), and leaves out staff-only values.
func TestExportMember(t *testing.T) {
	s, alice, _ := forgetFixture(t)
	data, err := s.ExportMember(context.Background(), alice)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"members", "identities", "activities", "activity_days", "customers", "orders", "member_standings", "member_milestones", "deliveries", "audit_log", "tickets"} {
		if len(data[table]) == 0 {
			t.Errorf("export has no %s", table)
		}
	}
	if len(data["standings_dirty"]) != 0 {
		t.Errorf("export shows the standings' bookkeeping: %s", data["standings_dirty"])
	}
	raw, _ := json.Marshal(data)
	for _, secret := range []string{"value_percentile", "priority", "historical_clv"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("export shows %s", secret)
		}
	}
	if strings.Contains(string(raw), "bob_b") {
		t.Error("export shows another member")
	}
}

// TestExportLeavesOutOthersData: what a staff member did to another
// member (a warning, a question they marked answered) is that member's
// data: it stays out of the staff member's export.
func TestExportLeavesOutOthersData(t *testing.T) {
	s, _, bob := forgetFixture(t)
	data, err := s.ExportMember(context.Background(), bob)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(data)
	for _, other := range []string{"Alice Wonder", "spam", "oolong", "moderation.warn", "ticket.closed"} {
		if strings.Contains(string(raw), other) {
			t.Errorf("bob's export shows %q:\n%s", other, raw)
		}
	}
	if len(data["identities"]) == 0 || len(data["activities"]) == 0 {
		t.Errorf("bob's export lacks his own rows: %s", raw)
	}
}

// TestEraseWaitsForSanctionsHearthMustLift: while a timed Discord ban
// runs (Discord does not end bans by itself), erasing the member is
// refused, with the ban's end, and nothing is erased; a Telegram ban,
// which Telegram ends, does not stand in the way, nor does a lifted one.
func TestEraseWaitsForSanctionsHearthMustLift(t *testing.T) {
	s, alice, _ := forgetFixture(t)
	ctx := context.Background()
	now := time.Now()
	if _, err := s.DB().Exec(`INSERT INTO sanctions (member_id, kind, groups, at, until) VALUES
		($1, 'ban', '{telegram:-1001}', $2, $2::timestamptz + interval '72 hours'),
		($1, 'ban', '{discord:42}', $2, $2::timestamptz + interval '48 hours')`, alice, now); err != nil {
		t.Fatal(err)
	}
	err := s.EraseMember(ctx, community.Erasure{Member: alice, At: now}, erasureRules(now))
	if community.ErrorCode(err) != community.EConflict {
		t.Fatalf("erasing a member banned on Discord for 2 days: %v, want a conflict", err)
	}
	if e, _ := err.(*community.Error); e == nil || e.Data["Until"] != now.Add(48*time.Hour).UTC().Format("2006-01-02 15:04 UTC") {
		t.Errorf("the refusal says until %v", e)
	}
	if n := count(t, s, `SELECT count(*) FROM identities WHERE member_id = $1`, alice); n != 1 {
		t.Fatalf("after the refusal alice has %d identities, want 1", n)
	}
	if _, err := s.DB().Exec(`UPDATE sanctions SET lifted_at = now() WHERE groups = '{discord:42}'`); err != nil {
		t.Fatal(err)
	}
	if err := s.EraseMember(ctx, community.Erasure{Member: alice, At: now}, erasureRules(now)); err != nil {
		t.Fatalf("erasing once the Discord ban is lifted: %v", err)
	}
}

// TestExportHasMessagesToTheirPrivateChats: messages Hearth sent into a
// member's private chats are theirs, whether the platform names that chat
// by the user (Telegram) or by a channel of its own (a Discord DM).
func TestExportHasMessagesToTheirPrivateChats(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	at := time.Now().Add(-time.Hour)
	rec, err := s.RecordInbound(ctx, []inbox.Inbound{
		{Platform: community.Telegram, Key: "1", At: at, Done: true, From: inbox.User{ID: "100"}, Chat: inbox.Chat{ID: "100", Kind: community.ChatDirect}},
		{Platform: community.Discord, Key: "2", At: at, Done: true, From: inbox.User{ID: "300"}, Chat: inbox.Chat{ID: "9001", Kind: community.ChatDirect}},
		{Platform: community.Discord, Key: "3", At: at, Done: true, From: inbox.User{ID: "400"}, Chat: inbox.Chat{ID: "9002", Kind: community.ChatDirect}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.QueueMessages(ctx, []outbox.Outgoing{
		{Target: outbox.Target{Platform: community.Telegram, ChatID: "100"}, Message: outbox.Message{Text: "to ann's chat"}},
		{Target: outbox.Target{Platform: community.Discord, ChatID: "9001"}, Message: outbox.Message{Text: "to cy's DM"}},
		{Target: outbox.Target{Platform: community.Discord, ChatID: "9002"}, Message: outbox.Message{Text: "to dee's DM"}},
	}); err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]string{0: "to ann's chat", 1: "to cy's DM", 2: "to dee's DM"} {
		data, err := s.ExportMember(ctx, rec[i].Member)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(data["deliveries"])
		if len(data["deliveries"]) != 1 || !strings.Contains(string(raw), want) {
			t.Errorf("member %d's deliveries: %s, want only %q", rec[i].Member, raw, want)
		}
	}
}
