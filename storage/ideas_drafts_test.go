package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// TestAbandonedDraftsGo: a draft nobody posted for a day is deleted when
// the next draft is written; a younger one stays.
func TestAbandonedDraftsGo(t *testing.T) {
	f := newIdeasFixture(t)
	ctx := context.Background()
	alice, bob := f.member("alice", community.Telegram, true), f.member("bob", community.Telegram, true)
	old, err := f.board.Write(ctx, alice, "", "Dark mode", "en", community.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(23 * time.Hour)
	young, err := f.board.Write(ctx, bob, "", "Mint tea", "en", community.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(2 * time.Hour)
	if _, err := f.board.Write(ctx, bob, "", "Green tea", "en", community.Telegram); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Draft(ctx, old.ID, alice); community.ErrorCode(err) != community.ENotFound {
		t.Errorf("the day-old draft: %v, want it gone", err)
	}
	if _, err := f.s.Draft(ctx, young.ID, bob); err != nil {
		t.Errorf("the younger draft: %v", err)
	}
	if got := f.count(`SELECT count(*) FROM feedback_drafts`); got != 2 {
		t.Errorf("%d drafts, want 2", got)
	}
}
