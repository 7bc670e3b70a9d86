package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
)

var announceNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// announceFixture is a community to announce to: members on Telegram and
// Discord, some subscribed, in tiers; groups, a staff chat, a group
// Hearth left.
type announceFixture struct {
	t       *testing.T
	s       *storage.Store
	members map[string]community.MemberID
	seq     int
}

func newAnnounceFixture(t *testing.T) *announceFixture {
	return &announceFixture{t: t, s: newStore(t), members: map[string]community.MemberID{}}
}

// member records a member who wrote in chat (a Telegram private chat with
// the bot makes them reachable there) and sets whether they subscribed.
func (f *announceFixture) member(name string, p community.Platform, userID string, chat inbox.Chat, subscribed bool) community.MemberID {
	f.t.Helper()
	f.seq++
	rec, err := f.s.RecordInbound(context.Background(), []inbox.Inbound{{Platform: p, Key: fmt.Sprintf("u%d", f.seq), At: announceNow,
		From: inbox.User{ID: userID, Username: name, DisplayName: name}, Chat: chat, Done: true}})
	if err != nil {
		f.t.Fatal(err)
	}
	f.members[name] = rec[0].Member
	if err := f.s.SetAnnouncementsDM(context.Background(), rec[0].Member, subscribed); err != nil {
		f.t.Fatal(err)
	}
	return rec[0].Member
}

