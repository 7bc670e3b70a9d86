package telegram_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// queueToGroup queues m to the test group and wakes the dispatcher.
func (h *hearth) queueToGroup(t *testing.T, m bots.Reply) {
	t.Helper()
	err := h.store.QueueMessages(context.Background(), []outbox.Outgoing{{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"}, Message: m}})
	if err != nil {
		t.Fatal(err)
	}
	h.svc.Dispatcher.Wake()
}

// TestStoredPhotoIsUploadedWithItsCaption: a message with one stored
// photo is one sendPhoto uploading the kept bytes, the text as its caption
// and the buttons under it.
func TestStoredPhotoIsUploadedWithItsCaption(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{})
	photo := pngBytes(t)
	ref := botstest.KeepMedia(t, h.store, photo, "tea.png")
	h.queueToGroup(t, bots.Reply{Text: "Alice's *tea*", Media: []outbox.MediaRef{ref}, Buttons: moreButton})
	c := h.tg.WaitCalls(t, "sendPhoto", 1, 10*time.Second)[0]
	up := c.Uploads["photo"]
	if c.Status != 200 || up.SHA256 != botstest.SHA256(photo) || up.Size != int64(len(photo)) || up.Name != "tea.png" {
		t.Fatalf("sendPhoto %v uploaded %+v; want the %d bytes of tea.png", c, up, len(photo))
	}
	if c.Params["caption"] != "Alice's <b>tea</b>" || keyboardOf(t, c).InlineKeyboard[0][0].CallbackData != "chart:more" {
		t.Errorf("caption %q, keyboard %q", c.Params["caption"], c.Params["reply_markup"])
	}
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND sent_ids = ARRAY[$1]`, 1, strconv.Itoa(h.tg.Messages(group.ID)[0].ID))
}

// TestStoredAlbumIsOneMediaGroup: a photo and a video are one
// sendMediaGroup uploading both files, the caption on the first item;
// the delivery records both messages' ids. The buttons, which an album
// cannot carry, sit under a message of their own after it.
func TestStoredAlbumIsOneMediaGroup(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{})
	photo, video := pngBytes(t), botstest.Video(1, 2<<20+5) // the video spans three stored chunks
	refs := []outbox.MediaRef{botstest.KeepMedia(t, h.store, photo, ""), botstest.KeepMedia(t, h.store, video, "")}
	h.queueToGroup(t, bots.Reply{Text: "Our members' _teas_", Media: refs})
	c := h.tg.WaitCalls(t, "sendMediaGroup", 1, 10*time.Second)[0]
	if c.Status != 200 {
		t.Fatalf("sendMediaGroup refused: %v", c)
	}
	var items []struct{ Type, Media, Caption string }
	if err := c.JSON("media", &items); err != nil || len(items) != 2 {
		t.Fatalf("media %q: %v", c.Params["media"], err)
	}
	for i, want := range []struct {
		kind, sha, caption string
		size               int
	}{{"photo", botstest.SHA256(photo), "Our members' <i>teas</i>", len(photo)}, {"video", botstest.SHA256(video), "", len(video)}} {
		up := c.Uploads[strings.TrimPrefix(items[i].Media, "attach://")]
		if items[i].Type != want.kind || items[i].Caption != want.caption || up.SHA256 != want.sha || up.Size != int64(want.size) {
			t.Errorf("item %d: %+v uploading %+v; want a %s of %d bytes captioned %q", i, items[i], up, want.kind, want.size, want.caption)
		}
	}
	shown := h.tg.Messages(group.ID)
	if len(shown) != 2 || len(shown[0].Photo) != 1 || shown[1].Video == nil || shown[0].MediaGroupID == "" ||
		shown[0].Caption != "Our members' teas" {
		t.Fatalf("the group shows %+v", shown)
	}
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND sent_ids = ARRAY[$1, $2]`, 1,
		strconv.Itoa(shown[0].ID), strconv.Itoa(shown[1].ID))

	h.queueToGroup(t, bots.Reply{Text: "Vote", Media: refs, Buttons: moreButton})
	h.tg.WaitCalls(t, "sendMediaGroup", 2, 10*time.Second)
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND cardinality(sent_ids) = 3`, 1)
	last := h.tg.Messages(group.ID)[4]
	if last.Text != "Vote" || last.ReplyMarkup == nil {
		t.Errorf("after an album with buttons: %+v; want the text with the buttons", last)
	}
}

// TestMissingStoredMediaIsDead: a file that is not kept (never stored, or
// erased since) fails the delivery for good, naming the file, and sends
// nothing.
func TestMissingStoredMediaIsDead(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{})
	missing := strings.Repeat("ab", 32)
	h.queueToGroup(t, bots.Reply{Text: "gone", Media: []outbox.MediaRef{{Hash: missing, Type: "image/jpeg"}}})
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'dead' AND attempts = 1 AND last_error LIKE '%'||$1||'%not found%'`, 1, missing)
	for _, m := range []string{"sendPhoto", "sendMediaGroup", "sendMessage"} {
		if n := len(h.tg.Calls(m)); n != 0 {
			t.Errorf("%d %s calls; want none", n, m)
		}
	}
}

