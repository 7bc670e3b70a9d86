package feedback

import (
	"context"
	"errors"
	"time"

	"github.com/hearthbot/hearth/community"
)

// ItemID numbers an item: #12.
type ItemID int64

// Item is a member's idea, bug report, praise or question on the board.
type Item struct {
	ID         ItemID
	Author     community.MemberID // 0: a former member
	AuthorName string
	Kind       Kind
	Text
	Lang       string // the author's, for look-alikes
	Platform   community.Platform
	Status     Status
	MergedInto ItemID
	Votes      int
	CreatedAt  time.Time
	ChangedAt  time.Time
}

// DraftID numbers what a member is writing until it is posted.
type DraftID int64

// Draft is an item a member has written but not yet posted: waiting for
// its kind, or for the member's choice among look-alikes.
type Draft struct {
	ID       DraftID
	Member   community.MemberID
	Kind     Kind // "": not chosen yet
	Text     Text
	Lang     string
	Platform community.Platform
	At       time.Time
}

// Match is an item that looks like a draft, with how alike (0 to 1).
type Match struct {
	Item       Item
	Similarity float64
}

// Events the board causes, rendered by the chat layer.
const (
	// EventItemPosted posts a new item in the ideas places (ItemRef).
	EventItemPosted = "feedback.posted"
	// EventItemRefresh edits an item's posts: its count and status
	// (ItemRef); at most one is due per item at a time.
	EventItemRefresh = "feedback.refresh"
	// EventNotices tells members privately of the changes to items they
	// wrote or voted for (Notices).
	EventNotices = "feedback.notices"
)

// ItemRef is the payload of the item events.
type ItemRef struct {
	Item ItemID `json:"item"`
}

// Audit action names of the board.
const (
	AuditItemStatus = "feedback.status"
	AuditItemMerged = "feedback.merge"
	AuditIdeasPlace = "feedback.place"
)

// BoardStore is what the board needs from persistence.
type BoardStore interface {
	// SaveDraft keeps a draft and returns it with its id.
	SaveDraft(ctx context.Context, d Draft) (Draft, error)
	// Draft returns the member's draft id (DraftNotFound when it is gone
	// or someone else's).
	Draft(ctx context.Context, id DraftID, member community.MemberID) (Draft, error)
	// ItemsPostedSince counts the items the member posted since.
	ItemsPostedSince(ctx context.Context, member community.MemberID, since time.Time) (int, error)
	// SetDraftKind records the kind the member chose.
	SetDraftKind(ctx context.Context, id DraftID, kind Kind) error
	// LookAlikes returns up to limit open items in lang whose title and
	// body are at least min alike to t, most alike first.
	LookAlikes(ctx context.Context, lang string, t Text, min float64, limit int) ([]Match, error)
	// PostItem turns the draft into an item, records the author's
	// activity, deletes the draft and writes the item's post event (the
	// event its posts' message ids are found by), in one transaction.
	PostItem(ctx context.Context, d Draft, activity community.ActivityKind, posted func(Item) community.Event) (Item, error)
	// Item returns item id (ItemNotFound).
	Item(ctx context.Context, id ItemID) (Item, error)
	// ToggleVote records the member's vote for the item, or withdraws it
	// when there is one (with v.Instead, keeps it, and deletes that draft
	// of the member's in the same transaction), while the item's status
	// is one of open; a
	// member's first vote for an item is also their activity. It
	// schedules an edit of the item's posts no sooner than refresh after
	// the last one (one per item at a time). ErrConflict: the item's
	// status takes no votes.
	ToggleVote(ctx context.Context, v Vote) (VoteResult, error)
	// ChangeStatus moves the item from c.From to c.To (ErrConflict when
	// it is no longer at c.From), records the change and a notice for its
	// author and each voter, writes the effects and schedules an edit of
	// its posts, in one transaction.
	ChangeStatus(ctx context.Context, c Change, effects community.Effects) (Change, error)
	// Merge moves the item's votes to c.Into (a member who voted for both
	// keeps one), marks it merged, and records the change as
	// ChangeStatus does; both items' posts are edited.
	Merge(ctx context.Context, c Change, effects community.Effects) (Change, error)
}

