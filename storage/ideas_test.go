package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/lib/pq"
)

func errKey(err error) string {
	if e, ok := errors.AsType[*community.Error](err); ok {
		return e.Key
	}
	return ""
}

// TestPostItem: posting a draft creates the item, records the author's
// activity (idea or feedback), deletes the draft and writes the post
// event the item points to; the same draft posts once.
func TestPostItem(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	ann := f.member("ann", community.Telegram, true)
	d, err := f.board.Write(ctx, ann, feedback.KindIdea, "Add a dark mode to the app\nMy eyes hurt at night.", "en", community.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	it, err := f.board.Post(ctx, d.ID, ann)
	if err != nil {
		t.Fatal(err)
	}
	want := feedback.Item{ID: it.ID, Author: ann, AuthorName: "ann", Kind: feedback.KindIdea, Text: feedback.Text{Title: "Add a dark mode to the app",
		Body: "My eyes hurt at night."}, Lang: "en", Platform: community.Telegram, Status: feedback.StatusOpen, CreatedAt: ideasNow, ChangedAt: ideasNow}
	if !it.CreatedAt.Equal(ideasNow) || it.ID == 0 {
		t.Fatalf("posted %+v", it)
	}
	it.CreatedAt, it.ChangedAt = ideasNow, ideasNow
	if it != want {
		t.Errorf("posted %+v; want %+v", it, want)
	}
	if n := f.count(`SELECT count(*) FROM activities WHERE member_id = $1 AND kind = 'idea' AND message_id = 'item:' || $2`, ann, it.ID); n != 1 {
		t.Errorf("%d idea activities", n)
	}
	if n := f.count(`SELECT count(*) FROM feedback_drafts`); n != 0 {
		t.Errorf("%d drafts left", n)
	}
	if n := f.count(`SELECT count(*) FROM feedback_items i JOIN outbox_events e ON e.id = i.post_event
		WHERE i.id = $1 AND e.kind = 'feedback.posted' AND e.payload = jsonb_build_object('item', $1::bigint)`, it.ID); n != 1 {
		t.Errorf("the post event is not the item's: %d", n)
	}
	if _, err := f.board.Post(ctx, d.ID, ann); errKey(err) != "feedback.draft_gone" {
		t.Errorf("posted twice: %v", err)
	}
	d, err = f.board.Write(ctx, ann, "", "The cart forgets my tea", "en", community.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.board.ChooseKind(ctx, d.ID, ann, feedback.KindBug); err != nil {
		t.Fatal(err)
	}
	if bug, err := f.board.Post(ctx, d.ID, ann); err != nil || bug.Kind != feedback.KindBug {
		t.Errorf("the chosen kind: %+v, %v", bug, err)
	}
	if n := f.count(`SELECT count(*) FROM activities WHERE member_id = $1 AND kind = 'feedback'`, ann); n != 1 {
		t.Errorf("%d feedback activities for a bug", n)
	}
	if n := f.count(`SELECT count(*) FROM feedback_items`); n != 2 {
		t.Errorf("%d items", n)
	}
}

// TestLookAlikes: an open item in the member's language whose words are
// like the draft's is offered, most alike first, at most the limit; an
// unrelated item, one in another language, and merged or declined ones
// are not.
func TestLookAlikes(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	ann := f.member("ann", community.Telegram, true)
	app := f.post(ann, feedback.KindIdea, "Add a dark mode to the mobile app", "en")
	site := f.post(ann, feedback.KindIdea, "Dark mode for the website\nThe white pages are too bright at night.", "en")
	f.post(ann, feedback.KindIdea, "Gift cards for birthdays", "en")
	f.post(ann, feedback.KindIdea, "Faster shipping to Greece", "en")
	f.post(ann, feedback.KindIdea, "Add a dark mode to the mobile app", "el")
	declined := f.post(ann, feedback.KindIdea, "A dark mode in the app, please", "en")
	f.move(declined.ID, feedback.StatusDeclined, "")
	merged := f.post(ann, feedback.KindIdea, "Dark mode on the mobile app", "en")
	if _, err := f.board.Merge(ctx, merged.ID, app.ID, 0); err != nil {
		t.Fatal(err)
	}
	got, err := f.board.LookAlikes(ctx, feedback.Draft{Lang: "en", Text: feedback.Text{Title: "Dark mode in the mobile app"}})
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []feedback.ItemID
	for _, m := range got {
		gotIDs = append(gotIDs, m.Item.ID)
	}
	if !slices.Equal(gotIDs, []feedback.ItemID{app.ID, site.ID}) || got[0].Similarity <= got[1].Similarity || got[1].Similarity < feedback.LookAlikeMin {
		t.Errorf("look-alikes %v (%+v); want the app's, then the website's", gotIDs, got)
	}
	if got[0].Item.Votes != 0 || got[0].Item.Text.Title != app.Text.Title {
		t.Errorf("look-alike %+v", got[0].Item)
	}
	for range 4 {
		f.post(ann, feedback.KindIdea, "Dark mode in the mobile app", "en")
	}
	if got, err := f.board.LookAlikes(ctx, feedback.Draft{Lang: "en", Text: feedback.Text{Title: "Dark mode in the mobile app"}}); err != nil ||
		len(got) != feedback.LookAlikes || got[0].Similarity != 1 {
		t.Errorf("at most %d: %d, %v", feedback.LookAlikes, len(got), err)
	}
	if got, err := f.board.LookAlikes(ctx, feedback.Draft{Lang: "en", Text: feedback.Text{Title: "Loyalty points for reviews"}}); err != nil || len(got) != 0 {
		t.Errorf("unrelated: %+v, %v", got, err)
	}
	// Choosing a look-alike votes for it, and the draft is gone.
	ben := f.member("ben", community.Telegram, true)
	d, err := f.board.Write(ctx, ben, feedback.KindIdea, "Dark mode in the mobile app", "en", community.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := f.board.VoteInstead(ctx, d.ID, ben, app.ID); err != nil || res != (feedback.VoteResult{Voted: true, Votes: 1}) {
		t.Errorf("vote instead: %+v, %v", res, err)
	}
	if _, err := f.board.Post(ctx, d.ID, ben); errKey(err) != "feedback.draft_gone" {
		t.Errorf("the draft after a vote instead: %v", err)
	}
	// Choosing it again from another draft keeps the vote, counted once.
	d, err = f.board.Write(ctx, ben, feedback.KindIdea, "Dark mode in the app", "en", community.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := f.board.VoteInstead(ctx, d.ID, ben, app.ID); err != nil || res != (feedback.VoteResult{Voted: true, Votes: 1}) {
		t.Errorf("vote instead again: %+v, %v", res, err)
	}
	if n := f.count(`SELECT count(*) FROM feedback_drafts`); n != 0 || f.item(app.ID).Votes != 1 ||
		f.count(`SELECT count(*) FROM feedback_votes WHERE item_id = $1`, app.ID) != 1 {
		t.Errorf("after the second vote instead: %d drafts, %d votes", n, f.item(app.ID).Votes)
	}
}

// TestToggleVote: a press votes, the next withdraws; the count follows;
// the vote activity is recorded the first time only; a declined item
// refuses with ErrConflict.
func TestToggleVote(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	ann, ben := f.member("ann", community.Telegram, true), f.member("ben", community.Discord, false)
	it := f.post(ann, feedback.KindIdea, "Oolong samplers", "en")
	for i, want := range []feedback.VoteResult{{Voted: true, Votes: 1}, {Voted: false, Votes: 0}, {Voted: true, Votes: 1}} {
		if got := f.vote(it.ID, ben); got != want {
			t.Errorf("press %d: %+v; want %+v", i+1, got, want)
		}
	}
	if got := f.vote(it.ID, ann); got != (feedback.VoteResult{Voted: true, Votes: 2}) || f.item(it.ID).Votes != 2 {
		t.Errorf("second voter: %+v", got)
	}
	if n := f.count(`SELECT count(*) FROM activities WHERE member_id = $1 AND kind = 'vote'`, ben); n != 1 {
		t.Errorf("%d vote activities after vote, withdraw, vote; want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM feedback_votes WHERE item_id = $1`, it.ID); n != 2 {
		t.Errorf("%d votes stored", n)
	}
	f.move(it.ID, feedback.StatusDeclined, "")
	_, err := f.s.ToggleVote(ctx, feedback.Vote{Item: it.ID, Member: ben, At: f.now, Open: []feedback.Status{feedback.StatusOpen},
		Activity: community.ActivityVote, Refresh: time.Second})
	if !errors.Is(err, community.ErrConflict) || f.item(it.ID).Votes != 2 {
		t.Errorf("a vote on a declined item: %v", err)
	}
	if _, err := f.board.Vote(ctx, it.ID, ben); errKey(err) != "feedback.vote_declined" {
		t.Errorf("the board: %v", err)
	}
	if _, err := f.board.Vote(ctx, 9999, ben); errKey(err) != "feedback.not_found" {
		t.Errorf("no item: %v", err)
	}
}

// TestVoteBurstSchedulesOneRefresh: after an edit of the item's posts,
// a burst of votes schedules exactly one more, no sooner than 3 seconds
// after that edit; once it is taken, the next vote schedules another.
func TestVoteBurstSchedulesOneRefresh(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	voters := f.members(4)
	it := f.post(voters[0], feedback.KindIdea, "Matcha whisks", "en")
	if err := f.s.ClaimRefresh(ctx, it.ID, ideasNow); err != nil {
		t.Fatal(err)
	}
	for i, m := range voters {
		f.now = ideasNow.Add(time.Duration(i+1) * 500 * time.Millisecond)
		f.vote(it.ID, m)
	}
	var due []time.Time
	if err := f.s.DB().Select(&due, `SELECT next_attempt_at FROM outbox_events WHERE kind = 'feedback.refresh' AND status = 'pending'
		AND payload = jsonb_build_object('item', $1::bigint)`, it.ID); err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].Before(ideasNow.Add(feedback.RefreshEvery)) {
		t.Fatalf("refresh events due %v; want one, no sooner than %v", due, ideasNow.Add(feedback.RefreshEvery))
	}
	f.now = ideasNow.Add(10 * time.Second)
	if err := f.s.ClaimRefresh(ctx, it.ID, f.now); err != nil {
		t.Fatal(err)
	}
	f.vote(it.ID, voters[0])
	if n := f.count(`SELECT count(*) FROM outbox_events WHERE kind = 'feedback.refresh' AND next_attempt_at >= $1`, f.now.Add(feedback.RefreshEvery)); n != 1 {
		t.Errorf("%d refreshes after the edit was taken; want 1", n)
	}
}

// TestChangeStatus: a move tells the author and each voter once (an
// author who voted too is told once), writes the audit entry and the
// change; a move from a status the item has left is ErrConflict and
// changes nothing.
func TestChangeStatus(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	ms := f.members(3)
	staff := f.member("staff", community.Telegram, false)
	it := f.post(ms[0], feedback.KindIdea, "Loose leaf subscriptions", "en")
	f.vote(it.ID, ms...)
	c, err := f.board.Move(ctx, it.ID, feedback.StatusPlanned, "Coming in March", staff)
	if err != nil || c.Told != 3 || c.ID == 0 || c.From != feedback.StatusOpen {
		t.Fatalf("Move = %+v, %v; want 3 told", c, err)
	}
	if n := f.count(`SELECT count(*) FROM feedback_notices WHERE change_id = $1 AND member_id = ANY(ARRAY[$2, $3, $4]::bigint[])`, c.ID, ms[0], ms[1], ms[2]); n != 3 {
		t.Errorf("%d notices", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'feedback.status' AND actor_member_id = $1 AND reason = 'Coming in March'
		AND details->>'to' = 'planned' AND (details->>'item')::bigint = $2`, staff, it.ID); n != 1 {
		t.Errorf("%d audit entries", n)
	}
	if n := f.count(`SELECT count(*) FROM feedback_changes WHERE item_id = $1 AND from_status = 'open' AND to_status = 'planned' AND by_member = $2`, it.ID, staff); n != 1 {
		t.Errorf("%d changes", n)
	}
	if got := f.item(it.ID); got.Status != feedback.StatusPlanned || !got.ChangedAt.Equal(ideasNow) {
		t.Errorf("item %+v", got)
	}
	stale := feedback.Change{Item: it.ID, From: feedback.StatusOpen, To: feedback.StatusInProgress, At: ideasNow, Refresh: time.Second}
	if _, err := f.s.ChangeStatus(ctx, stale, stale.Effects()); !errors.Is(err, community.ErrConflict) {
		t.Errorf("a stale move: %v", err)
	}
	if f.item(it.ID).Status != feedback.StatusPlanned || f.count(`SELECT count(*) FROM feedback_changes`) != 1 || f.count(`SELECT count(*) FROM feedback_notices`) != 3 {
		t.Error("a stale move changed something")
	}
	if _, err := f.board.Move(ctx, it.ID, feedback.StatusOpen, "", staff); errKey(err) != "feedback.bad_status" {
		t.Errorf("backwards: %v", err)
	}
}

// TestMergeMovesVotes: merging moves the votes (a member who voted for
// both counts once, an erased voter's vote stays, anonymous), recounts
// both items and tells the merged item's author and voters.
func TestMergeMovesVotes(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	ms := f.members(5) // 0 wrote a, 1 wrote b; 2 voted a, 3 both, 4 a and was erased
	a := f.post(ms[0], feedback.KindIdea, "Cold brew kits", "en")
	b := f.post(ms[1], feedback.KindIdea, "Sell cold brew equipment", "en")
	f.vote(a.ID, ms[2], ms[3], ms[4])
	f.vote(b.ID, ms[3], ms[1])
	if err := f.s.EraseMember(ctx, community.Erasure{Member: ms[4], At: ideasNow}, erasureRules(ideasNow)); err != nil {
		t.Fatal(err)
	}
	if got := f.item(a.ID).Votes; got != 3 {
		t.Fatalf("votes of a after the erasure: %d; want 3", got)
	}
	c, err := f.board.Merge(ctx, a.ID, b.ID, ms[1])
	if err != nil {
		t.Fatal(err)
	}
	if c.Told != 3 { // a's author and its two remaining voters
		t.Errorf("told %d; want 3", c.Told)
	}
	if got, want := f.item(b.ID).Votes, 4; got != want { // 1, 2, 3 and the erased voter
		t.Errorf("votes of b: %d; want %d", got, want)
	}
	if got := f.item(a.ID); got.Votes != 0 || got.Status != feedback.StatusMerged || got.MergedInto != b.ID {
		t.Errorf("a after the merge: %+v", got)
	}
	if n := f.count(`SELECT count(*) FROM feedback_votes WHERE item_id = $1 AND member_id IS NULL`, b.ID); n != 1 {
		t.Errorf("%d anonymous votes on b", n)
	}
	if n := f.count(`SELECT count(*) FROM feedback_votes WHERE item_id = $1 AND member_id = $2`, b.ID, ms[3]); n != 1 {
		t.Errorf("the voter of both has %d votes on b", n)
	}
	if n := f.count(`SELECT count(*) FROM feedback_notices n JOIN feedback_changes c ON c.id = n.change_id
		WHERE c.item_id = $1 AND c.to_status = 'merged' AND c.merged_into = $2`, a.ID, b.ID); n != 3 {
		t.Errorf("%d notices of the merge", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'feedback.merge'`); n != 1 {
		t.Errorf("%d merge audit entries", n)
	}
	stale := feedback.Change{Item: a.ID, From: feedback.StatusOpen, To: feedback.StatusMerged, Into: b.ID, At: ideasNow}
	if _, err := f.s.Merge(ctx, stale, stale.Effects()); !errors.Is(err, community.ErrConflict) {
		t.Errorf("merging a merged item: %v", err)
	}
	for _, bad := range []struct {
		from, into feedback.ItemID
		key        string
	}{{b.ID, b.ID, "feedback.merge_self"}, {b.ID, a.ID, "feedback.merge_into_closed"}} {
		if _, err := f.board.Merge(ctx, bad.from, bad.into, ms[1]); errKey(err) != bad.key {
			t.Errorf("merge %d into %d: %v; want %s", bad.from, bad.into, err, bad.key)
		}
	}
}

// TestConcurrentVotes: presses at once, by many members on one item and
// by one new member on many items, are all counted, each with the voter's
// worth.
func TestConcurrentVotes(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	ms := f.members(12)
	values := map[int64]float64{}
	for _, m := range ms {
		values[int64(m)] = 100
	}
	storagetest.SetValues(t, f.s.DB(), values)
	one := f.post(ms[0], feedback.KindIdea, "Bulk tea tins", "en")
	var many []feedback.ItemID
	for range 8 {
		many = append(many, f.post(ms[1], feedback.KindIdea, "Tea towels", "en").ID)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(ms)+len(many))
	press := func(id feedback.ItemID, m community.MemberID) {
		defer wg.Done()
		if _, err := f.board.Vote(ctx, id, m); err != nil {
			errs <- err
		}
	}
	for _, m := range ms[:11] {
		wg.Add(1)
		go press(one.ID, m)
	}
	for _, id := range many {
		wg.Add(1)
		go press(id, ms[11])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := f.item(one.ID).Votes; got != 11 || f.count(`SELECT count(*) FROM feedback_votes WHERE item_id = $1`, one.ID) != 11 {
		t.Errorf("%d votes; want 11", got)
	}
	if n := f.count(`SELECT count(*) FROM feedback_items WHERE id = $1 AND voters_value = 1100`, one.ID); n != 1 {
		t.Error("the item's voters' worth is not 11 times 100")
	}
	if n := f.count(`SELECT count(*) FROM feedback_items WHERE id = ANY($1) AND votes = 1 AND voters_value = 100`, pq.Array(ids64(many))); n != len(many) {
		t.Errorf("%d of %d items count the new voter's vote and worth", n, len(many))
	}
}

func ids64(items []feedback.ItemID) []int64 {
	out := make([]int64, len(items))
	for i, id := range items {
		out[i] = int64(id)
	}
	return out
}