// TestStoredVideoIsStreamed: sending a 20 MB video allocates far less
// than twice the video: the bytes stream from the store to the Bot API,
// nothing holds the file (the fake server hashes it as it comes). Not
// parallel: the count is the whole process's.
func TestStoredVideoIsStreamed(t *testing.T) {
	video := botstest.GeneratedMedia{Seed: 3, Size: 20 << 20}
	a, tg := mediaAdapter(t, video)
	d := outbox.Delivery{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"},
		Message: bots.Reply{Text: "big", Media: []outbox.MediaRef{{Hash: strings.Repeat("cd", 32), Type: "video/mp4"}}}}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ids, err := a.Send(context.Background(), d)
	runtime.ReadMemStats(&after)
	if err != nil || len(ids) != 1 {
		t.Fatalf("send: %v, %v", ids, err)
	}
	up := tg.Calls("sendVideo")[0].Uploads["video"]
	if up.Size != video.Size || up.SHA256 != video.Digest() {
		t.Fatalf("uploaded %+v; want the %d bytes of the video", up, video.Size)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > uint64(video.Size)/2 {
		t.Errorf("sending 20 MB allocated %d bytes: the file is held, not streamed", allocated)
	}
}

// BenchmarkSendStoredVideo20MB sends a 20 MB video to the fake Bot API
// from a store that generates it: B/op is everything the process
// allocated for one send (the fake's side included).
func BenchmarkSendStoredVideo20MB(b *testing.B) {
	video := botstest.GeneratedMedia{Seed: 4, Size: 20 << 20}
	a, _ := mediaAdapter(b, video)
	d := outbox.Delivery{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"},
		Message: bots.Reply{Text: "big", Media: []outbox.MediaRef{{Hash: strings.Repeat("cd", 32), Type: "video/mp4"}}}}
	b.ReportAllocs()
	b.SetBytes(video.Size)
	var peak uint64
	for b.Loop() {
		if _, err := a.Send(context.Background(), d); err != nil {
			b.Fatal(err)
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	}
	b.ReportMetric(float64(peak)/(1<<20), "heap-inuse-MB")
}

// mediaAdapter is an adapter reading stored files from media, unpaced.
func mediaAdapter(t testing.TB, media outbox.MediaOpener) (*telegram.Adapter, *telegramtest.Server) {
	t.Helper()
	tg := telegramtest.New(t, token)
	a, err := telegram.New(context.Background(), telegram.Options{Token: token, APIURL: tg.URL(), Media: media, Limits: unpaced})
	if err != nil {
		t.Fatal(err)
	}
	return a, tg
}

// BenchmarkSendStoredVideo20MBFromPostgres sends a 20 MB video kept in
// PostgreSQL, read a chunk at a time as it is uploaded. peak-heap-MB is
// the most the heap's objects rose above what they were before the first
// send (sampled every millisecond), to hold against the file's 20 MB.
func BenchmarkSendStoredVideo20MBFromPostgres(b *testing.B) {
	store := storage.New(storagetest.New(b))
	const size = 20 << 20
	ref := botstest.KeepMedia(b, store, botstest.Video(7, size), "v.mp4")
	a, tg := mediaAdapter(b, store)
	d := outbox.Delivery{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"},
		Message: bots.Reply{Text: "big", Media: []outbox.MediaRef{ref}}}
	runtime.GC()
	peak := watchHeap()
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		if _, err := a.Send(context.Background(), d); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peak()/(1<<20), "peak-heap-MB")
	if up := tg.Calls("sendVideo")[0].Uploads["video"]; up.SHA256 != ref.Hash || up.Size != size {
		b.Fatalf("uploaded %+v; want the video", up)
	}
}

// watchHeap samples the heap's objects every millisecond from now until
// the returned function is called, which tells how far above the first
// sample they rose.
func watchHeap() func() float64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var top atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > base && v-base > top.Load() {
					top.Store(v - base)
				}
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		return float64(top.Load())
	}
}

