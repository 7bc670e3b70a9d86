package console_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/bots/botstest"
	"github.com/hearthbot/hearth/bots/console"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// TestAttachedFileStreamsBack: /attach posts a member's file with its
// caption (a /command in it runs, as in a Telegram caption), and the file
// streams back through the router byte for byte, from the post and from
// a reply to it; a missing file is explained and posts nothing.
func TestAttachedFileStreamsBack(t *testing.T) {
	dir := t.TempDir()
	photo := botstest.Photo(4, 300_000)
	if err := os.WriteFile(filepath.Join(dir, "mug.jpg"), photo, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(photo)
	store := storage.New(storagetest.New(t))
	svc, err := botstest.NewService(bots.ServiceOptions{Store: store, CommunityName: "Tea Lovers", DefaultLanguage: "en", InOrder: true},
		botstest.Setup{Owners: []community.Account{{Platform: community.Console, UserID: console.OwnerID}}})
	if err != nil {
		t.Fatal(err)
	}
	var seen []bots.Media
	svc.Router.Registry().Add(bots.Command{Name: "probe", Permission: community.RoleMember, Where: bots.Anywhere,
		Run: func(ctx context.Context, r *bots.Request) (bots.Reply, error) {
			media := r.Media
			if r.ReplyTo != nil {
				media = r.ReplyTo.Media
			}
			seen = append(seen, media...)
			rc, err := svc.Router.FetchMedia(ctx, community.Console, media[0], 20<<20)
			if err != nil {
				return bots.Reply{}, err
			}
			defer rc.Close()
			h := sha256.New()
			n, err := io.Copy(h, rc)
			return bots.Reply{Text: fmt.Sprintf("fetched %d bytes, sha256 %s", n, hex.EncodeToString(h.Sum(nil)))}, err
		}})
	out := new(bytes.Buffer)
	script := "/attach " + filepath.Join(dir, "mug.jpg") + " /probe\n/attach " + filepath.Join(dir, "none.jpg") + " /probe\n" +
		"/as bob\n/reply alice /probe\n"
	svc.Add(console.New(console.Options{In: strings.NewReader(script), Out: out, Script: true, CommunityName: "Tea Lovers",
		Flush: svc.Dispatcher.DeliverPending}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := svc.Run(ctx); err != nil {
		t.Fatal(err)
	}
	wantInOrder(t, out.String(), "Alice attached mug.jpg (300000 bytes).",
		fmt.Sprintf("fetched 300000 bytes, sha256 %s", hex.EncodeToString(sum[:])),
		"There is no file at "+filepath.Join(dir, "none.jpg")+".",
		fmt.Sprintf("fetched 300000 bytes, sha256 %s", hex.EncodeToString(sum[:])))
	want := bots.Media{Kind: "photo", FileID: filepath.Join(dir, "mug.jpg"), Name: "mug.jpg", Size: 300_000}
	if len(seen) != 2 || seen[0] != want || seen[1] != want {
		t.Errorf("media = %+v, want %+v posted, then replied to", seen, want)
	}
	if n := strings.Count(out.String(), "fetched"); n != 2 {
		t.Errorf("%d fetches, want 2: the missing file posts nothing", n)
	}
}

// TestConsoleMediaOverTheLimitIsRefused: a file over the limit is refused
// by its declared size, by its size on disk when the declared one is
// wrong, and a path that is not an attached file is not read.
func TestConsoleMediaOverTheLimitIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.png")
	if err := os.WriteFile(path, make([]byte, 2000), 0o600); err != nil {
		t.Fatal(err)
	}
	c := console.New(console.Options{In: strings.NewReader(""), Out: io.Discard})
	ctx := context.Background()
	for _, m := range []bots.Media{{Kind: "photo", FileID: path, Size: 2000}, {Kind: "photo", FileID: path, Size: 10}} {
		rc, err := c.FetchMedia(ctx, m, 1000)
		var tooBig *bots.TooBigError
		if !errors.As(err, &tooBig) || tooBig.Max != 1000 {
			if rc != nil {
				rc.Close()
			}
			t.Errorf("declared %d: err = %v, want too big with the limit 1000", m.Size, err)
		}
	}
	for _, id := range []string{"big.png", dir} {
		if rc, err := c.FetchMedia(ctx, bots.Media{Kind: "photo", FileID: id}, 1000); err == nil {
			rc.Close()
			t.Errorf("fetch of %q succeeded, want refused", id)
		}
	}
}
