package storage_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hearthbot/hearth/outbox"
)

// TestOpenSentMediaStreamsAKeptFile: the adapters' opener reads a kept
// file back with its size and type, and names a file never kept (or a
// hash that is no hash) as missing.
func TestOpenSentMediaStreamsAKeptFile(t *testing.T) {
	f := newShowcaseFixture(t, 0)
	file := mp4(3<<20+17, 5) // more than one chunk
	md := f.keep(file)
	rc, size, typ, err := f.s.OpenSentMedia(context.Background(), md.Hash.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(file)
	if got := hex.EncodeToString(h.Sum(nil)); got != hex.EncodeToString(want[:]) || size != int64(len(file)) || typ != "video/mp4" {
		t.Errorf("read sha256 %s, size %d, type %q; want %x, %d, video/mp4", got, size, typ, want, len(file))
	}
	for _, hash := range []string{strings.Repeat("ab", 32), "not-a-hash"} {
		if _, _, _, err := f.s.OpenSentMedia(context.Background(), hash); !errors.Is(err, outbox.ErrMediaMissing) {
			t.Errorf("open %q: %v, want ErrMediaMissing", hash, err)
		}
	}
}
