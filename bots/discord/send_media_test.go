package discord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// queueTo queues m to channel and wakes the dispatcher.
func (w *world) queueTo(t *testing.T, channel string, m bots.Reply) {
	t.Helper()
	err := w.store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Discord, ChatID: channel}, Message: m}})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Dispatcher.Wake()
}

// TestStoredMediaAreAttachmentsOfOneMessage: one stored photo, then an
// album of a photo and a video, are each one message whose attachments
// are the kept files (their bytes, names and types), with the text as its
// content and the buttons under it.
func TestStoredMediaAreAttachmentsOfOneMessage(t *testing.T) {
	t.Parallel()
	w, _, channel, _ := imageWorld(t, bots.Reply{})
	photo, video := pngBytes(t), botstest.Video(2, 2<<20+9)
	refs := []outbox.MediaRef{botstest.KeepMedia(t, w.store, photo, "tea.png"), botstest.KeepMedia(t, w.store, video, "")}
	for n, tc := range []struct {
		media []outbox.MediaRef
		data  [][]byte
		names []string
		types []string
	}{
		{refs[:1], [][]byte{photo}, []string{"tea.png"}, []string{"image/png"}},
		{refs, [][]byte{photo, video}, []string{"tea.png", "media-" + refs[1].Hash[:8] + ".mp4"}, []string{"image/png", "video/mp4"}},
	} {
		w.queueTo(t, channel, bots.Reply{Text: "Alice's *tea*", Media: tc.media, Buttons: moreButton})
		c := w.dc.WaitRequests(t, "POST", "/channels/"+channel+"/messages", n+1, 10*time.Second)[n]
		if c.Status != 200 {
			t.Fatalf("message refused: %s %s", c, c.Payload)
		}
		files, err := c.Files()
		if err != nil || len(files) != len(tc.data) {
			t.Fatalf("uploaded %d files (%v), want %d", len(files), err, len(tc.data))
		}
		for i, f := range files {
			if botstest.SHA256(f.Data) != botstest.SHA256(tc.data[i]) || f.Name != tc.names[i] || f.ContentType != tc.types[i] {
				t.Errorf("file %d: %s (%s), %d bytes; want %s (%s), %d bytes", i, f.Name, f.ContentType, len(f.Data), tc.names[i], tc.types[i], len(tc.data[i]))
			}
		}
		m := w.dc.Messages(channel)[n]
		if m.Content != "Alice's **tea**" || len(m.Attachments) != len(tc.data) || len(customIDs(m)) != 1 {
			t.Errorf("the channel shows %q with %d attachments, buttons %v", m.Content, len(m.Attachments), customIDs(m))
		}
		w.waitCount(t, 1, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND sent_ids = ARRAY[$1]`, m.ID)
	}
}

// TestMissingStoredMediaIsDead: a file that is not kept fails the delivery
// for good, naming it, and posts nothing.
func TestMissingStoredMediaIsDead(t *testing.T) {
	t.Parallel()
	w, _, channel, _ := imageWorld(t, bots.Reply{})
	missing := strings.Repeat("ef", 32)
	w.queueTo(t, channel, bots.Reply{Text: "gone", Media: []outbox.MediaRef{{Hash: missing, Type: "video/mp4"}}})
	w.waitCount(t, 1, `SELECT count(*) FROM deliveries WHERE status = 'dead' AND attempts = 1 AND last_error LIKE '%'||$1||'%not found%'`, missing)
	if n := len(w.dc.Requests("POST", "/channels/"+channel+"/messages")); n != 0 {
		t.Errorf("%d messages posted; want none", n)
	}
}
