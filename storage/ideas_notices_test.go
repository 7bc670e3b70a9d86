package storage_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage/storagetest"
)

func ideasMessaging() map[community.Platform]community.MessagingCapabilities {
	return map[community.Platform]community.MessagingCapabilities{community.Telegram: {}, community.Discord: {OpensPrivateChats: true}}
}

// TestNoticesQueuedOnceAndCoalesced: two changes to an item reach its
// author and voters in one event each, once; a Telegram member with no
// private chat open is marked unreachable and counted, a Discord member
// is reachable (Hearth opens private chats there).
func TestNoticesQueuedOnceAndCoalesced(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	author := f.member("author", community.Telegram, true)
	silent := f.member("silent", community.Telegram, false)
	dora := f.member("dora", community.Discord, false)
	it := f.post(author, feedback.KindIdea, "Tea tasting evenings", "en")
	f.vote(it.ID, silent, dora)
	f.move(it.ID, feedback.StatusPlanned, "Spring")
	f.now = ideasNow.Add(time.Minute)
	f.move(it.ID, feedback.StatusInProgress, "Booking the room")

	pending, err := f.s.PendingNotices(ctx)
	if err != nil || len(pending) != 3 || !pending[0].First.Equal(ideasNow) || !pending[0].LastSent.IsZero() {
		t.Fatalf("pending %+v, %v", pending, err)
	}
	queueAt := ideasNow.Add(11 * time.Minute)
	n := feedback.NewNotifier(f.s, feedback.DefaultNoticeRules(), ideasMessaging, func() time.Time { return queueAt })
	if got, err := n.QueueDue(ctx); err != nil || got != 3 {
		t.Fatalf("QueueDue = %d, %v; want 3", got, err)
	}
	var event int64
	if err := f.s.DB().Get(&event, `SELECT id FROM outbox_events WHERE kind = 'feedback.notices'`); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(DISTINCT event_id) FROM feedback_notices WHERE queued_at = $1`, queueAt); n != 1 {
		t.Errorf("%d events; want one", n)
	}
	if n := f.count(`SELECT count(*) FROM feedback_notices WHERE unreachable AND member_id = $1`, silent); n != 2 ||
		f.count(`SELECT count(*) FROM feedback_notices WHERE unreachable`) != 2 {
		t.Errorf("silent's notices are not the only ones unreachable")
	}
	first, second := author, dora
	if dora < author {
		first, second = dora, author
	}
	f.checkNotices(event, it.ID, []string{first.String() + ":planned:Spring", first.String() + ":in_progress:Booking the room",
		second.String() + ":planned:Spring", second.String() + ":in_progress:Booking the room"})
	if got, err := n.QueueDue(ctx); err != nil || got != 0 {
		t.Errorf("queued again: %d, %v", got, err)
	}
	f.now = ideasNow.Add(time.Hour)
	f.move(it.ID, feedback.StatusDone, "")
	pending, _ = f.s.PendingNotices(ctx)
	if len(pending) != 3 || !pending[0].LastSent.Equal(queueAt) {
		t.Errorf("pending after a message: %+v", pending)
	}
	unreachable, err := f.s.QueueNotices(ctx, []community.MemberID{author, silent, dora}, f.now, []community.Platform{community.Discord},
		community.NewEvent(feedback.EventNotices, feedback.Notices{Members: []community.MemberID{author, silent, dora}}, f.now))
	if err != nil || unreachable != 1 {
		t.Errorf("QueueNotices = %d, %v; want 1 unreachable", unreachable, err)
	}
}

// checkNotices checks the notices an event tells, as "member:to:comment"
// in order, all of item id.
func (f *ideasFixture) checkNotices(event int64, id feedback.ItemID, want []string) {
	f.t.Helper()
	notices, err := f.s.NoticesOf(context.Background(), event)
	if err != nil {
		f.t.Fatal(err)
	}
	var got []string
	title := f.item(id).Text.Title
	for _, no := range notices {
		got = append(got, no.Member.String()+":"+string(no.To)+":"+no.Comment)
		if no.Item != id || no.Title != title || no.At.IsZero() {
			f.t.Errorf("notice %+v", no)
		}
	}
	if !slices.Equal(got, want) {
		f.t.Errorf("notices %v; want %v", got, want)
	}
}

// TestIdeasPlaces: an owner's choice replaces the platform's place and
// is audited; a place in a chat disconnected or Hearth left is not listed.
func TestIdeasPlaces(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	owner := f.member("owner", community.Telegram, false)
	f.member("poster", community.Telegram, false) // in -100 too
	var group community.ChatID
	if err := f.s.DB().Get(&group, `SELECT id FROM chats WHERE platform_chat_id = '-100'`); err != nil {
		t.Fatal(err)
	}
	tg := community.Chat{ID: group, Platform: community.Telegram}
	for _, thread := range []string{"", "42"} {
		if err := f.s.SetIdeasPlace(ctx, feedback.Place{Chat: tg, Thread: thread}, owner, ideasNow); err != nil {
			t.Fatal(err)
		}
	}
	places, err := f.s.IdeasPlaces(ctx)
	if err != nil || len(places) != 1 || places[0].Chat.ID != group || places[0].Chat.Platform != community.Telegram || places[0].Thread != "42" {
		t.Errorf("places %+v, %v", places, err)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'feedback.place' AND actor_member_id = $1 AND chat_id = $2`, owner, group); n != 2 {
		t.Errorf("%d audit entries", n)
	}
	f.exec(`UPDATE chats SET connected_at = NULL, connected_via = '' WHERE id = $1`, group) // an owner disconnects it
	if places, err := f.s.IdeasPlaces(ctx); err != nil || len(places) != 0 {
		t.Errorf("places after the group was disconnected: %+v, %v", places, err)
	}
	f.exec(`UPDATE chats SET connected_at = now(), connected_via = 'owner' WHERE id = $1`, group)
	if err := f.s.SetChatPresent(ctx, community.Telegram, inbox.Chat{ID: "-100"}, false); err != nil {
		t.Fatal(err)
	}
	if places, err := f.s.IdeasPlaces(ctx); err != nil || len(places) != 0 {
		t.Errorf("places after Hearth left: %+v, %v", places, err)
	}
}

