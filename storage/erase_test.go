package storage_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/hearthbot/hearth/support"
	"github.com/lib/pq"
)

// erasure is a community where two members ask to be forgotten: "kind"
// on Telegram (display name Ember, a piece of the JSON key "member") and
// "telegram" on Discord, named like words every audit entry and outbox
// payload holds. Carol and Bob stay.
type erasure struct {
	s                          *storage.Store
	kind, telegram, carol, bob community.MemberID
	kindDM, telegramDM         community.ChatID
	kindExport, telegramExport []byte
}

const (
	kindUID     = "5550001"
	carolUID    = "5550003"
	bobUID      = "5550002"
	telegramUID = "777000111222"
	telegramDM  = "880000000000000077"
	discordDora = "7770001112229" // starts with telegram's id: an exact scrub leaves her alone
)

// erasureInbounds is what the erasure's members said and did on Telegram
// and Discord at at: kind's and telegram's messages in groups and DMs,
// carol's and bob's group messages, telegram's join and reaction, dora's
// join. newErasure reads the members and chats from it by position.
func erasureInbounds(at time.Time) []inbox.Inbound {
	tg := func(key, uid, user, name, chat string, kind community.ChatKind, activity community.ActivityKind) inbox.Inbound {
		return inbox.Inbound{Platform: community.Telegram, Key: key, At: at, Done: true, Activity: activity, MessageID: "m" + key,
			From: inbox.User{ID: uid, Username: user, DisplayName: name}, Chat: inbox.Chat{ID: chat, Kind: kind, Title: "Tea"}}
	}
	dc := func(key, uid, user, chat string, kind community.ChatKind, activity community.ActivityKind) inbox.Inbound {
		in := inbox.Inbound{Platform: community.Discord, Key: key, At: at, Done: true, Activity: activity, MessageID: "d" + key,
			From: inbox.User{ID: uid, Username: user, DisplayName: strings.ToUpper(user[:1]) + user[1:]}, Chat: inbox.Chat{ID: chat, Kind: kind}}
		if kind != community.ChatDirect {
			in.Chat.GroupID, in.Chat.GroupTitle = "990", "Tea Lovers"
		}
		return in
	}
	return []inbox.Inbound{
		tg("1", kindUID, "kind", "Ember", "-1001", community.ChatGroup, community.ActivityMessage),
		tg("2", kindUID, "kind", "Ember", kindUID, community.ChatDirect, ""),
		tg("3", carolUID, "carol_c", "Carol", "-1001", community.ChatGroup, community.ActivityMessage),
		tg("4", bobUID, "bob_b", "Bob", "-1001", community.ChatGroup, community.ActivityMessage),
		dc("5", telegramUID, "telegram", "881", community.ChatChannel, community.ActivityMessage),
		dc("join:990:"+telegramUID+":1763640000", telegramUID, "telegram", "881", community.ChatChannel, ""),
		dc("reaction:d5:"+telegramUID+":👍", telegramUID, "telegram", "881", community.ChatChannel, ""),
		dc("6", telegramUID, "telegram", telegramDM, community.ChatDirect, ""),
		dc("join:990:"+discordDora+":1763640000", discordDora, "dora", "881", community.ChatChannel, ""),
	}
}