// TestAlbumIsNotSentTwiceWhenItsButtonsFail: when the album went out and
// the message with its buttons failed (a 5xx), the retry sends only that
// message: the album's two ids count as its part sent.
func TestAlbumIsNotSentTwiceWhenItsButtonsFail(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{service: func(o *bots.ServiceOptions) {
		past := time.Now().Add(-time.Hour) // retries are due at once
		o.Now = func() time.Time { return past }
	}})
	refs := []outbox.MediaRef{botstest.KeepMedia(t, h.store, pngBytes(t), ""), botstest.KeepMedia(t, h.store, botstest.Video(8, 1000), "")}
	h.tg.FailNext("sendMessage", 502, "", 0)
	h.queueToGroup(t, bots.Reply{Text: "Vote", Media: refs, Buttons: moreButton})
	calls := h.tg.WaitCalls(t, "sendMessage", 2, 10*time.Second)
	if calls[0].Status != 502 || calls[1].Status != 200 || calls[1].Params["text"] != "Vote" {
		t.Fatalf("sendMessage calls %v; want 502 then the text", calls)
	}
	h.waitCount(t, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND cardinality(sent_ids) = 3`, 1)
	if n := len(h.tg.Calls("sendMediaGroup")); n != 1 {
		t.Errorf("the album was sent %d times, want once", n)
	}
}

// TestLargePictureGoesAsADocument: Telegram takes photos of at most 10 MB;
// a larger stored picture is sent as a document, whole.
func TestLargePictureGoesAsADocument(t *testing.T) {
	t.Parallel()
	picture := botstest.GeneratedMedia{Seed: 9, Size: 10<<20 + 1, Type: "image/jpeg"}
	a, tg := mediaAdapter(t, picture)
	ref := outbox.MediaRef{Hash: strings.Repeat("ee", 32), Type: "image/jpeg", Name: "big.jpg"}
	d := outbox.Delivery{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"},
		Message: bots.Reply{Text: "big", Media: []outbox.MediaRef{ref}}}
	if _, err := a.Send(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	docs := tg.Calls("sendDocument")
	if len(docs) != 1 || len(tg.Calls("sendPhoto")) != 0 {
		t.Fatalf("sent %v; want one document", tg.Calls(""))
	}
	if up := docs[0].Uploads["document"]; up.Name != "big.jpg" || up.Size != picture.Size || up.SHA256 != picture.Digest() {
		t.Errorf("uploaded %+v; want big.jpg whole", up)
	}
}

// TestStoredGIFPlays: a single stored GIF goes as an animation (which
// plays), not as a photo (which Telegram would show still).
func TestStoredGIFPlays(t *testing.T) {
	t.Parallel()
	h := startCustom(t, custom{})
	var b bytes.Buffer
	img := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White})
	if err := gif.EncodeAll(&b, &gif.GIF{Image: []*image.Paletted{img, img}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	ref := botstest.KeepMedia(t, h.store, b.Bytes(), "dance.gif")
	h.queueToGroup(t, bots.Reply{Text: "Tea dance", Media: []outbox.MediaRef{ref}})
	c := h.tg.WaitCalls(t, "sendAnimation", 1, 10*time.Second)[0]
	if up := c.Uploads["animation"]; c.Status != 200 || up.SHA256 != botstest.SHA256(b.Bytes()) || c.Params["caption"] != "Tea dance" {
		t.Fatalf("sendAnimation %v uploaded %+v", c, up)
	}
	if n := len(h.tg.Calls("sendPhoto")); n != 0 {
		t.Fatalf("%d sendPhoto calls, want none", n)
	}
}