// TestItemPostsOutliveThePrune: an item's posts are the messages of its
// post event, dead ones left out; pruning the outbox keeps them (their
// counts are edited in place) and prunes other sent messages.
func TestItemPostsOutliveThePrune(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	it := f.post(f.member("ann", community.Telegram, true), feedback.KindIdea, "Ceramic teapots", "en")
	old := time.Now().AddDate(0, -6, 0)
	f.exec(`UPDATE outbox_events SET status = 'rendered', rendered_at = $1`, old)
	f.exec(`INSERT INTO deliveries (event_id, platform, target_key, target, message, status, sent_at, sent_ids)
		SELECT post_event, 'telegram', 'k1', '{"chat": "-100", "thread": "7"}', '{}', 'sent', $2, '{m1}' FROM feedback_items WHERE id = $1`, it.ID, old)
	f.exec(`INSERT INTO deliveries (event_id, platform, target_key, target, message, status)
		SELECT post_event, 'discord', 'k2', '{"chat": "c1"}', '{}', 'pending' FROM feedback_items WHERE id = $1`, it.ID)
	f.exec(`INSERT INTO deliveries (event_id, platform, target_key, target, message, status)
		SELECT post_event, 'console', 'k3', '{"chat": "x"}', '{}', 'dead' FROM feedback_items WHERE id = $1`, it.ID)
	f.exec(`INSERT INTO deliveries (platform, target_key, target, message, status, sent_at) VALUES ('telegram', 'k4', '{"chat": "-100"}', '{}', 'sent', $1)`, old)
	want := []feedback.Post{{Platform: community.Telegram, ChatID: "-100", ThreadID: "7", MessageID: "m1", Sent: true},
		{Platform: community.Discord, ChatID: "c1"}}
	if posts, err := f.s.ItemPosts(ctx, it.ID); err != nil || !slices.Equal(posts, want) {
		t.Errorf("posts %+v, %v; want %+v", posts, err, want)
	}
	deliveries, _, err := f.s.PruneOutbox(ctx, time.Now().AddDate(0, -1, 0))
	if err != nil || deliveries != 1 {
		t.Errorf("pruned %d messages, %v; want the one that is no post", deliveries, err)
	}
	if posts, err := f.s.ItemPosts(ctx, it.ID); err != nil || !slices.Equal(posts, want) {
		t.Errorf("posts after the prune %+v, %v", posts, err)
	}
}

