package storage_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// newStore returns a store on a fresh database where every chat is born
// connected to the community, as a group an owner connected would be:
// tests of anything but the connection itself need not connect each group.
func newStore(t *testing.T) *storage.Store {
	t.Helper()
	s := newBareStore(t)
	storagetest.EveryGroupConnected(t, s.DB())
	return s
}

// newBareStore returns a store on a fresh database, where groups join the
// community only when connected.
func newBareStore(t *testing.T) *storage.Store {
	t.Helper()
	return storage.New(storagetest.New(t))
}

// recordMembers records updates and returns the member behind each, in
// order.
func recordMembers(t *testing.T, s *storage.Store, updates ...inbox.Inbound) []community.MemberID {
	t.Helper()
	rec, err := s.RecordInbound(context.Background(), updates)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]community.MemberID, len(rec))
	for i, r := range rec {
		out[i] = r.Member
	}
	return out
}

func message(key, user, chat string) inbox.Inbound {
	return inbox.Inbound{
		Platform: community.Telegram, Key: key, At: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC),
		From:     inbox.User{ID: user, Username: "user" + user, DisplayName: "User " + user, Language: "ru"},
		Chat:     inbox.Chat{ID: chat, Kind: community.ChatGroup, Title: "Group " + chat},
		Activity: community.ActivityMessage, Done: true,
	}
}

