package discord

import (
	"context"
	"runtime"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/outbox"
)

// TestMultipartBodyHoldsTheFileOnce: the body of a message with a stored
// 20 MB video is built in one buffer the file's size: it allocates about
// the file once, where a buffer grown by doubling would copy it again.
// (Not parallel: the count is the whole process's.)
func TestMultipartBodyHoldsTheFileOnce(t *testing.T) {
	video := botstest.GeneratedMedia{Seed: 1, Size: 20 << 20}
	files, err := outbox.OpenMedia(context.Background(), video, []outbox.MediaRef{{Hash: "h", Type: "video/mp4", Name: "v.mp4"}})
	if err != nil {
		t.Fatal(err)
	}
	defer outbox.CloseMedia(files)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, body, err := multipartBody(&discordgo.MessageSend{Content: "big"}, mediaFiles(files))
	runtime.ReadMemStats(&after)
	if err != nil || int64(len(body)) < video.Size {
		t.Fatalf("body of %d bytes, %v; want the video in it", len(body), err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	if allocated > uint64(video.Size)*3/2 { // a buffer grown by doubling copies it again: 2x and more
		t.Errorf("building the body allocated %d bytes for a file of %d", allocated, video.Size)
	}
	t.Logf("building the body of a %d-byte file allocated %d bytes", video.Size, allocated)
}
