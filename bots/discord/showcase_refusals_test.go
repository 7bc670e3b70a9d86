package discord_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/hearthbot/hearth/bots/discord/discordtest"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestShowcaseRefusesOversizedAndDisguisedFilesOnDiscord: with the
// showcase keeping 64 KB at most, a bigger photo is refused with the
// limit, whether its message says its size, lies about it, or the CDN
// does not tell it; a text file named photo.png and a script named
// evil.jpg are refused with the accepted types, recognised from their
// bytes. Each is told to alice
// privately; nothing is kept or submitted, and no card reaches #staff.
func TestShowcaseRefusesOversizedAndDisguisedFilesOnDiscord(t *testing.T) {
	t.Parallel()
	const limit = 64 << 10
	sw := startShowcaseWorld(t, limit, nil)
	big := append(jpegBytes(t, 60), bytes.Repeat([]byte{0}, 200<<10)...)
	notes := []byte("Tea notes: oolong 3 minutes, sencha 1 minute.\n")
	for _, tc := range []struct {
		name      string
		file      discordtest.Attachment
		answer    string
		downloads int
	}{
		{"oversized", file("big.jpg", "image/jpeg", big), "This file is too big to share: the limit is 64 KB.", 0},
		{"oversized, declared small", discordtest.Attachment{Name: "lying.jpg", ContentType: "image/jpeg", Size: int64(len(big)), Declared: 1000,
			Open: func() io.Reader { return bytes.NewReader(big) }}, "This file is too big to share: the limit is 64 KB.", 1},
		{"oversized, its length untold", discordtest.Attachment{Name: "chunked.jpg", ContentType: "image/jpeg", Size: int64(len(big)), Declared: 1000,
			Chunked: true, Open: func() io.Reader { return bytes.NewReader(big) }}, "This file is too big to share: the limit is 64 KB.", 1},
		{"text named photo.png", file("photo.png", "image/png", notes),
			"This file cannot be shared: only JPEG, PNG, GIF, WebP, MP4 are accepted, recognised from the file itself, not its name.", 1},
		{"script named evil.jpg", file("evil.jpg", "image/jpeg", []byte("#!/bin/sh\nrm -rf /\n")),
			"This file cannot be shared: only JPEG, PNG, GIF, WebP, MP4 are accepted, recognised from the file itself, not its name.", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dm := sw.dc.DMChannel(sw.alice)
			before, fetched := len(messagesWith(sw.dc, dm, tc.answer)), sw.dc.CDNRequests()
			sw.post(t, sw.alice, "my photo #showcase", tc.file)
			storagetest.Eventually(t, fmt.Sprintf("alice told %q", tc.answer), func() bool {
				return len(messagesWith(sw.dc, dm, tc.answer)) == before+1
			})
			if n := sw.dc.CDNRequests() - fetched; n != tc.downloads {
				t.Errorf("%d downloads, want %d", n, tc.downloads)
			}
		})
	}
	storagetest.WaitSettled(t, sw.store.DB())
	for _, table := range []string{"showcase_submissions", "showcase_media", "showcase_media_chunks"} {
		sw.waitCount(t, 0, `SELECT count(*) FROM `+table)
	}
	if got := messagesWith(sw.dc, sw.staff, "Showcase post"); len(got) != 0 {
		t.Errorf("%d review messages reached #staff, want none: %q", len(got), got[0].Content)
	}
	if n := len(messagesWith(sw.dc, sw.dc.DMChannel(sw.alice), "Thank you!")); n != 0 {
		t.Errorf("alice was thanked %d times for refused files", n)
	}
}

// TestShowcaseAlbumWithAnOversizedFileIsRefusedWholeOnDiscord: a message
// with a good photo and one over the limit is refused whole: alice is
// told the limit, no post is submitted and no card reaches #staff.
func TestShowcaseAlbumWithAnOversizedFileIsRefusedWholeOnDiscord(t *testing.T) {
	t.Parallel()
	sw := startShowcaseWorld(t, 64<<10, nil)
	sw.refuseAlbumWithAnOversizedFile(t)
	storagetest.WaitSettled(t, sw.store.DB())
	sw.waitCount(t, 0, `SELECT count(*) FROM showcase_submissions`)
	if got := messagesWith(sw.dc, sw.staff, "Showcase post"); len(got) != 0 {
		t.Errorf("%d review messages reached #staff, want none: %q", len(got), got[0].Content)
	}
}

// refuseAlbumWithAnOversizedFile posts a good photo and one over the
// showcase's 64 KB with #showcase as alice, and waits until she is told
// the limit.
func (sw *showcaseWorld) refuseAlbumWithAnOversizedFile(t *testing.T) {
	t.Helper()
	big := append(jpegBytes(t, 60), bytes.Repeat([]byte{0}, 200<<10)...)
	sw.post(t, sw.alice, "#showcase two cups", file("good.jpg", "image/jpeg", jpegBytes(t, 15)),
		discordtest.Attachment{Name: "big.jpg", ContentType: "image/jpeg", Size: int64(len(big)), Declared: 1000,
			Open: func() io.Reader { return bytes.NewReader(big) }})
	waitChannelMessage(t, sw.dc, sw.dc.DMChannel(sw.alice), "This file is too big to share: the limit is 64 KB.")
}
