package telegram_test

import (
	"context"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
)

// probe is a member command that hands the test the update it came with.
func probe(got chan<- bots.Update) bots.Command {
	return bots.Command{Name: "probe", Permission: community.RoleMember, Where: bots.Anywhere,
		Run: func(_ context.Context, r *bots.Request) (bots.Reply, error) {
			got <- r.Update
			return bots.Reply{Text: "seen"}, nil
		}}
}

func nextUpdate(t *testing.T, got <-chan bots.Update) bots.Update {
	t.Helper()
	select {
	case u := <-got:
		return u
	case <-time.After(10 * time.Second):
		t.Fatal("no update reached the probe")
		return bots.Update{}
	}
}

// TestMembersMediaDownloadsWhole: a photo and a 20 MB video a member
// posts come with their file ids and sizes, and stream back through the
// router byte for byte; an album's photos share their media group, a
// single post has none, and a reply to an album's photo (/share) carries
// the photo and its album.
func TestMembersMediaDownloadsWhole(t *testing.T) {
	t.Parallel()
	got := make(chan bots.Update, 4)
	h := startCustom(t, custom{commands: []bots.Command{probe(got)}})
	h.tg.AddFileSource(telegramtest.File{ID: "photo-a", Size: 300_000, Open: botstest.PhotoSource(1, 300_000)})
	h.tg.AddFileSource(telegramtest.File{ID: "photo-b", Size: 200_000, Open: botstest.PhotoSource(2, 200_000)})
	h.tg.AddFileSource(telegramtest.File{ID: "video", Size: telegram.MaxDownload, Name: "unboxing.mp4", Open: botstest.VideoSource(3, telegram.MaxDownload)})
	h.tg.PushUpdate(h.tg.MediaUpdate(group, alice, telegramtest.Media{Kind: "photo", FileID: "photo-a", Caption: "/probe", Group: "13570"}))
	h.tg.PushUpdate(h.tg.MediaUpdate(group, alice, telegramtest.Media{Kind: "photo", FileID: "photo-b", Caption: "/probe", Group: "13570"}))
	h.tg.PushUpdate(h.tg.MediaUpdate(group, alice, telegramtest.Media{Kind: "video", FileID: "video", Caption: "/probe"}))

	a, b, video := nextUpdate(t, got), nextUpdate(t, got), nextUpdate(t, got)
	if a.MediaGroup != "13570" || b.MediaGroup != "13570" || video.MediaGroup != "" {
		t.Errorf("media groups = %q, %q, %q; want the album's twice, then none", a.MediaGroup, b.MediaGroup, video.MediaGroup)
	}
	share := h.tg.MessageUpdate(group, alice, "/probe")
	share.Message.ReplyToMessage = h.tg.MediaUpdate(group, alice, telegramtest.Media{Kind: "photo", FileID: "photo-a", Group: "13570"}).Message
	h.tg.PushUpdate(share)
	if r := nextUpdate(t, got).ReplyTo; r == nil || len(r.Media) != 1 || r.Media[0] != a.Media[0] || r.MediaGroup != "13570" {
		t.Errorf("reply to a photo of the album: ReplyTo = %+v, want the photo and its album", r)
	}
	for _, tc := range []struct {
		u        bots.Update
		want     bots.Media
		open     func() io.Reader
		wantSize int64
	}{
		{a, bots.Media{Kind: "photo", FileID: "photo-a", Size: 300_000}, botstest.PhotoSource(1, 300_000), 300_000},
		{b, bots.Media{Kind: "photo", FileID: "photo-b", Size: 200_000}, botstest.PhotoSource(2, 200_000), 200_000},
		{video, bots.Media{Kind: "video", FileID: "video", Name: "unboxing.mp4", Size: telegram.MaxDownload}, botstest.VideoSource(3, telegram.MaxDownload), telegram.MaxDownload},
	} {
		if len(tc.u.Media) != 1 || tc.u.Media[0] != tc.want {
			t.Fatalf("media = %+v, want %+v", tc.u.Media, tc.want)
		}
		rc, err := h.svc.Router.FetchMedia(context.Background(), community.Telegram, tc.u.Media[0], telegram.MaxDownload)
		if err != nil {
			t.Fatalf("fetch %s: %v", tc.want.FileID, err)
		}
		sum, n := botstest.Digest(t, rc)
		rc.Close()
		wantSum, _ := botstest.Digest(t, tc.open())
		if sum != wantSum || n != tc.wantSize {
			t.Errorf("%s: %d bytes, sha256 %s; want %d bytes, %s", tc.want.FileID, n, sum, tc.wantSize, wantSum)
		}
	}
	if n := h.tg.Downloads(); n != 3 {
		t.Errorf("%d downloads, want 3", n)
	}
}

