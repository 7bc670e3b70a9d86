package feedback

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

var boardNow = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

func newTestBoard() (*Board, *fakeBoard) {
	f := newFakeBoard()
	return NewBoard(f, func() time.Time { return boardNow }), f
}

const ann, ben, cat community.MemberID = 1, 2, 3

// TestWriteRefusesBadInput: empty text, a title over 120 characters or a
// body over 2000 is refused with its key and keeps no draft; good text
// is kept as a draft with the time, language and platform.
func TestWriteRefusesBadInput(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	for text, key := range map[string]string{
		"":                              "feedback.empty",
		"  \n\n  ":                      "feedback.empty",
		strings.Repeat("я", MaxTitle+1): "feedback.title_too_long",
		"Dark mode\n" + strings.Repeat("b", 2001): "feedback.body_too_long",
	} {
		if _, err := b.Write(ctx, ann, KindIdea, text, "en", community.Telegram); errKey(err) != key || community.ErrorCode(err) != community.EInvalid {
			t.Errorf("Write(%.20q…) = %v; want %s", text, err, key)
		}
	}
	if len(f.drafts) != 0 {
		t.Fatalf("refused text kept drafts: %v", f.drafts)
	}
	d, err := b.Write(ctx, ann, "", " Dark mode \n for the shop app ", "en", community.Discord)
	want := Draft{ID: 1, Member: ann, Text: Text{Title: "Dark mode", Body: "for the shop app"}, Lang: "en", Platform: community.Discord, At: boardNow}
	if err != nil || d != want || f.drafts[1] != want {
		t.Errorf("Write = %+v, %v; want %+v", d, err, want)
	}
	f.fail["SaveDraft"] = true
	if _, err := b.Write(ctx, ann, KindBug, "A bug", "en", community.Telegram); !errors.Is(err, errStore) {
		t.Errorf("a store error: %v", err)
	}
}

// TestChooseKind records the kind of the member's own draft only.
func TestChooseKind(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	d, _ := b.Write(ctx, ann, "", "Gift cards", "en", community.Telegram)
	if got, err := b.ChooseKind(ctx, d.ID, ann, KindQuestion); err != nil || got.Kind != KindQuestion || f.drafts[d.ID].Kind != KindQuestion {
		t.Errorf("ChooseKind = %+v, %v", got, err)
	}
	if _, err := b.ChooseKind(ctx, d.ID, ben, KindBug); errKey(err) != "feedback.draft_gone" || f.drafts[d.ID].Kind != KindQuestion {
		t.Errorf("another member's draft: %v", err)
	}
	f.fail["SetDraftKind"] = true
	if _, err := b.ChooseKind(ctx, d.ID, ann, KindBug); !errors.Is(err, errStore) {
		t.Errorf("a store error: %v", err)
	}
}

// TestLookAlikesAskTheStore asks for at most 3 items at least 0.3 alike
// in the draft's language.
func TestLookAlikesAskTheStore(t *testing.T) {
	b, f := newTestBoard()
	f.matches = []Match{{Item: Item{ID: 7}, Similarity: 0.6}}
	d := Draft{Lang: "el", Text: Text{Title: "Σκοτεινό θέμα"}}
	got, err := b.LookAlikes(context.Background(), d)
	if err != nil || len(got) != 1 || got[0].Item.ID != 7 {
		t.Errorf("LookAlikes = %v, %v", got, err)
	}
	if want := []any{"el", d.Text, LookAlikeMin, LookAlikes}; len(f.lookedFor) != 4 || f.lookedFor[0] != want[0] ||
		f.lookedFor[1] != want[1] || f.lookedFor[2] != want[2] || f.lookedFor[3] != want[3] {
		t.Errorf("asked for %v; want %v", f.lookedFor, want)
	}
}

