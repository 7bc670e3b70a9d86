package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestStoredMediaAreNamedWithSizeAndHash: the console shows each stored
// file of a message as a line naming its kind, name, size and hash, under
// the text; a file that is not kept fails its delivery for good, naming
// it, and prints nothing.
func TestStoredMediaAreNamedWithSizeAndHash(t *testing.T) {
	store := storage.New(storagetest.New(t))
	photo, video := botstest.Photo(5, 1_300_000), botstest.Video(6, 3<<20)
	refs := []outbox.MediaRef{botstest.KeepMedia(t, store, photo, "tea.jpg"), botstest.KeepMedia(t, store, video, "")}
	missing := strings.Repeat("0f", 32)
	group := outbox.Target{Platform: community.Console, ChatID: "group"}
	err := store.QueueMessages(context.Background(), []outbox.Outgoing{
		{Target: group, Message: bots.Reply{Text: "Alice's tea", Media: refs[:1]}},
		{Target: group, Message: bots.Reply{Text: "Our teas", Media: refs}},
		{Target: group, Message: bots.Reply{Text: "Gone", Media: []outbox.MediaRef{{Hash: missing, Type: "image/png"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, out := scripted(t, bots.ServiceOptions{Store: store}, "hi\n", "")
	photoLine := "    [photo: tea.jpg, 1.2 MB, sha256 " + refs[0].Hash[:12] + "…]"
	wantInOrder(t, out.String(), "bot> Alice's tea", photoLine, "bot> Our teas", photoLine,
		"    [video: media-"+refs[1].Hash[:8]+".mp4, 3.0 MB, sha256 "+refs[1].Hash[:12]+"…]")
	if strings.Contains(out.String(), "Gone") {
		t.Errorf("the message with a missing file was printed:\n%s", out)
	}
	storagetest.WaitCount(t, store.DB(), 1, `SELECT count(*) FROM deliveries WHERE status = 'dead' AND last_error LIKE '%'||$1||'%not found%'`, missing)
}
