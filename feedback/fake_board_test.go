package feedback

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
)

var errStore = errors.New("the store is down")

// fakeBoard is an in-memory BoardStore, NoticeStore and ListStore. fail
// names the methods that return errStore; itemFailsAt makes the nth call
// of Item (from 1) fail; before runs at the start of a store method, to
// change the board under a caller (a change made meanwhile).
type fakeBoard struct {
	drafts      map[DraftID]Draft
	items       map[ItemID]*Item
	votes       map[ItemID][]community.MemberID
	nextDraft   DraftID
	nextItem    ItemID
	posted      []community.Event
	activities  []community.ActivityKind
	changes     []Change
	effects     []community.Effects
	matches     []Match
	lookedFor   []any
	fail        map[string]bool
	itemCalls   int
	itemFailsAt int
	before      map[string]func()

	pending []Pending
	queued  [][]community.MemberID
	opens   [][]community.Platform
	events  []community.Event

	list    []Item
	valued  []ValuedItem
	queries []Query
	since   []time.Time
}

func newFakeBoard() *fakeBoard {
	return &fakeBoard{drafts: map[DraftID]Draft{}, items: map[ItemID]*Item{}, votes: map[ItemID][]community.MemberID{},
		fail: map[string]bool{}, before: map[string]func(){}}
}

func (f *fakeBoard) call(name string) error {
	if b := f.before[name]; b != nil {
		b()
	}
	if f.fail[name] {
		return errStore
	}
	return nil
}

// item adds an item with a status and voters.
func (f *fakeBoard) item(status Status, voters ...community.MemberID) ItemID {
	f.nextItem++
	f.items[f.nextItem] = &Item{ID: f.nextItem, Author: 1, Kind: KindIdea, Text: Text{Title: "An idea"}, Status: status, Votes: len(voters)}
	f.votes[f.nextItem] = slices.Clone(voters)
	return f.nextItem
}

func (f *fakeBoard) ItemsPostedSince(_ context.Context, member community.MemberID, since time.Time) (int, error) {
	if err := f.call("ItemsPostedSince"); err != nil {
		return 0, err
	}
	n := 0
	for _, it := range f.items {
		if it.Author == member && !it.CreatedAt.Before(since) {
			n++
		}
	}
	return n, nil
}

func (f *fakeBoard) SaveDraft(_ context.Context, d Draft) (Draft, error) {
	if err := f.call("SaveDraft"); err != nil {
		return Draft{}, err
	}
	f.nextDraft++
	d.ID = f.nextDraft
	f.drafts[d.ID] = d
	return d, nil
}

func (f *fakeBoard) Draft(_ context.Context, id DraftID, member community.MemberID) (Draft, error) {
	d, ok := f.drafts[id]
	if !ok || d.Member != member {
		return Draft{}, DraftNotFound(id)
	}
	return d, nil
}

func (f *fakeBoard) SetDraftKind(_ context.Context, id DraftID, kind Kind) error {
	if err := f.call("SetDraftKind"); err != nil {
		return err
	}
	d := f.drafts[id]
	d.Kind = kind
	f.drafts[id] = d
	return nil
}

func (f *fakeBoard) LookAlikes(_ context.Context, lang string, t Text, minimum float64, limit int) ([]Match, error) {
	f.lookedFor = append(f.lookedFor, lang, t, minimum, limit)
	return f.matches, nil
}

func (f *fakeBoard) PostItem(_ context.Context, d Draft, activity community.ActivityKind, posted func(Item) community.Event) (Item, error) {
	if _, ok := f.drafts[d.ID]; !ok {
		return Item{}, DraftNotFound(d.ID)
	}
	delete(f.drafts, d.ID)
	f.nextItem++
	it := Item{ID: f.nextItem, Author: d.Member, Kind: d.Kind, Text: d.Text, Lang: d.Lang, Platform: d.Platform, Status: StatusOpen,
		CreatedAt: d.At, ChangedAt: d.At}
	f.items[it.ID] = &it
	f.activities = append(f.activities, activity)
	f.posted = append(f.posted, posted(it))
	return it, nil
}