func count(t *testing.T, s *storage.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestRecordInboundCreatesMembersOnceAndDeduplicates records a batch where
// one user speaks twice, then the same batch again: members, identities,
// chats and activities are created once, and the second time every update
// is reported as handled.
func TestRecordInboundCreatesMembersOnceAndDeduplicates(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	batch := []inbox.Inbound{message("1", "100", "-5"), message("2", "100", "-5"), message("3", "200", "-5")}
	got, err := s.RecordInbound(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Member == 0 || got[0].Member != got[1].Member || got[2].Member == got[0].Member {
		t.Fatalf("members = %d, %d, %d; want the first two equal and the third different", got[0].Member, got[1].Member, got[2].Member)
	}
	if got[0].Chat == 0 || got[0].Chat != got[2].Chat {
		t.Fatalf("chats = %d, %d; want one recorded chat", got[0].Chat, got[2].Chat)
	}
	for i, r := range got {
		if r.Seen != inbox.SeenNew {
			t.Errorf("update %d: seen = %v, want new", i, r.Seen)
		}
	}
	again, err := s.RecordInbound(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if r.Seen != inbox.SeenHandled {
			t.Errorf("redelivered update %d: seen = %v, want handled", i, r.Seen)
		}
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM members`:    2,
		`SELECT count(*) FROM identities`: 2,
		`SELECT count(*) FROM chats`:      1,
		`SELECT count(*) FROM activities`: 3,
		`SELECT count(*) FROM identities WHERE username = 'user100' AND display_name = 'User 100' AND language = 'ru'`: 1,
	} {
		if n := count(t, s, query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
}

// TestRecordInboundConcurrentFirstSight records the same new user from
// many transactions at once: exactly one member comes out of it.
func TestRecordInboundConcurrentFirstSight(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	members := make([]community.MemberID, 8)
	errs := make([]error, 8)
	for i := range members {
		wg.Go(func() {
			got, err := s.RecordInbound(ctx, []inbox.Inbound{message(string(rune('a'+i)), "777", "-9")})
			errs[i] = err
			if err == nil {
				members[i] = got[0].Member
			}
		})
	}
	wg.Wait()
	for i := range members {
		if errs[i] != nil {
			t.Fatalf("transaction %d: %v", i, errs[i])
		}
		if members[i] != members[0] {
			t.Fatalf("members = %v, want one member for one user", members)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM members`); n != 1 {
		t.Fatalf("members = %d, want 1", n)
	}
}

// TestUnfinishedUpdateIsHandledOnce: an update recorded but never finished
// (Hearth stopped in between) is handed out again, and FinishUpdate queues
// its reply only once, for the claim that holds it.
func TestUnfinishedUpdateIsHandledOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	in := message("42", "100", "-5")
	in.Done, in.Queue, in.Payload = false, "telegram:chat:-5", []byte(`{"ID": "42"}`)
	if got, err := s.RecordInbound(ctx, []inbox.Inbound{in}); err != nil || got[0].Seen != inbox.SeenNew {
		t.Fatalf("first record = %+v, %v", got, err)
	}
	got, err := s.RecordInbound(ctx, []inbox.Inbound{in})
	if err != nil || got[0].Seen != inbox.SeenUnfinished {
		t.Fatalf("record after a crash = %+v, %v; want unfinished", got, err)
	}
	claimed, err := s.ClaimInbound(ctx, 10, 0, nil) // a lease over at once: its handler "died"
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim = %+v, %v", claimed, err)
	}
	again, err := s.ClaimInbound(ctx, 10, time.Minute, nil)
	if err != nil || len(again) != 1 {
		t.Fatalf("claim after the lease ended = %+v, %v", again, err)
	}
	reply := []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, ChatID: "-5"}, Message: outbox.Message{Text: "hi"}}}
	for i, c := range []struct {
		claim inbox.Claim
		want  bool
	}{{claimed[0].Claim, false}, {again[0].Claim, true}, {again[0].Claim, false}} {
		finished, err := s.FinishUpdate(ctx, c.claim, community.Telegram, "42", reply)
		if err != nil || finished != c.want {
			t.Fatalf("finish %d = %t, %v; want %t (the lost claim may not finish, the other once)", i, finished, err, c.want)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM deliveries`); n != 1 {
		t.Fatalf("deliveries = %d, want 1", n)
	}
	if n := count(t, s, `SELECT count(*) FROM activities`); n != 1 {
		t.Fatalf("activities = %d, want 1 (recorded on first sight only)", n)
	}
}

// TestFindMemberByIDAndUsername finds members by user id and by username
// regardless of case, and says clearly who is unknown.
func TestFindMemberByIDAndUsername(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	got, err := s.RecordInbound(ctx, []inbox.Inbound{message("1", "100", "-5")})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"100", "@User100", "user100"} {
		m, err := s.FindMember(ctx, community.Telegram, community.ParseMemberRef(ref))
		if err != nil || m.ID != got[0].Member || len(m.Identities) != 1 || m.DisplayName != "User 100" {
			t.Errorf("FindMember(%q) = %+v, %v", ref, m, err)
		}
	}
	_, err = s.FindMember(ctx, community.Telegram, community.ParseMemberRef("@nobody"))
	if community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("unknown member: err = %v, want not found", err)
	}
	if _, err := s.FindMember(ctx, community.Discord, community.ParseMemberRef("100")); community.ErrorCode(err) != community.ENotFound {
		t.Fatalf("same id on another platform: err = %v, want not found", err)
	}
}

// TestReactionsCreditTheAuthor: a reaction counts as given for the one
// who reacts and as received for the reacted message's author, once per
// reaction; reacting to your own message or to a message never seen
// credits nobody.
func TestReactionsCreditTheAuthor(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	post := message("1", "100", "-5")
	post.MessageID = "m1"
	if _, err := s.RecordInbound(ctx, []inbox.Inbound{post}); err != nil {
		t.Fatal(err)
	}
	react := func(key, user, on string) inbox.Inbound {
		in := message(key, user, "-5")
		in.Activity, in.ReactedTo = community.ActivityReaction, on
		return in
	}
	batch := []inbox.Inbound{react("2", "200", "m1"), react("3", "300", "m1"), react("4", "100", "m1"), react("5", "200", "unknown")}
	for range 2 { // the second time, every update is a duplicate
		if _, err := s.RecordInbound(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM activities a JOIN identities i ON i.member_id = a.member_id
		WHERE a.kind = 'reaction_received' AND i.platform_user_id = '100'`); n != 2 {
		t.Errorf("reactions received by the author: %d, want 2 (not her own, not the unknown message's)", n)
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE kind = 'reaction_received'`); n != 2 {
		t.Errorf("reactions received in all: %d, want 2", n)
	}
	if n := count(t, s, `SELECT count(*) FROM activities WHERE kind = 'reaction'`); n != 4 {
		t.Errorf("reactions given: %d, want 4", n)
	}
}
