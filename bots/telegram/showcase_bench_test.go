package telegram_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/telegram"
	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// BenchmarkShowcaseVideo20MB is a member's 20 MB video (Telegram's
// download limit) on its way through the showcase: downloaded from the
// Bot API (getFile, then the file), kept in PostgreSQL by the showcase
// (type, size and hash checked as it streams), then reshared from there
// with sendVideo. A new video each round, so each round stores one.
// peak-heap-MB is the most the heap's objects rose above what they were
// before the first round (sampled every millisecond), to hold against
// the file's 20 MB: the bound is twice that.
func BenchmarkShowcaseVideo20MB(b *testing.B) {
	store := storage.New(storagetest.New(b))
	a, tg := mediaAdapter(b, store)
	sc := feedback.NewShowcase(store, time.Now, 0, 0)
	const size = telegram.MaxDownload
	ctx := context.Background()
	var seed byte
	var kept feedback.Media
	runtime.GC()
	peak := watchHeap()
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		seed++
		video := botstest.GeneratedMedia{Seed: seed, Size: size}
		id := fmt.Sprintf("video-%d", seed)
		tg.AddFileSource(telegramtest.File{ID: id, Size: size, Name: "v.mp4", Open: func() io.Reader {
			r, _, _, _ := video.OpenSentMedia(ctx, "")
			return r
		}})
		rc, err := a.FetchMedia(ctx, bots.Media{Kind: "video", FileID: id}, size)
		if err != nil {
			b.Fatal(err)
		}
		kept, err = sc.KeepMedia(ctx, rc)
		rc.Close()
		if err != nil {
			b.Fatal(err)
		}
		d := outbox.Delivery{Target: outbox.Target{Platform: community.Telegram, ChatID: "-1001"},
			Message: bots.Reply{Text: "📸 Shared by Ann", Media: []outbox.MediaRef{{Hash: kept.Hash.String(), Type: string(kept.Type)}}}}
		if _, err := a.Send(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(peak()/(1<<20), "peak-heap-MB")
	calls := tg.Calls("sendVideo")
	if up := calls[len(calls)-1].Uploads["video"]; up.SHA256 != kept.Hash.String() || up.Size != size {
		b.Fatalf("reshared %+v; want the video kept, %s", up, kept.Hash)
	}
}
