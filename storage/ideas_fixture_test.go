package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
)

var ideasNow = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

// ideasFixture is a community with an ideas board: members are recorded
// as they write, the board's clock is now.
type ideasFixture struct {
	t     *testing.T
	s     *storage.Store
	board *feedback.Board
	now   time.Time
	seq   int
}

func newIdeasFixture(t *testing.T) *ideasFixture {
	f := &ideasFixture{t: t, s: newStore(t), now: ideasNow}
	f.board = feedback.NewBoard(f.s, func() time.Time { return f.now }).Unpaced()
	return f
}

// member records a member who wrote on p: in a private chat with Hearth
// when dm (Hearth may write to them there), else in a group.
func (f *ideasFixture) member(name string, p community.Platform, dm bool) community.MemberID {
	f.t.Helper()
	f.seq++
	uid := fmt.Sprint(1000 + f.seq)
	chat := inbox.Chat{ID: "-100", Kind: community.ChatGroup, Title: "Tea"}
	if dm {
		chat = inbox.Chat{ID: uid, Kind: community.ChatDirect}
	}
	rec, err := f.s.RecordInbound(context.Background(), []inbox.Inbound{{Platform: p, Key: fmt.Sprintf("m%d", f.seq), At: f.now,
		From: inbox.User{ID: uid, Username: name, DisplayName: name}, Chat: chat, Done: true}})
	if err != nil {
		f.t.Fatal(err)
	}
	return rec[0].Member
}

// members records n members on Telegram with private chats.
func (f *ideasFixture) members(n int) []community.MemberID {
	f.t.Helper()
	out := make([]community.MemberID, n)
	for i := range out {
		out[i] = f.member(fmt.Sprintf("m%d", f.seq+1), community.Telegram, true)
	}
	return out
}

// post writes and posts an item as the member.
func (f *ideasFixture) post(m community.MemberID, kind feedback.Kind, text, lang string) feedback.Item {
	f.t.Helper()
	ctx := context.Background()
	d, err := f.board.Write(ctx, m, kind, text, lang, community.Telegram)
	if err != nil {
		f.t.Fatal(err)
	}
	it, err := f.board.Post(ctx, d.ID, m)
	if err != nil {
		f.t.Fatal(err)
	}
	return it
}

// vote presses the item's Vote button as each member.
func (f *ideasFixture) vote(id feedback.ItemID, members ...community.MemberID) feedback.VoteResult {
	f.t.Helper()
	var res feedback.VoteResult
	for _, m := range members {
		var err error
		if res, err = f.board.Vote(context.Background(), id, m); err != nil {
			f.t.Fatalf("vote of %d for %d: %v", m, id, err)
		}
	}
	return res
}

func (f *ideasFixture) move(id feedback.ItemID, to feedback.Status, comment string) feedback.Change {
	f.t.Helper()
	c, err := f.board.Move(context.Background(), id, to, comment, 0)
	if err != nil {
		f.t.Fatalf("move %d to %s: %v", id, to, err)
	}
	return c
}

func (f *ideasFixture) item(id feedback.ItemID) feedback.Item {
	f.t.Helper()
	it, err := f.s.Item(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return it
}

func (f *ideasFixture) count(q string, args ...any) int {
	f.t.Helper()
	return count(f.t, f.s, q, args...)
}

func (f *ideasFixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.s.DB().Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func ids(items []feedback.Item) []feedback.ItemID {
	out := make([]feedback.ItemID, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}