// Vote is a member's press of an item's Vote button.
type Vote struct {
	Item     ItemID
	Member   community.MemberID
	At       time.Time
	Open     []Status // the statuses that take votes
	Activity community.ActivityKind
	Refresh  time.Duration // the least time between two edits of a post
	// Instead of the draft (not 0): the vote is for a look-alike of it,
	// the draft goes with the vote, and a vote given already stays.
	Instead DraftID
}

// VoteResult is what a press did: voted (or withdrew), and the count now.
type VoteResult struct {
	Voted bool
	Votes int
}

// Change is a status change staff make: a move, or a merge into another
// item.
type Change struct {
	ID       int64
	Item     ItemID
	From, To Status
	Into     ItemID // merged into; 0 for a move
	Comment  string
	By       community.MemberID
	At       time.Time
	Refresh  time.Duration
	// Told is how many members the change will be told to: its author
	// and voters (filled in by the store).
	Told int
}

// Board holds the rules of ideas and feedback: writing an item, the
// look-alikes offered before posting it, votes, and the status workflow
// staff drive. It knows nothing about chats or SQL.
type Board struct {
	store  BoardStore
	now    func() time.Time
	perDay int // items a member may post in 24 hours; 0: any number
}

// NewBoard returns the board, on which a member may post MaxItemsPerDay
// items in 24 hours.
func NewBoard(store BoardStore, now func() time.Time) *Board {
	return &Board{store: store, now: now, perDay: MaxItemsPerDay}
}

// Unpaced returns the board with no limit on how many items a member may
// post: for seeding a board in tests and benchmarks.
func (b *Board) Unpaced() *Board {
	c := *b
	c.perDay = 0
	return &c
}

// Look-alikes and edits.
const (
	// LookAlikes is how many look-alikes are offered at most.
	LookAlikes = 3
	// LookAlikeMin is how alike an item must be to be offered (pg_trgm
	// similarity of the words, 0 to 1).
	LookAlikeMin = 0.3
	// RefreshEvery is the least time between two edits of one post: a
	// burst of votes costs one edit (the platforms limit edits).
	RefreshEvery = 3 * time.Second
	// MaxComment is the longest comment staff may give a status change.
	MaxComment = 500
	// MaxItemsPerDay is how many items a member may post in 24 hours, so
	// that nobody floods the ideas places or farms the idea points.
	MaxItemsPerDay = 5
)

// votable are the statuses that take votes.
var votable = []Status{StatusOpen, StatusUnderReview, StatusPlanned, StatusInProgress, StatusDone}

// Write starts an item from what a member wrote (kind "" when they are
// to choose it): the draft is kept until they post it. Empty or over-long
// text is EInvalid.
func (b *Board) Write(ctx context.Context, member community.MemberID, kind Kind, text, lang string, p community.Platform) (Draft, error) {
	t, err := ParseText(text)
	if err != nil {
		return Draft{}, err
	}
	if err := b.checkPace(ctx, member); err != nil {
		return Draft{}, err
	}
	return b.store.SaveDraft(ctx, Draft{Member: member, Kind: kind, Text: t, Lang: lang, Platform: p, At: b.now()})
}

