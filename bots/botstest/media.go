package botstest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/hearthbot/hearth/feedback"
	"github.com/hearthbot/hearth/outbox"
)

// MediaKeeper keeps a member's file, as storage does.
type MediaKeeper interface {
	PutMedia(ctx context.Context, m *feedback.MediaReader) (feedback.Media, error)
}

// KeepMedia keeps data in the store and returns its reference for a
// message, named name.
func KeepMedia(t testing.TB, store MediaKeeper, data []byte, name string) outbox.MediaRef {
	t.Helper()
	md, err := store.PutMedia(context.Background(), feedback.NewMediaReader(bytes.NewReader(data), 0))
	if err != nil {
		t.Fatal(err)
	}
	return outbox.MediaRef{Hash: md.Hash.String(), Type: string(md.Type), Name: name}
}

// Video is an MP4 video of size bytes: an MP4 header, then random bytes
// from seed.
func Video(seed byte, size int) []byte {
	b := make([]byte, size)
	_, _ = rand.NewChaCha8([32]byte{seed}).Read(b)
	copy(b, "\x00\x00\x00\x20ftypisom")
	return b
}

// SHA256 is data's SHA-256 in hex, as a MediaRef names it.
func SHA256(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// GeneratedMedia is a media store holding one file of Size bytes (a
// video, or of Type) that it generates as it is read, never holding it:
// for measuring what sending it costs without the database's share.
type GeneratedMedia struct {
	Seed byte
	Size int64
	Type string // video/mp4 when empty
}

// OpenSentMedia implements outbox.MediaOpener for any hash.
func (g GeneratedMedia) OpenSentMedia(context.Context, string) (io.ReadCloser, int64, string, error) {
	header := []byte("\x00\x00\x00\x20ftypisom")
	body := io.LimitReader(rand.NewChaCha8([32]byte{g.Seed}), g.Size-int64(len(header)))
	return io.NopCloser(io.MultiReader(bytes.NewReader(header), body)), g.Size, cmp.Or(g.Type, "video/mp4"), nil
}

// Digest is the SHA-256 in hex of what GeneratedMedia sends.
func (g GeneratedMedia) Digest() string {
	r, _, _, _ := g.OpenSentMedia(context.Background(), "")
	h := sha256.New()
	_, _ = io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil))
}

// Generated is size bytes of a deterministic random stream from seed: a
// file a test can serve and check again without holding it.
func Generated(seed byte, size int64) func() io.Reader {
	return func() io.Reader {
		return io.LimitReader(rand.NewChaCha8([32]byte{seed}), size)
	}
}

// Digest is the SHA-256 in hex and the length of what r reads.
func Digest(t testing.TB, r io.Reader) (string, int64) {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}