func (f *fakeBoard) Item(_ context.Context, id ItemID) (Item, error) {
	f.itemCalls++
	if f.itemCalls == f.itemFailsAt {
		return Item{}, errStore
	}
	it, ok := f.items[id]
	if !ok {
		return Item{}, ItemNotFound(id)
	}
	return *it, nil
}

func (f *fakeBoard) ToggleVote(_ context.Context, v Vote) (VoteResult, error) {
	if err := f.call("ToggleVote"); err != nil {
		return VoteResult{}, err
	}
	it := f.items[v.Item]
	if !slices.Contains(v.Open, it.Status) {
		return VoteResult{}, community.ErrConflict
	}
	voters := f.votes[v.Item]
	had := slices.Contains(voters, v.Member)
	res := VoteResult{Voted: !had || v.Instead != 0}
	if d, ok := f.drafts[v.Instead]; ok && d.Member == v.Member {
		delete(f.drafts, v.Instead)
	}
	switch {
	case !had:
		voters = append(voters, v.Member)
		f.activities = append(f.activities, v.Activity)
	case v.Instead == 0:
		voters = slices.DeleteFunc(voters, func(m community.MemberID) bool { return m == v.Member })
	}
	f.votes[v.Item], it.Votes, res.Votes = voters, len(voters), len(voters)
	return res, nil
}

func (f *fakeBoard) ChangeStatus(_ context.Context, c Change, effects community.Effects) (Change, error) {
	if err := f.call("ChangeStatus"); err != nil {
		return Change{}, err
	}
	it := f.items[c.Item]
	if it.Status != c.From {
		return Change{}, community.ErrConflict
	}
	it.Status, it.ChangedAt = c.To, c.At
	return f.record(c, effects), nil
}

func (f *fakeBoard) record(c Change, effects community.Effects) Change {
	c.ID = int64(len(f.changes) + 1)
	c.Told = len(f.votes[c.Item]) + 1
	f.changes = append(f.changes, c)
	f.effects = append(f.effects, effects)
	return c
}

func (f *fakeBoard) Merge(_ context.Context, c Change, effects community.Effects) (Change, error) {
	if err := f.call("Merge"); err != nil {
		return Change{}, err
	}
	it, into := f.items[c.Item], f.items[c.Into]
	if it.Status != c.From || into.Status.Closed() {
		return Change{}, community.ErrConflict
	}
	c = f.record(c, effects)
	for _, m := range f.votes[c.Item] {
		if !slices.Contains(f.votes[c.Into], m) {
			f.votes[c.Into] = append(f.votes[c.Into], m)
		}
	}
	f.votes[c.Item] = nil
	it.Status, it.MergedInto, it.Votes, into.Votes = StatusMerged, c.Into, 0, len(f.votes[c.Into])
	return c, nil
}

func (f *fakeBoard) PendingNotices(context.Context) ([]Pending, error) {
	if err := f.call("PendingNotices"); err != nil {
		return nil, err
	}
	return f.pending, nil
}

func (f *fakeBoard) QueueNotices(_ context.Context, members []community.MemberID, _ time.Time, opens []community.Platform, event community.Event) (int, error) {
	if err := f.call("QueueNotices"); err != nil {
		return 0, err
	}
	f.queued = append(f.queued, slices.Clone(members))
	f.opens = append(f.opens, opens)
	f.events = append(f.events, event)
	return 0, nil
}

func (f *fakeBoard) Items(_ context.Context, q Query) ([]Item, error) {
	if err := f.call("Items"); err != nil {
		return nil, err
	}
	f.queries = append(f.queries, q)
	return window(f.list, q.Offset, q.Limit), nil
}

func (f *fakeBoard) ValuedItems(_ context.Context, since time.Time, offset, limit int) ([]ValuedItem, error) {
	if err := f.call("ValuedItems"); err != nil {
		return nil, err
	}
	f.since = append(f.since, since)
	return window(f.valued, offset, limit), nil
}

func window[T any](all []T, offset, limit int) []T {
	if offset >= len(all) {
		return nil
	}
	return all[offset:min(offset+limit, len(all))]
}