func newErasure(t *testing.T) *erasure {
	t.Helper()
	s := newStore(t)
	ctx := context.Background()
	db := s.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Member ids no other number in the database comes near, so that the
	// search finds them wherever they are kept.
	exec(`SELECT setval(pg_get_serial_sequence('members', 'id'), 900000000)`)
	at := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	rec, err := s.RecordInbound(ctx, erasureInbounds(at))
	if err != nil {
		t.Fatal(err)
	}
	f := &erasure{s: s, kind: rec[0].Member, kindDM: rec[1].Chat, carol: rec[2].Member, bob: rec[3].Member,
		telegram: rec[4].Member, telegramDM: rec[7].Chat}
	if f.kind < 900000000 || f.telegram < 900000000 {
		t.Fatalf("member ids %d and %d: the sequence was not moved", f.kind, f.telegram)
	}
	exec(`INSERT INTO customers (id, email, telegram_id, telegram_username, member_id, linked_at, linked_via) VALUES
		('c-kind', 'kind@example.com', $1, 'kind', $2, now(), 'token'),
		('c-other', 'other@example.com', '', 'ember', NULL, NULL, '')`, kindUID, f.kind)
	for _, j := range []community.Join{
		{Platform: community.Telegram, Key: "j1", Group: "-1001", UserID: kindUID, Member: f.kind, Name: "Ember", At: at,
			Captcha: community.CaptchaPending, Deadline: at.Add(time.Hour)},
		{Platform: community.Discord, Key: "j2", Group: "990", UserID: telegramUID, Member: f.telegram, Name: "Telegram", At: at, Captcha: community.CaptchaNone},
		{Platform: community.Telegram, Key: "j3", Group: "-1001", UserID: carolUID, Member: f.carol, Name: "Carol", At: at, Captcha: community.CaptchaNone},
	} {
		if _, _, err := s.RecordJoin(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	standings := community.NewStandings(s, community.DefaultEngagementRules(), community.DefaultTierRules(), community.DefaultLoyaltyRules(),
		func() time.Time { return at.Add(time.Hour) })
	if _, err := standings.Recompute(ctx); err != nil {
		t.Fatal(err)
	}
	f.staffLog(t, at)
	f.messages(t)
	return f
}

// staffLog records what staff did: a warning to kind, two to carol (one
// naming kind and telegram in its reason, one given by kind), kind's
// report of carol, a note on carol naming kind, and carol's question.
func (f *erasure) staffLog(t *testing.T, at time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, a := range []community.Action{
		{Kind: community.ActionWarn, Member: f.kind, By: f.bob, Reason: "spam", At: at},
		{Kind: community.ActionWarn, Member: f.carol, By: f.bob, Reason: "rude to kind and @telegram; Ember saw it", At: at},
		{Kind: community.ActionWarn, Member: f.carol, By: f.kind, Reason: "flood", At: at},
	} {
		if err := f.s.LogAction(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	rep := community.Report{Reporter: f.kind, Reported: f.carol, Group: community.Group{Platform: community.Telegram, ID: "-1001"},
		ChatRef: "-1001", MessageID: "m3", Text: "carol's words", Reason: "rude", At: at}
	if err := f.s.FileReport(ctx, &rep, func(time.Time) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := f.s.AddNote(ctx, &community.Note{Member: f.carol, By: f.bob, Text: "argued with kind (Ember)", At: at}); err != nil {
		t.Fatal(err)
	}
	desk := support.NewDesk(f.s, func() time.Time { return at })
	if _, err := desk.Open(ctx, support.Question{Member: f.carol, Name: "Carol", Platform: community.Telegram, Text: "Oolong?"}); err != nil {
		t.Fatal(err)
	}
}

// messages queues and sends messages to and about the members: private
// words, the data exports, a welcome mentioning kind, and group posts
// that merely contain "member" or "kind" as words.
func (f *erasure) messages(t *testing.T) {
	t.Helper()
	f.kindExport = []byte(`{"member": "kind", "note": "kind's export 7c1e"}`)
	f.telegramExport = []byte(`{"member": "telegram", "note": "telegram's export 4b2d"}`)
	tgGroup := outbox.Target{Platform: community.Telegram, ChatID: "-1001"}
	if err := f.s.QueueMessages(context.Background(), []outbox.Outgoing{
		{Target: outbox.Target{Platform: community.Telegram, UserID: kindUID}, Message: outbox.Message{Text: "a private word"}},
		{Target: outbox.Target{Platform: community.Telegram, ChatID: kindUID}, Message: outbox.Message{Text: "Your data", File: &outbox.File{Name: "d.json", Data: f.kindExport}}},
		{Target: outbox.Target{Platform: community.Discord, ChatID: telegramDM, Handle: "i-77"}, Message: outbox.Message{Text: "Your data", File: &outbox.File{Name: "d.json", Data: f.telegramExport}}},
		{Target: tgGroup, Message: outbox.Message{Text: "Welcome, [Ember](user:" + kindUID + ")!"}},
		{Target: tgGroup, Message: outbox.Message{Text: "Every member is welcome; be kind."}},
		{Target: outbox.Target{Platform: community.Telegram, UserID: carolUID}, Message: outbox.Message{Text: "a word for carol"}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.DB().Exec(`UPDATE deliveries SET status = 'sent', sent_at = now()`); err != nil {
		t.Fatal(err)
	}
}

// needles are what names the erased members: ids, usernames, their
// private chats, their exports. Nothing here writes "@kind": that needle
// is there for what may be stored later.
func (f *erasure) needles() []storagetest.Needle {
	b64 := base64.StdEncoding.EncodeToString
	return []storagetest.Needle{
		{Label: "kind's Telegram id", Value: kindUID, Match: storagetest.Word},
		{Label: "kind's member id", Value: f.kind.String(), Match: storagetest.Word},
		{Label: "kind's username", Value: "kind", Match: storagetest.Exact},
		{Label: "kind's @username", Value: "@kind", Match: storagetest.Word},
		{Label: "kind's export", Value: b64(f.kindExport), Match: storagetest.Contains},
		{Label: "telegram's Discord id", Value: telegramUID, Match: storagetest.Word},
		{Label: "telegram's member id", Value: f.telegram.String(), Match: storagetest.Word},
		{Label: "telegram's username", Value: "telegram", Match: storagetest.Exact},
		{Label: "telegram's DM channel", Value: telegramDM, Match: storagetest.Word},
		{Label: "telegram's export", Value: b64(f.telegramExport), Match: storagetest.Contains},
	}
}

// naming searches the whole database for the erased members. A platform
// name where a platform is stored is not the username "telegram".
func naming(t *testing.T, s *storage.Store, needles []storagetest.Needle) []storagetest.Hit {
	t.Helper()
	var out []storagetest.Hit
	for _, h := range storagetest.Search(t, s.DB(), needles...) {
		if h.Column == "platform" || h.Key == "platform" {
			continue
		}
		out = append(out, h)
	}
	return out
}

// othersRecords is what the erasure must leave exactly as it was, by
// row: every audit entry neither by nor about an erased member, the
// shop's customers not linked to them, carol's staff notes, warnings,
// reports and messages, a group post, dora's update.
func (f *erasure) othersRecords(t *testing.T) map[string]string {
	t.Helper()
	var rows []struct {
		Key   string `db:"key"`
		Value string `db:"value"`
	}
	if err := f.s.DB().Select(&rows, `
SELECT 'audit ' || id AS key, format('%s %s %s', action, reason, details) AS value FROM audit_log
WHERE id NOT IN (SELECT id FROM audit_log WHERE target_member_id IN ($1, $2) OR actor_member_id IN ($1, $2))
UNION ALL SELECT 'customer ' || id, format('%s %s %s', email, telegram_username, member_id) FROM customers WHERE member_id IS DISTINCT FROM $1
UNION ALL SELECT 'note ' || id, text FROM moderation_notes WHERE member_id = $3
UNION ALL SELECT 'warning ' || id, reason FROM warnings WHERE member_id = $3
UNION ALL SELECT 'report ' || id, format('%s %s', message_text, reason) FROM reports WHERE reported_id = $3
UNION ALL SELECT 'delivery ' || id, message::text FROM deliveries WHERE target->>'user' = $4 OR message->>'text' LIKE 'Every member%'
UNION ALL SELECT 'update ' || update_key, update_key FROM inbound_updates WHERE update_key LIKE '%' || $5 || '%'
UNION ALL SELECT 'event ' || e.id, e.payload::text FROM outbox_events e JOIN onboarding_joins j ON e.id = j.welcome_event WHERE j.member_id = $3`,
		f.kind, f.telegram, f.carol, carolUID, discordDora); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	return out
}

// TestEraseMemberLeavesNothingThatNamesThem: after both erasures a search
// of every column of every table finds none of their ids, usernames,
// private chats or exports; what is anyone else's is exactly as it was,
// although carol's records mention the names and every audit entry and
// payload holds the words "kind", "telegram" and "member".
func TestEraseMemberLeavesNothingThatNamesThem(t *testing.T) {
	f := newErasure(t)
	ctx := context.Background()
	before := naming(t, f.s, f.needles())
	for _, n := range f.needles() {
		if !strings.HasPrefix(n.Value, "@") && !hasHit(before, n.Label) {
			t.Errorf("fixture: nothing holds %s before the erasure; the search would prove nothing", n.Label)
		}
	}
	others := f.othersRecords(t)
	if len(others) < 9 {
		t.Fatalf("fixture: only %d records of others: %v", len(others), others)
	}
	var joinEvents []int64
	if err := f.s.DB().Select(&joinEvents, `SELECT COALESCE(welcome_event, captcha_event) FROM onboarding_joins WHERE member_id IN ($1, $2)`, f.kind, f.telegram); err != nil || len(joinEvents) != 2 {
		t.Fatalf("fixture: the events of kind's and telegram's joins are %v (%v)", joinEvents, err)
	}
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	if err := f.s.EraseMember(ctx, community.Erasure{Member: f.kind, Chat: f.kindDM, At: at}, erasureRules(at)); err != nil {
		t.Fatal(err)
	}
	if err := f.s.EraseMember(ctx, community.Erasure{Member: f.telegram, Chat: f.telegramDM, At: at}, erasureRules(at)); err != nil {
		t.Fatal(err)
	}
	if left := naming(t, f.s, f.needles()); len(left) > 0 {
		t.Errorf("%d values still name an erased member:\n%s", len(left), joinHits(left))
	}
	if n := count(t, f.s, `SELECT count(*) FROM outbox_events WHERE id = ANY($1)`, pq.Array(joinEvents)); n != 0 {
		t.Errorf("%d welcome and captcha events of their joins are left", n)
	}
	after := f.othersRecords(t)
	for key, was := range others {
		if now, ok := after[key]; now != was {
			t.Errorf("%s changed (kept: %t):\n  was: %s\n  now: %s", key, ok, was, now)
		}
	}
	if n := count(t, f.s, `SELECT count(*) FROM activities WHERE member_id IS NULL AND message_id = ''`); n != 2 {
		t.Errorf("anonymous activities: %d, want kind's and telegram's messages", n)
	}
}

// TestEraseKeepsWhatTheErasedDidToOthers: a warning kind gave carol and
// kind's report of carol stay in the staff log with their reasons; kind
// is replaced there by community.ErasedMember.
func TestEraseKeepsWhatTheErasedDidToOthers(t *testing.T) {
	f := newErasure(t)
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	if err := f.s.EraseMember(context.Background(), community.Erasure{Member: f.kind, At: at}, erasureRules(at)); err != nil {
		t.Fatal(err)
	}
	actions, err := f.s.LoggedActions(context.Background(), f.carol, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range actions {
		got = append(got, fmt.Sprintf("%s by %d: %s", a.Kind, a.By, a.Reason))
	}
	want := []string{fmt.Sprintf("warn by %d: flood", community.ErasedMember), fmt.Sprintf("warn by %d: rude to kind and @telegram; Ember saw it", f.bob)}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("carol's staff log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var payload []byte
	if err := f.s.DB().Get(&payload, `SELECT payload FROM outbox_events WHERE kind = $1`, community.EventModerationReport); err != nil {
		t.Fatalf("kind's report of carol is gone: %v", err)
	}
	var rep community.Report
	if err := json.Unmarshal(payload, &rep); err != nil || rep.Reporter != community.ErasedMember || rep.Reported != f.carol {
		t.Errorf("report event after the erasure: %s (%v)", payload, err)
	}
}

func hasHit(hits []storagetest.Hit, label string) bool {
	for _, h := range hits {
		if h.Needle == label {
			return true
		}
	}
	return false
}

func joinHits(hits []storagetest.Hit) string {
	lines := make([]string, len(hits))
	for i, h := range hits {
		lines[i] = "  " + h.String()
	}
	return strings.Join(lines, "\n")
}
