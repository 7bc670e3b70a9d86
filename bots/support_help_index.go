package bots

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hearthbot/hearth/community"
)

// helpIndex knows, in memory, where a member's plain group message may be
// a question: the help places and the members' private threads. The
// inbound path asks it about every group message, so that only those go
// through the inbox, and asks the database nothing. It is read again from
// the database once it is helpIndexTTL old (a place another replica marks
// counts here within that time) and at once after a change made here.
type helpIndex struct {
	load   func(ctx context.Context) (map[string]bool, error)
	now    func() time.Time
	log    func(err error)
	keys   atomic.Pointer[map[string]bool]
	mu     sync.Mutex // held by one load at a time
	loaded atomic.Int64
}

// helpIndexTTL is how long the index is used before it is read again.
const helpIndexTTL = 30 * time.Second

// helpKey names a help place (thread "" for a whole chat), and
// memberThreadKey a member's private thread, in the index.
func helpKey(p community.Platform, chat, thread string) string {
	return string(p) + ":" + chat + ":" + thread
}

func memberThreadKey(p community.Platform, thread string) string {
	return string(p) + ":thread:" + thread
}

// covers reports whether u is in a help place or a member's thread, as
// far as the index knows.
func (ix *helpIndex) covers(u Update) bool {
	keys := ix.current()
	if keys[helpKey(u.Platform, u.Chat.ID, "")] {
		return true
	}
	return u.ThreadID != "" && (keys[helpKey(u.Platform, u.Chat.ID, u.ThreadID)] || keys[memberThreadKey(u.Platform, u.ThreadID)])
}

// current returns the index, loading it first on its first use and
// starting a load in the background when it is old.
func (ix *helpIndex) current() map[string]bool {
	keys := ix.keys.Load()
	if keys == nil {
		ix.refresh(context.Background(), true)
		if keys = ix.keys.Load(); keys == nil {
			return nil // the database did not answer: nothing is covered until it does
		}
	}
	if ix.now().Sub(time.Unix(0, ix.loaded.Load())) >= helpIndexTTL {
		go ix.refresh(context.Background(), false)
	}
	return *keys
}

// refresh reads the index from the database; wait: after another load
// under way, rather than leave it to that one.
func (ix *helpIndex) refresh(ctx context.Context, wait bool) {
	if wait {
		ix.mu.Lock()
	} else if !ix.mu.TryLock() {
		return
	}
	defer ix.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	keys, err := ix.load(ctx)
	if err != nil {
		ix.log(err)
		return
	}
	ix.keys.Store(&keys)
	ix.loaded.Store(ix.now().UnixNano())
}
