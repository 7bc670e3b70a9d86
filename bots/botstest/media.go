package botstest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
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

// Video is an MP4 video of size bytes (at least 32): its "ftyp" box,
// then an "mdat" box of random bytes from seed.
func Video(seed byte, size int) []byte {
	b, err := io.ReadAll(videoStream(seed, int64(size)))
	if err != nil {
		panic(err)
	}
	return b
}

// Photo is a JPEG picture of size bytes (618 at least): a small
// real picture whose comments carry random bytes from seed up to the size.
func Photo(seed byte, size int) []byte {
	b, err := io.ReadAll(photoStream(seed, int64(size)))
	if err != nil {
		panic(err)
	}
	return b
}

// mp4Ftyp is an MP4's "ftyp" box: brand isom, compatible with mp41.
const mp4Ftyp = "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"

// videoStream streams Video(seed, size), never holding it.
func videoStream(seed byte, size int64) io.Reader {
	head := binary.BigEndian.AppendUint32([]byte(mp4Ftyp), uint32(size-int64(len(mp4Ftyp))))
	head = append(head, "mdat"...)
	if size < int64(len(head)) {
		panic(fmt.Sprintf("no MP4 video of %d bytes", size))
	}
	return io.MultiReader(bytes.NewReader(head), io.LimitReader(rand.NewChaCha8([32]byte{seed}), size-int64(len(head))))
}

// photoStream streams Photo(seed, size), never holding it: a small
// picture with a JFIF header, and comment segments (COM, up to 64 KB
// each) of random bytes between its frame header and its tables, so
// that the header a reader checks comes first, as in a camera's file.
func photoStream(seed byte, size int64) io.Reader {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(2, 5, color.RGBA{B: 200, A: 255})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	pic := buf.Bytes()
	sof := 2 // the end of the frame header (SOF0), after SOI and DQT
	for pic[sof+1] != 0xC0 {
		sof += 2 + int(binary.BigEndian.Uint16(pic[sof+2:]))
	}
	sof += 2 + int(binary.BigEndian.Uint16(pic[sof+2:]))
	jfif := []byte("\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	pad := size - int64(len(pic)+len(jfif))
	if pad < 0 || pad > 0 && pad < 4 {
		panic(fmt.Sprintf("no JPEG picture of %d bytes", size))
	}
	random := rand.NewChaCha8([32]byte{seed})
	parts := []io.Reader{bytes.NewReader(pic[:2]), bytes.NewReader(jfif), bytes.NewReader(pic[2:sof])}
	for pad > 0 {
		n := min(pad, 4+0xFFFF-2) // the marker, the length, at most 65533 bytes
		if rest := pad - n; rest > 0 && rest < 4 {
			n -= 4 // leave the last segment room for its own marker and length
		}
		parts = append(parts, bytes.NewReader([]byte{0xFF, 0xFE, byte((n - 2) >> 8), byte(n - 2)}), io.LimitReader(random, n-4))
		pad -= n
	}
	return io.MultiReader(append(parts, bytes.NewReader(pic[sof:]))...)
}

// SHA256 is data's SHA-256 in hex, as a MediaRef names it.
func SHA256(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// GeneratedMedia is a media store holding one file of Size bytes (a
// video, or a JPEG picture when Type is image/jpeg: Video's or Photo's
// bytes) that it generates as it is read, never holding it: for
// measuring what sending it costs without the database's share.
type GeneratedMedia struct {
	Seed byte
	Size int64
	Type string // video/mp4 when empty
}

// OpenSentMedia implements outbox.MediaOpener for any hash.
func (g GeneratedMedia) OpenSentMedia(context.Context, string) (io.ReadCloser, int64, string, error) {
	if g.Type == string(feedback.MediaJPEG) {
		return io.NopCloser(photoStream(g.Seed, g.Size)), g.Size, g.Type, nil
	}
	return io.NopCloser(videoStream(g.Seed, g.Size)), g.Size, cmp.Or(g.Type, "video/mp4"), nil
}

// Digest is the SHA-256 in hex of what GeneratedMedia sends.
func (g GeneratedMedia) Digest() string {
	r, _, _, _ := g.OpenSentMedia(context.Background(), "")
	h := sha256.New()
	_, _ = io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil))
}

// PhotoSource is Photo(seed, size) as a file a test can serve and check
// again without holding it.
func PhotoSource(seed byte, size int64) func() io.Reader {
	return func() io.Reader { return photoStream(seed, size) }
}

// VideoSource is Video(seed, size) as a file a test can serve and check
// again without holding it.
func VideoSource(seed byte, size int64) func() io.Reader {
	return func() io.Reader { return videoStream(seed, size) }
}

// Generated is size bytes of a deterministic random stream from seed: a
// file a test can serve and check again without holding it, when what it
// holds does not matter (PhotoSource and VideoSource are media).
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