// TestForgetMeKeepsItemsAndVotes: the export holds a member's items and
// votes; once erased, their items stay as a former member's and their
// votes count, anonymous, and no notices event names them.
func TestForgetMeKeepsItemsAndVotes(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	f.exec(`SELECT setval(pg_get_serial_sequence('members', 'id'), 900000000)`)
	gone, other := f.member("Gwendolyn", community.Telegram, true), f.member("other", community.Telegram, true)
	mine := f.post(gone, feedback.KindIdea, "Herbal blends for kids", "en")
	// Its post went out naming its author; an edit of it waits.
	f.exec(`INSERT INTO deliveries (event_id, platform, target_key, target, message, status, sent_ids)
SELECT post_event, 'telegram', 'telegram:-100', '{"chat": "-100"}', '{"text": "idea by Gwendolyn · open"}', 'sent', '{"77"}'
FROM feedback_items WHERE id = $1`, mine.ID)
	f.exec(`WITH e AS (INSERT INTO outbox_events (kind, payload, created_at, status, rendered_at)
    VALUES ('feedback.refresh', jsonb_build_object('item', $1::bigint), now(), 'rendered', now()) RETURNING id)
INSERT INTO deliveries (event_id, platform, target_key, target, message) SELECT id, 'telegram', 'telegram:-100', '{"chat": "-100"}', '{"text": "idea by Gwendolyn · open"}' FROM e`, mine.ID)
	theirs := f.post(other, feedback.KindIdea, "Iced tea in summer", "en")
	f.vote(theirs.ID, gone, other)
	f.vote(mine.ID, other)
	f.move(theirs.ID, feedback.StatusPlanned, "")
	n := feedback.NewNotifier(f.s, feedback.NoticeRules{}, ideasMessaging, func() time.Time { return f.now })
	if got, err := n.QueueDue(ctx); err != nil || got != 2 {
		t.Fatalf("queued %d, %v", got, err)
	}
	data, err := f.s.ExportMember(ctx, gone)
	if err != nil {
		t.Fatal(err)
	}
	var item struct{ ID int64 }
	if len(data["feedback_items"]) != 1 || json.Unmarshal(data["feedback_items"][0], &item) != nil || item.ID != int64(mine.ID) {
		t.Errorf("exported items %s", data["feedback_items"])
	}
	var vote struct {
		ItemID int64 `json:"item_id"`
	}
	if len(data["feedback_votes"]) != 1 || json.Unmarshal(data["feedback_votes"][0], &vote) != nil || vote.ItemID != int64(theirs.ID) {
		t.Errorf("exported votes %s", data["feedback_votes"])
	}
	if err := f.s.EraseMember(ctx, community.Erasure{Member: gone, At: f.now}, erasureRules(f.now)); err != nil {
		t.Fatal(err)
	}
	if got := f.item(mine.ID); got.Author != 0 || got.AuthorName != "" || got.Votes != 1 || got.Text.Title != "Herbal blends for kids" {
		t.Errorf("their item after /forgetme: %+v", got)
	}
	if got := f.item(theirs.ID).Votes; got != 2 || f.count(`SELECT count(*) FROM feedback_votes WHERE item_id = $1 AND member_id IS NULL`, theirs.ID) != 1 {
		t.Errorf("their vote after /forgetme: %d votes", got)
	}
	if listed, err := f.s.Items(ctx, feedback.Query{View: feedback.ViewNew, Limit: 10}); err != nil || !slices.Contains(ids(listed), mine.ID) {
		t.Errorf("their item is off the board: %v, %v", ids(listed), err)
	}
	if n := f.count(`SELECT count(*) FROM outbox_events e WHERE e.kind = 'feedback.refresh' AND (e.payload->>'item')::bigint = $1
	    AND e.status = 'pending'`, mine.ID); n != 1 {
		t.Errorf("%d edits of their item's post to come, want 1", n)
	}
	if hits := naming(t, f.s, []storagetest.Needle{{Label: "their member id", Value: gone.String(), Match: storagetest.Word},
		{Label: "their name", Value: "Gwendolyn", Match: storagetest.Word}}); len(hits) != 0 {
		t.Errorf("still named: %s", joinHits(hits))
	}
}