// TestPostRecordsTheRightActivity: an idea (or a draft whose kind was
// never chosen) is the idea activity, a bug, praise or question the
// feedback activity; each writes the posted event; a draft posts once.
func TestPostRecordsTheRightActivity(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	for i, c := range []struct {
		kind     Kind
		wantKind Kind
		activity community.ActivityKind
	}{
		{KindIdea, KindIdea, community.ActivityIdea},
		{"", KindIdea, community.ActivityIdea},
		{KindBug, KindBug, community.ActivityFeedback},
		{KindPraise, KindPraise, community.ActivityFeedback},
		{KindQuestion, KindQuestion, community.ActivityFeedback},
	} {
		d, _ := b.Write(ctx, ann, c.kind, "Item", "en", community.Telegram)
		it, err := b.Post(ctx, d.ID, ann)
		if err != nil || it.Kind != c.wantKind || it.Status != StatusOpen || it.CreatedAt != boardNow || f.activities[i] != c.activity {
			t.Errorf("post a %q draft: %+v, %v, activity %q; want %s, %s", c.kind, it, err, f.activities[i], c.wantKind, c.activity)
		}
		ev := f.posted[i]
		if ev.Kind != EventItemPosted || ev.Payload != (ItemRef{Item: it.ID}) || ev.At != boardNow {
			t.Errorf("posted event %+v", ev)
		}
		if _, err := b.Post(ctx, d.ID, ann); errKey(err) != "feedback.draft_gone" {
			t.Errorf("posted twice: %v", err)
		}
	}
}