// checkPace refuses a member who posted the board's limit of items in
// the last 24 hours (EConflict).
func (b *Board) checkPace(ctx context.Context, member community.MemberID) error {
	if b.perDay == 0 {
		return nil
	}
	n, err := b.store.ItemsPostedSince(ctx, member, b.now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	if n >= b.perDay {
		return community.Errorf(community.EConflict, "feedback.too_many", map[string]any{"Max": b.perDay},
			"member %d posted %d items in 24 hours", member, n)
	}
	return nil
}

// ChooseKind records the kind of the member's draft.
func (b *Board) ChooseKind(ctx context.Context, id DraftID, member community.MemberID, kind Kind) (Draft, error) {
	d, err := b.store.Draft(ctx, id, member)
	if err != nil {
		return Draft{}, err
	}
	if err := b.store.SetDraftKind(ctx, id, kind); err != nil {
		return Draft{}, err
	}
	d.Kind = kind
	return d, nil
}

// LookAlikes are the open items like the draft, in its language, that
// the member may vote for instead.
func (b *Board) LookAlikes(ctx context.Context, d Draft) ([]Match, error) {
	return b.store.LookAlikes(ctx, d.Lang, d.Text, LookAlikeMin, LookAlikes)
}

// Post posts the member's draft as an item: an idea is the idea activity,
// anything else the feedback activity.
func (b *Board) Post(ctx context.Context, id DraftID, member community.MemberID) (Item, error) {
	d, err := b.store.Draft(ctx, id, member)
	if err != nil {
		return Item{}, err
	}
	if err := b.checkPace(ctx, member); err != nil {
		return Item{}, err
	}
	if d.Kind == "" {
		d.Kind = KindIdea
	}
	d.At = b.now()
	activity := community.ActivityFeedback
	if d.Kind == KindIdea {
		activity = community.ActivityIdea
	}
	return b.store.PostItem(ctx, d, activity, func(it Item) community.Event {
		return community.NewEvent(EventItemPosted, ItemRef{Item: it.ID}, it.CreatedAt)
	})
}

// VoteInstead drops the member's draft and votes for the look-alike they
// chose, at once; a vote they had given already stays.
func (b *Board) VoteInstead(ctx context.Context, id DraftID, member community.MemberID, item ItemID) (VoteResult, error) {
	if _, err := b.store.Draft(ctx, id, member); err != nil {
		return VoteResult{}, err
	}
	it, err := b.store.Item(ctx, item)
	if err != nil {
		return VoteResult{}, err
	}
	return b.toggle(ctx, it, member, id)
}

// Vote records the member's vote for an item, or withdraws it when they
// press again. An item declined or merged takes no votes (EConflict).
func (b *Board) Vote(ctx context.Context, item ItemID, member community.MemberID) (VoteResult, error) {
	it, err := b.store.Item(ctx, item)
	if err != nil {
		return VoteResult{}, err
	}
	return b.toggle(ctx, it, member, 0)
}

// toggle votes or withdraws, or, instead of a draft, votes.
func (b *Board) toggle(ctx context.Context, it Item, member community.MemberID, instead DraftID) (VoteResult, error) {
	if err := checkVotable(it); err != nil {
		return VoteResult{}, err
	}
	res, err := b.store.ToggleVote(ctx, Vote{Item: it.ID, Member: member, At: b.now(), Open: votable,
		Activity: community.ActivityVote, Refresh: RefreshEvery, Instead: instead})
	if errors.Is(err, community.ErrConflict) {
		latest, lerr := b.store.Item(ctx, it.ID)
		if lerr != nil {
			return VoteResult{}, lerr
		}
		return VoteResult{}, checkVotable(latest)
	}
	return res, err
}

// checkVotable refuses a vote on an item declined
// ("feedback.vote_declined") or merged ("feedback.vote_merged", which
// names the item to vote for instead).
func checkVotable(it Item) error {
	if !it.Status.Closed() {
		return nil
	}
	return community.Errorf(community.EConflict, "feedback.vote_"+string(it.Status), map[string]any{"ID": int64(it.ID),
		"Into": int64(it.MergedInto)}, "item %d is %s and takes no votes", it.ID, it.Status)
}

// Item returns item id.
func (b *Board) Item(ctx context.Context, id ItemID) (Item, error) { return b.store.Item(ctx, id) }

// Place is where a platform's new items are posted (/setideas): a chat,
// and a forum topic or thread in it ("" for none).
type Place struct {
	Chat   community.Chat
	Thread string
}

// PlaceAudit is the audit entry of an owner choosing where a platform's
// items are posted.
func PlaceAudit(p Place, by community.MemberID, at time.Time) community.AuditEntry {
	return community.AuditEntry{At: at, Actor: by, Action: AuditIdeasPlace, Chat: p.Chat.ID,
		Details: map[string]any{"platform": string(p.Chat.Platform), "thread": p.Thread}}
}

// ShowcasePlaceAudit is the audit entry of an owner choosing where a
// platform's reshares of customers' posts go.
func ShowcasePlaceAudit(p Place, by community.MemberID, at time.Time) community.AuditEntry {
	e := PlaceAudit(p, by, at)
	e.Action = AuditShowcasePlace
	return e
}

// Post is one message an item was posted as, for editing its count and
// status: Sent is false while the message waits to go out.
type Post struct {
	Platform  community.Platform
	ChatID    string
	ThreadID  string
	MessageID string
	Sent      bool
}