func (f *announceFixture) tiers(tiers map[string]community.Tier) {
	f.t.Helper()
	var list []community.MemberStanding
	for name, tier := range tiers {
		list = append(list, community.MemberStanding{Standing: community.Standing{Member: f.members[name], Tier: tier,
			ComputedAt: announceNow, Engagement: community.Engagement{Level: 4}}})
	}
	if err := f.s.SaveStandings(context.Background(), community.StandingsUpdate{At: announceNow, Standings: list}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *announceFixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.s.DB().Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// community makes the usual community: on Telegram, vera (VIP), lena
// (loyal) and rita (regular) subscribed with private chats; nina
// subscribed but never wrote privately; otto not subscribed. On
// Discord, dana (not scored) subscribed. Two Telegram groups, the staff
// group and one Hearth left; one Discord server.
func (f *announceFixture) community() {
	dm := func(id string) inbox.Chat { return inbox.Chat{ID: id, Kind: community.ChatDirect} }
	group := inbox.Chat{ID: "-100", Kind: community.ChatGroup, Title: "Tea"}
	f.member("vera", community.Telegram, "1", dm("1"), true)
	f.member("lena", community.Telegram, "2", dm("2"), true)
	f.member("rita", community.Telegram, "3", dm("3"), true)
	f.member("nina", community.Telegram, "4", group, true)
	f.member("otto", community.Telegram, "5", dm("5"), false)
	f.member("dana", community.Discord, "900", inbox.Chat{ID: "g1", Kind: community.ChatGroup, Title: "Tea server"}, true)
	f.tiers(map[string]community.Tier{"vera": community.TierVIP, "lena": community.TierLoyal, "rita": community.TierRegular,
		"nina": community.TierVIP, "otto": community.TierVIP})
	for _, c := range []string{"-200", "-300", "-400"} {
		f.member("poster"+c, community.Telegram, "7"+c[1:], inbox.Chat{ID: c, Kind: community.ChatGroup, Title: "Group " + c}, false)
	}
	f.exec(`UPDATE chats SET is_staff = true WHERE platform_chat_id = '-300'`)
	if err := f.s.SetChatPresent(context.Background(), community.Telegram, inbox.Chat{ID: "-400"}, false); err != nil {
		f.t.Fatal(err)
	}
}

// hearthOpens: on Discord, as its adapter says, Hearth opens private
// chats itself.
var hearthOpens = []community.Platform{community.Discord}

func everyoneAudience(cap int, platforms ...community.Platform) community.Audience {
	return community.Audience{Tiers: community.TiersFrom(nil), AllGroups: true, Platforms: platforms, HearthOpens: hearthOpens,
		Cap: cap, Window: community.AnnouncementCapWindow}
}

// send drafts an announcement and sends it to aud at at.
func (f *announceFixture) send(aud community.Audience, at time.Time) (community.AnnouncementID, community.Reach) {
	f.t.Helper()
	a := community.Announcement{Author: f.members["vera"], Text: "news at " + at.Format(time.RFC3339), CreatedAt: at}
	if err := f.s.CreateAnnouncement(context.Background(), &a); err != nil {
		f.t.Fatal(err)
	}
	reach, err := f.s.SendAnnouncement(context.Background(), community.AnnouncementSend{ID: a.ID, By: f.members["vera"], At: at, Audience: aud})
	if err != nil {
		f.t.Fatal(err)
	}
	expandAll(f.t, f.s, community.AnnouncementDMBatch)
	return a.ID, reach
}

// expandAll runs the pending steps of announcements' expansions, as the
// dispatcher renders them, until none is left; each step considers at
// most limit members.
func expandAll(t *testing.T, s *storage.Store, limit int) {
	t.Helper()
	for {
		var steps []struct {
			ID      int64           `db:"id"`
			Payload json.RawMessage `db:"payload"`
		}
		if err := s.DB().Select(&steps, `SELECT id, payload FROM outbox_events WHERE kind = $1 AND status = 'pending' ORDER BY id`,
			community.EventAnnouncementExpand); err != nil {
			t.Fatal(err)
		}
		if len(steps) == 0 {
			return
		}
		for _, step := range steps {
			var x community.AnnouncementExpansion
			if err := json.Unmarshal(step.Payload, &x); err != nil {
				t.Fatal(err)
			}
			if err := s.ExpandAnnouncement(context.Background(), x, limit); err != nil {
				t.Error(err)
				return
			}
			if _, err := s.DB().Exec(`UPDATE outbox_events SET status = 'rendered' WHERE id = $1`, step.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestAnnouncementReachCountsWhoCanBeReached: the reach counts the
// community groups on the platforms given (not the staff chat, not a
// group Hearth left) and the subscribed members per tier whom Hearth may
// write to; a tier audience counts that tier and above only.
func TestAnnouncementReachCountsWhoCanBeReached(t *testing.T) {
	f := newAnnounceFixture(t)
	f.community()
	ctx := context.Background()
	reach, err := f.s.AnnouncementReach(ctx, everyoneAudience(2, community.Telegram, community.Discord), announceNow)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(reach.Groups), "map[discord:1 telegram:2]"; got != want {
		t.Errorf("groups = %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(reach.Members), "map[newcomer:1 regular:1 loyal:1 vip:1]"; got != want {
		t.Errorf("members = %s, want %s (nina cannot be written to, otto did not subscribe)", got, want)
	}
	vip := community.TierLoyal
	aud := community.Audience{Tiers: community.TiersFrom(&vip), Platforms: []community.Platform{community.Telegram}, HearthOpens: hearthOpens, Cap: 2,
		Window: community.AnnouncementCapWindow, Chats: []community.PlatformChat{{Platform: community.Telegram, ChatID: "-300"}}}
	reach, err = f.s.AnnouncementReach(ctx, aud, announceNow)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(reach.Members, reach.Groups), "map[loyal:1 vip:1] map[telegram:1]"; got != want {
		t.Errorf("loyal and above on Telegram: %s, want %s", got, want)
	}
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients`); n != 0 {
		t.Errorf("counting the reach recorded %d recipients", n)
	}
}

// TestSendAnnouncementHonoursTheWeeklyCap: a member who received two
// announcements in the last seven days is skipped by the third, and gets
// the fourth once the first is more than seven days old. Each send
// records its posts, recipients, reach and audit entry, and queues the
// events.
func TestSendAnnouncementHonoursTheWeeklyCap(t *testing.T) {
	f := newAnnounceFixture(t)
	f.community()
	aud := everyoneAudience(2, community.Telegram, community.Discord)
	first, _ := f.send(aud, announceNow.Add(-6*24*time.Hour))
	f.send(aud, announceNow.Add(-24*time.Hour))
	third, reach := f.send(aud, announceNow)
	if reach.MemberCount() != 0 || reach.Capped != 4 || reach.GroupCount() != 3 {
		t.Errorf("third announcement: %d members, %d capped, %d groups; want 0, 4, 3", reach.MemberCount(), reach.Capped, reach.GroupCount())
	}
	_, reach = f.send(aud, announceNow.Add(24*time.Hour+time.Minute))
	if reach.MemberCount() != 4 || reach.Capped != 0 {
		t.Errorf("a week after the first: %d members, %d capped; want 4, 0", reach.MemberCount(), reach.Capped)
	}
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients WHERE member_id = $1`, f.members["vera"]); n != 3 {
		t.Errorf("vera received %d announcements, want 3", n)
	}
	stored, err := f.s.Announcement(context.Background(), third)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != community.AnnouncementSent || stored.Reach.Capped != 4 || !stored.SentAt.Equal(announceNow) || stored.AuthorName != "vera" {
		t.Errorf("stored third announcement = %+v", stored)
	}
	if n := count(t, f.s, `SELECT count(*) FROM announcement_posts WHERE announcement_id = $1`, first); n != 3 {
		t.Errorf("first announcement posted in %d chats, want 3", n)
	}
	if n := count(t, f.s, `SELECT count(*) FROM outbox_events WHERE kind = $1`, community.EventAnnouncementPosts); n != 4 {
		t.Errorf("%d post events, want one per announcement", n)
	}
	if n := count(t, f.s, `SELECT count(*) FROM outbox_events WHERE kind = $1`, community.EventAnnouncementDMs); n != 3 {
		t.Errorf("%d private-message events, want one per announcement with recipients (3)", n)
	}
	if n := count(t, f.s, `SELECT count(*) FROM audit_log WHERE action = 'announce.send'`); n != 4 {
		t.Errorf("%d audit entries, want 4", n)
	}
	chats, err := f.s.AnnouncementPostChats(context.Background(), first)
	if err != nil || len(chats) != 3 {
		t.Errorf("post chats = %+v, %v", chats, err)
	}
}

// TestConcurrentSendsShareTheCap: announcements sent at once, and
// expanded at once by two replicas, never give a member more than the
// cap.
func TestConcurrentSendsShareTheCap(t *testing.T) {
	f := newAnnounceFixture(t)
	f.community()
	aud := everyoneAudience(1, community.Telegram, community.Discord)
	ids := make([]community.AnnouncementID, 4)
	for i := range ids {
		a := community.Announcement{Text: fmt.Sprintf("news %d", i), CreatedAt: announceNow}
		if err := f.s.CreateAnnouncement(context.Background(), &a); err != nil {
			t.Fatal(err)
		}
		ids[i] = a.ID
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if _, err := f.s.SendAnnouncement(context.Background(), community.AnnouncementSend{ID: id, At: announceNow, Audience: aud}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for range 2 {
		wg.Go(func() { expandAll(t, f.s, 1) })
	}
	wg.Wait()
	if n := count(t, f.s, `SELECT max(n) FROM (SELECT count(*) AS n FROM announcement_recipients GROUP BY member_id) c`); n != 1 {
		t.Errorf("a member received %d of four concurrent announcements, want 1 (the cap)", n)
	}
}

// TestSendAnnouncementOnlyOnce: a draft is sent or cancelled once; the
// second attempt is a conflict naming the announcement, and a missing one
// is not found.
func TestSendAnnouncementOnlyOnce(t *testing.T) {
	f := newAnnounceFixture(t)
	f.community()
	ctx := context.Background()
	id, _ := f.send(everyoneAudience(2, community.Telegram), announceNow)
	_, err := f.s.SendAnnouncement(ctx, community.AnnouncementSend{ID: id, At: announceNow, Audience: everyoneAudience(2, community.Telegram)})
	if !errors.Is(err, community.ErrConflict) {
		t.Errorf("second send: %v, want a conflict", err)
	}
	if err := f.s.CancelAnnouncement(ctx, id, 0, announceNow); community.ErrorCode(err) != community.EConflict {
		t.Errorf("cancel after send: %v, want a conflict", err)
	}
	draft := community.Announcement{Text: "maybe", CreatedAt: announceNow}
	if err := f.s.CreateAnnouncement(ctx, &draft); err != nil {
		t.Fatal(err)
	}
	if err := f.s.CancelAnnouncement(ctx, draft.ID, f.members["vera"], announceNow); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.SendAnnouncement(ctx, community.AnnouncementSend{ID: draft.ID, At: announceNow, Audience: everyoneAudience(2, community.Telegram)})
	if !errors.Is(err, community.ErrConflict) {
		t.Errorf("send after cancel: %v, want a conflict", err)
	}
	if _, err := f.s.Announcement(ctx, 999); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("missing announcement: %v", err)
	}
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients WHERE announcement_id = $1`, draft.ID); n != 0 {
		t.Errorf("the cancelled draft has %d recipients", n)
	}
	list, err := f.s.RecentAnnouncements(ctx, 10)
	if err != nil || len(list) != 1 || list[0].ID != id {
		t.Errorf("recent = %+v, %v; want only the sent one", list, err)
	}
}

// TestRecipientsAreBatchedByMember: private messages are queued in events
// of at most 500 recipients whose ranges cover every recipient once; the
// recipients come back with the identities Hearth may write to, and a
// member who unsubscribed since is left out.
func TestRecipientsAreBatchedByMember(t *testing.T) {
	f := newAnnounceFixture(t)
	f.community()
	f.exec(`WITH m AS (INSERT INTO members (display_name, announcements_dm) SELECT 'bulk' || g, true FROM generate_series(1, 600) g RETURNING id)
		INSERT INTO identities (platform, platform_user_id, member_id) SELECT 'discord', 'd' || id, id FROM m`)
	id, reach := f.send(everyoneAudience(2, community.Discord), announceNow)
	if reach.MemberCount() != 601 {
		t.Fatalf("%d members reached, want 601", reach.MemberCount())
	}
	var payloads []json.RawMessage
	if err := f.s.DB().Select(&payloads, `SELECT payload FROM outbox_events WHERE kind = $1 ORDER BY id`, community.EventAnnouncementDMs); err != nil {
		t.Fatal(err)
	}
	if len(payloads) != 2 {
		t.Fatalf("%d batches, want 2", len(payloads))
	}
	total := 0
	for _, raw := range payloads {
		var b community.AnnouncementDMs
		if err := json.Unmarshal(raw, &b); err != nil || b.Announcement != id {
			t.Fatalf("batch %s: %v", raw, err)
		}
		got, err := f.s.AnnouncementRecipients(context.Background(), id, b.From, b.To)
		if err != nil {
			t.Fatal(err)
		}
		total += len(got)
	}
	if total != 601 {
		t.Errorf("batches hold %d recipients, want 601", total)
	}
	if err := f.s.SetAnnouncementsDM(context.Background(), f.members["dana"], false); err != nil {
		t.Fatal(err)
	}
	got, err := f.s.AnnouncementRecipients(context.Background(), id, f.members["dana"], f.members["dana"])
	if err != nil || len(got) != 0 {
		t.Errorf("dana unsubscribed, yet recipients = %+v, %v", got, err)
	}
}

// TestHeldAnnouncementIsDueWhenQuietHoursEnd: recipients of a held
// announcement are due when the hold ends, and count against the cap
// from then; a delivery queued with NotBefore is not claimed before it,
// and does not hold back the member's other messages meanwhile.
func TestHeldAnnouncementIsDueWhenQuietHoursEnd(t *testing.T) {
	f := newAnnounceFixture(t)
	f.community()
	ctx := context.Background()
	aud := everyoneAudience(2, community.Telegram)
	aud.HoldUntil = announceNow.Add(9 * time.Hour)
	_, reach := f.send(aud, announceNow)
	if !reach.HeldUntil.Equal(aud.HoldUntil) || reach.Held() != 3 {
		t.Errorf("reach held until %s for %d; want %s for 3", reach.HeldUntil, reach.Held(), aud.HoldUntil)
	}
	if n := count(t, f.s, `SELECT count(*) FROM announcement_recipients WHERE due_at = $1`, aud.HoldUntil); n != 3 {
		t.Errorf("%d recipients due when the hold ends, want 3", n)
	}
	later := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	err := f.s.QueueMessages(ctx, []outbox.Outgoing{
		{Target: outbox.Target{Platform: community.Telegram, UserID: "1"}, Message: outbox.Message{Text: "later"}, NotBefore: later},
		{Target: outbox.Target{Platform: community.Telegram, UserID: "1"}, Message: outbox.Message{Text: "now"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var due time.Time
	if err := f.s.DB().Get(&due, `SELECT next_attempt_at FROM deliveries WHERE message->>'text' = 'later'`); err != nil || !due.Equal(later) {
		t.Errorf("held delivery due %s (%v), want %s", due, err, later)
	}
	claimed, err := f.s.ClaimDeliveries(ctx, []community.Platform{community.Telegram}, 10, 5, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].Message.Text != "now" {
		t.Errorf("claimed %+v, %v; want the message to the same member that is not held", claimed, err)
	}
}