// adapter is the Telegram adapter alone against a fake Bot API: enough to
// fetch media, without a database.
func adapter(t testing.TB) (*telegram.Adapter, *telegramtest.Server) {
	t.Helper()
	tg := telegramtest.New(t, token)
	a, err := telegram.New(context.Background(), telegram.Options{Token: token, APIURL: tg.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return a, tg
}

// TestMediaOverTheLimitIsRefused: a file over the limit is refused before
// any download when its declared size says so, by Telegram's getFile over
// 20 MB, at the download's length, and, when a lying size let it through
// and nothing declares the length, as soon as the stream passes the
// limit: never more than the limit is read.
func TestMediaOverTheLimitIsRefused(t *testing.T) {
	t.Parallel()
	a, tg := adapter(t)
	const max = 1000
	tg.AddFileSource(telegramtest.File{ID: "declared", Size: 2000, Open: botstest.Generated(4, 2000)})
	tg.AddFileSource(telegramtest.File{ID: "huge", Size: telegram.MaxDownload + 1, Declared: 500, Name: "huge.mp4", Open: botstest.Generated(5, telegram.MaxDownload+1)})
	tg.AddFileSource(telegramtest.File{ID: "lying", Size: 5000, Declared: 500, Open: botstest.Generated(6, 5000)})
	tg.AddFileSource(telegramtest.File{ID: "lying-chunked", Size: 5000, Declared: 500, Chunked: true, Open: botstest.Generated(7, 5000)})
	ctx := context.Background()

	for _, tc := range []struct {
		name      string
		media     bots.Media
		max       int64
		wantMax   int64
		getFiles  int
		downloads int
	}{
		{"declared in the message", bots.Media{Kind: "document", FileID: "declared", Size: 2000}, max, max, 0, 0},
		{"refused by getFile", bots.Media{Kind: "video", FileID: "huge", Size: 500}, 50 << 20, telegram.MaxDownload, 1, 0},
		{"declared by getFile", bots.Media{Kind: "document", FileID: "declared"}, max, max, 1, 0},
		{"download's length", bots.Media{Kind: "document", FileID: "lying", Size: 500}, max, max, 1, 1},
	} {
		before, downloads := len(tg.Calls("getFile")), tg.Downloads()
		rc, err := a.FetchMedia(ctx, tc.media, tc.max)
		var tooBig *bots.TooBigError
		if !errors.As(err, &tooBig) || !errors.Is(err, bots.ErrTooBig) || tooBig.Max != tc.wantMax {
			if rc != nil {
				rc.Close()
			}
			t.Errorf("%s: err = %v, want too big with the limit %d", tc.name, err, tc.wantMax)
			continue
		}
		if n := len(tg.Calls("getFile")) - before; n != tc.getFiles {
			t.Errorf("%s: %d getFile calls, want %d", tc.name, n, tc.getFiles)
		}
		if n := tg.Downloads() - downloads; n != tc.downloads {
			t.Errorf("%s: %d downloads, want %d", tc.name, n, tc.downloads)
		}
	}

	rc, err := a.FetchMedia(ctx, bots.Media{Kind: "document", FileID: "lying-chunked", Size: 500}, max)
	if err != nil {
		t.Fatalf("fetch of a file declared small: %v, want a stream", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if !errors.Is(err, bots.ErrTooBig) || len(data) != max {
		t.Errorf("read %d bytes, err %v; want %d bytes, then too big", len(data), err, max)
	}
}

// TestFetchStreamsTheFile: fetching a 20 MB video allocates far less than
// the video: the bytes stream through, nothing holds the file. (Not
// parallel: the count is the whole process's.)
func TestFetchStreamsTheFile(t *testing.T) {
	a, tg := adapter(t)
	tg.AddFileSource(telegramtest.File{ID: "video", Size: telegram.MaxDownload, Name: "v.mp4", Open: botstest.Generated(8, telegram.MaxDownload)})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rc, err := a.FetchMedia(context.Background(), bots.Media{Kind: "video", FileID: "video"}, telegram.MaxDownload)
	if err != nil {
		t.Fatal(err)
	}
	_, n := botstest.Digest(t, rc)
	rc.Close()
	runtime.ReadMemStats(&after)
	if n != telegram.MaxDownload {
		t.Fatalf("read %d bytes, want %d", n, telegram.MaxDownload)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > telegram.MaxDownload/2 {
		t.Errorf("fetching 20 MB allocated %d bytes: the file is held, not streamed", allocated)
	}
}

// BenchmarkFetchMedia20MB fetches a 20 MB video from the fake Bot API
// and hashes it: B/op is everything the process allocated for it (the
// fake server's side included), far below the video's size.
func BenchmarkFetchMedia20MB(b *testing.B) {
	a, tg := adapter(b)
	tg.AddFileSource(telegramtest.File{ID: "video", Size: telegram.MaxDownload, Name: "v.mp4", Open: botstest.Generated(9, telegram.MaxDownload)})
	b.ReportAllocs()
	b.SetBytes(telegram.MaxDownload)
	var peak uint64
	for b.Loop() {
		rc, err := a.FetchMedia(context.Background(), bots.Media{Kind: "video", FileID: "video"}, telegram.MaxDownload)
		if err != nil {
			b.Fatal(err)
		}
		if _, n := botstest.Digest(b, rc); n != telegram.MaxDownload {
			b.Fatalf("read %d bytes", n)
		}
		rc.Close()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	}
	b.ReportMetric(float64(peak)/(1<<20), "heap-inuse-MB")
}
