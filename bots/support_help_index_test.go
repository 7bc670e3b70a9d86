package bots

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
)

// TestHelpIndexCoversPlacesAndThreads: a marked chat covers its topics, a
// marked topic only itself, a member's thread itself; the index is read
// on first use, again in the background once old, and kept when a read
// fails.
func TestHelpIndexCoversPlacesAndThreads(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	loads := make(chan struct{}, 10)
	keys := map[string]bool{helpKey(community.Telegram, "-1", ""): true, helpKey(community.Telegram, "-2", "7"): true,
		memberThreadKey(community.Discord, "55"): true}
	var fail error
	ix := &helpIndex{now: func() time.Time { return now }, log: func(error) {},
		load: func(context.Context) (map[string]bool, error) { loads <- struct{}{}; return keys, fail }}
	msg := func(p community.Platform, chat, thread string) Update {
		return Update{Platform: p, Chat: Chat{ID: chat}, ThreadID: thread}
	}
	for _, tc := range []struct {
		u    Update
		want bool
	}{
		{msg(community.Telegram, "-1", ""), true},
		{msg(community.Telegram, "-1", "3"), true},
		{msg(community.Telegram, "-2", "7"), true},
		{msg(community.Telegram, "-2", "8"), false},
		{msg(community.Telegram, "-2", ""), false},
		{msg(community.Discord, "55", "55"), true},
		{msg(community.Discord, "-1", ""), false},
	} {
		if got := ix.covers(tc.u); got != tc.want {
			t.Errorf("%+v: covered %v, want %v", tc.u, got, tc.want)
		}
	}
	if len(loads) != 1 {
		t.Errorf("%d loads, want the first use's only", len(loads))
	}
	<-loads
	fail, now = errors.New("database down"), now.Add(helpIndexTTL)
	ix.covers(msg(community.Telegram, "-1", "")) // starts a load in the background
	<-loads
	ix.refresh(context.Background(), true) // waits for the load under way, and fails too
	<-loads
	if !ix.covers(msg(community.Telegram, "-1", "")) {
		t.Error("a failed load dropped the index")
	}
}