// TestPostingIsPaced: a member who posted MaxItemsPerDay items in 24
// hours may neither write nor post another until a day has passed since;
// others may.
func TestPostingIsPaced(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	waiting, _ := b.Write(ctx, ann, KindIdea, "Written before the limit", "en", community.Telegram)
	for range MaxItemsPerDay {
		d, _ := b.Write(ctx, ann, KindIdea, "Item", "en", community.Telegram)
		if _, err := b.Post(ctx, d.ID, ann); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Write(ctx, ann, KindIdea, "One more", "en", community.Telegram); errKey(err) != "feedback.too_many" {
		t.Errorf("write past the limit: %v", err)
	}
	if _, err := b.Post(ctx, waiting.ID, ann); errKey(err) != "feedback.too_many" {
		t.Errorf("post past the limit: %v", err)
	}
	if _, err := b.Write(ctx, ben, KindIdea, "Ben's first", "en", community.Telegram); err != nil {
		t.Errorf("another member: %v", err)
	}
	if _, err := b.Unpaced().Write(ctx, ann, KindIdea, "Seeded", "en", community.Telegram); err != nil {
		t.Errorf("an unpaced board: %v", err)
	}
	for _, it := range f.items {
		it.CreatedAt = boardNow.Add(-24*time.Hour - time.Second)
	}
	if _, err := b.Post(ctx, waiting.ID, ann); err != nil {
		t.Errorf("a day later: %v", err)
	}
	f.fail["ItemsPostedSince"] = true
	if _, err := b.Write(ctx, ann, KindIdea, "Item", "en", community.Telegram); !errors.Is(err, errStore) {
		t.Errorf("the count fails: %v", err)
	}
}

// TestVoteToggles: a press votes, the next withdraws; a declined or
// merged item takes no votes; an unknown item is not found.
func TestVoteToggles(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	id := f.item(StatusPlanned, ben)
	if res, err := b.Vote(ctx, id, ann); err != nil || res != (VoteResult{Voted: true, Votes: 2}) || f.activities[0] != community.ActivityVote {
		t.Errorf("vote = %+v, %v", res, err)
	}
	if res, err := b.Vote(ctx, id, ann); err != nil || res != (VoteResult{Voted: false, Votes: 1}) {
		t.Errorf("withdraw = %+v, %v", res, err)
	}
	for _, st := range []Status{StatusDeclined, StatusMerged} {
		closed := f.item(st, ben)
		_, err := b.Vote(ctx, closed, ann)
		if errKey(err) != "feedback.vote_"+string(st) || community.ErrorCode(err) != community.EConflict || f.items[closed].Votes != 1 {
			t.Errorf("vote for a %s item: %v", st, err)
		}
	}
	if _, err := b.Vote(ctx, 99, ann); errKey(err) != "feedback.not_found" {
		t.Errorf("vote for no item: %v", err)
	}
}

// TestVoteOnAnItemClosedMeanwhile: the store refuses a vote because the
// item was declined after it was read; the refusal says so.
func TestVoteOnAnItemClosedMeanwhile(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	id := f.item(StatusOpen)
	f.before["ToggleVote"] = func() { f.items[id].Status = StatusDeclined }
	if _, err := b.Vote(ctx, id, ann); errKey(err) != "feedback.vote_declined" {
		t.Errorf("vote on an item declined meanwhile: %v", err)
	}
	f.items[id].Status = StatusOpen
	f.itemFailsAt = f.itemCalls + 2 // the second read, after the refusal
	if _, err := b.Vote(ctx, id, ann); !errors.Is(err, errStore) {
		t.Errorf("reading the item again fails: %v", err)
	}
	f.before["ToggleVote"], f.fail["ToggleVote"] = nil, true
	f.items[id].Status = StatusOpen
	if _, err := b.Vote(ctx, id, ann); !errors.Is(err, errStore) {
		t.Errorf("a store error: %v", err)
	}
}

// TestVoteInsteadKeepsAVote: choosing a look-alike votes for it; when
// the member had voted for it already, the vote stays.
func TestVoteInsteadKeepsAVote(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	fresh, voted := f.item(StatusOpen, ben), f.item(StatusOpen, ann, ben)
	write := func() DraftID {
		d, _ := b.Write(ctx, ann, KindIdea, "Dark mode please", "en", community.Telegram)
		return d.ID
	}
	d := write()
	if res, err := b.VoteInstead(ctx, d, ann, fresh); err != nil || res != (VoteResult{Voted: true, Votes: 2}) {
		t.Errorf("vote instead = %+v, %v", res, err)
	}
	if _, err := b.Post(ctx, d, ann); errKey(err) != "feedback.draft_gone" {
		t.Errorf("the draft was posted after a vote instead: %v", err)
	}
	if res, err := b.VoteInstead(ctx, write(), ann, voted); err != nil || res != (VoteResult{Voted: true, Votes: 2}) || f.items[voted].Votes != 2 {
		t.Errorf("vote instead, voted already = %+v, %v", res, err)
	}
	d = write()
	if _, err := b.VoteInstead(ctx, d, ben, fresh); errKey(err) != "feedback.draft_gone" {
		t.Errorf("another's draft: %v", err)
	}
	if _, err := b.VoteInstead(ctx, d, ann, 99); errKey(err) != "feedback.not_found" {
		t.Errorf("no item: %v", err)
	}
	if _, err := b.VoteInstead(ctx, d, ann, f.item(StatusMerged)); errKey(err) != "feedback.vote_merged" {
		t.Errorf("a merged item: %v", err)
	}
	f.fail["ToggleVote"] = true
	if _, err := b.VoteInstead(ctx, d, ann, fresh); !errors.Is(err, errStore) {
		t.Errorf("the vote cannot be recorded: %v", err)
	}
	if _, ok := f.drafts[d]; !ok {
		t.Error("a refused vote instead dropped the draft")
	}
}

// TestMove: staff move an item forward or decline it, with a trimmed
// comment and its audit entry; any other move is refused listing the
// allowed ones, a merge by status is refused saying how, and a comment
// over 500 characters is refused.
func TestMove(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	id := f.item(StatusOpen, ben, cat)
	c, err := b.Move(ctx, id, StatusPlanned, "  In the spring release ", ann)
	want := Change{ID: 1, Item: id, From: StatusOpen, To: StatusPlanned, Comment: "In the spring release", By: ann, At: boardNow,
		Refresh: RefreshEvery, Told: 3}
	if err != nil || c != want || f.items[id].Status != StatusPlanned {
		t.Fatalf("Move = %+v, %v; want %+v", c, err, want)
	}
	audit := f.effects[0].Audit
	if len(audit) != 1 || audit[0].Action != AuditItemStatus || audit[0].Actor != ann || audit[0].Reason != "In the spring release" ||
		details(audit[0])["from"] != "open" || details(audit[0])["to"] != "planned" || details(audit[0])["item"] != int64(id) {
		t.Errorf("audit %+v", audit)
	}
	_, err = b.Move(ctx, id, StatusUnderReview, "", ann)
	if e, ok := errors.AsType[*community.Error](err); !ok || e.Key != "feedback.bad_status" || e.Data["Allowed"] != "in_progress, done, declined" {
		t.Errorf("planned -> under review: %v", err)
	}
	if _, err := b.Move(ctx, id, StatusMerged, "", ann); errKey(err) != "feedback.merge_how" || community.ErrorCode(err) != community.EInvalid {
		t.Errorf("a merge by status: %v", err)
	}
	if _, err := b.Move(ctx, id, StatusDone, strings.Repeat("c", MaxComment+1), ann); errKey(err) != "feedback.comment_too_long" {
		t.Errorf("a long comment: %v", err)
	}
	if _, err := b.Move(ctx, id, StatusDone, strings.Repeat("ü", MaxComment), ann); err != nil {
		t.Errorf("a comment of %d characters: %v", MaxComment, err)
	}
	if _, err := b.Move(ctx, 99, StatusDone, "", ann); errKey(err) != "feedback.not_found" {
		t.Errorf("no item: %v", err)
	}
	if len(f.changes) != 2 {
		t.Errorf("%d changes recorded; want 2", len(f.changes))
	}
}

// TestMoveChangedMeanwhile: the store finds the item no longer where it
// was read. A move still allowed from where it is now is "changed
// meanwhile"; one no longer allowed is refused as such.
func TestMoveChangedMeanwhile(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	id := f.item(StatusOpen)
	f.before["ChangeStatus"] = func() { f.items[id].Status = StatusUnderReview }
	if _, err := b.Move(ctx, id, StatusPlanned, "", ann); errKey(err) != "feedback.changed_meanwhile" || community.ErrorCode(err) != community.EConflict {
		t.Errorf("still allowed: %v", err)
	}
	f.items[id].Status = StatusOpen
	f.before["ChangeStatus"] = func() { f.items[id].Status = StatusDeclined }
	if _, err := b.Move(ctx, id, StatusPlanned, "", ann); errKey(err) != "feedback.status_final" {
		t.Errorf("declined meanwhile: %v", err)
	}
	f.items[id].Status = StatusOpen
	f.itemFailsAt = f.itemCalls + 2
	if _, err := b.Move(ctx, id, StatusPlanned, "", ann); !errors.Is(err, errStore) {
		t.Errorf("reading the item again fails: %v", err)
	}
	f.before["ChangeStatus"], f.fail["ChangeStatus"] = nil, true
	f.items[id].Status = StatusOpen
	if _, err := b.Move(ctx, id, StatusPlanned, "", ann); !errors.Is(err, errStore) {
		t.Errorf("a store error: %v", err)
	}
	if len(f.changes) != 0 {
		t.Errorf("changes recorded: %v", f.changes)
	}
}

// TestMerge: an item merges into another (the votes move, a voter of
// both counts once, the audit entry is a merge); not into itself, not
// into a closed item, and not an item over already.
func TestMerge(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	from, into := f.item(StatusUnderReview, ben, cat), f.item(StatusPlanned, cat)
	c, err := b.Merge(ctx, from, into, ann)
	if err != nil || c.From != StatusUnderReview || c.To != StatusMerged || c.Into != into || c.By != ann || c.At != boardNow {
		t.Fatalf("Merge = %+v, %v", c, err)
	}
	if f.items[into].Votes != 2 || f.items[from].Status != StatusMerged || f.items[from].MergedInto != into {
		t.Errorf("after the merge: %+v, %+v", *f.items[from], *f.items[into])
	}
	if a := f.effects[0].Audit; len(a) != 1 || a[0].Action != AuditItemMerged || details(a[0])["into"] != int64(into) {
		t.Errorf("audit %+v", a)
	}
	open := f.item(StatusOpen)
	for _, c := range []struct {
		from, into ItemID
		key        string
	}{
		{open, open, "feedback.merge_self"},
		{open, from, "feedback.merge_into_closed"},
		{open, f.item(StatusDeclined), "feedback.merge_into_closed"},
		{from, open, "feedback.merge_closed"},
		{f.item(StatusDone), open, "feedback.merge_closed"},
		{99, open, "feedback.not_found"},
		{open, 99, "feedback.not_found"},
	} {
		if _, err := b.Merge(ctx, c.from, c.into, ann); errKey(err) != c.key {
			t.Errorf("merge %d into %d: %v; want %s", c.from, c.into, err, c.key)
		}
	}
	if len(f.changes) != 1 {
		t.Errorf("%d changes recorded; want 1", len(f.changes))
	}
}

// TestMergeChangedMeanwhile: the store finds either item changed under
// its lock. The refusal says what is wrong now: the target closed, the
// item closed, or (still mergeable) that it changed meanwhile.
func TestMergeChangedMeanwhile(t *testing.T) {
	b, f := newTestBoard()
	ctx := context.Background()
	from, into := f.item(StatusOpen), f.item(StatusOpen)
	for _, c := range []struct {
		what   string
		change func()
		key    string
	}{
		{"the item moved on", func() { f.items[from].Status = StatusPlanned }, "feedback.changed_meanwhile"},
		{"the item was declined", func() { f.items[from].Status = StatusDeclined }, "feedback.merge_closed"},
		{"the target was declined", func() { f.items[into].Status = StatusDeclined }, "feedback.merge_into_closed"},
	} {
		f.items[from].Status, f.items[into].Status = StatusOpen, StatusOpen
		f.before["Merge"] = c.change
		if _, err := b.Merge(ctx, from, into, ann); errKey(err) != c.key {
			t.Errorf("%s: %v; want %s", c.what, err, c.key)
		}
	}
	f.items[from].Status, f.items[into].Status = StatusOpen, StatusOpen
	f.itemFailsAt = f.itemCalls + 3
	if _, err := b.Merge(ctx, from, into, ann); !errors.Is(err, errStore) {
		t.Errorf("reading the item again fails: %v", err)
	}
	f.items[from].Status, f.items[into].Status = StatusOpen, StatusOpen
	f.itemFailsAt = f.itemCalls + 4
	if _, err := b.Merge(ctx, from, into, ann); !errors.Is(err, errStore) {
		t.Errorf("reading the target again fails: %v", err)
	}
	f.before["Merge"], f.fail["Merge"] = nil, true
	f.items[from].Status, f.items[into].Status = StatusOpen, StatusOpen
	if _, err := b.Merge(ctx, from, into, ann); !errors.Is(err, errStore) {
		t.Errorf("a store error: %v", err)
	}
}

func TestItemAndPlaceAudit(t *testing.T) {
	b, f := newTestBoard()
	id := f.item(StatusOpen)
	if it, err := b.Item(context.Background(), id); err != nil || it.ID != id {
		t.Errorf("Item = %+v, %v", it, err)
	}
	p := Place{Chat: community.Chat{ID: 4, Platform: community.Discord}, Thread: "77"}
	e := PlaceAudit(p, ann, boardNow)
	if e.Action != AuditIdeasPlace || e.Chat != 4 || e.Actor != ann || e.At != boardNow || details(e)["platform"] != "discord" || details(e)["thread"] != "77" {
		t.Errorf("PlaceAudit = %+v", e)
	}
}

func details(e community.AuditEntry) map[string]any {
	m, _ := e.Details.(map[string]any)
	return m
}
