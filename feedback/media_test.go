package feedback

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/hearthbot/hearth/community"
)

// errorKey is the message key of a domain error, or "".
func errorKey(err error) string {
	if e, ok := errors.AsType[*community.Error](err); ok {
		return e.Key
	}
	return ""
}

func TestSniffMediaTellsTypesByContent(t *testing.T) {
	for _, tc := range []struct {
		name string
		head []byte
		want MediaType
	}{
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1}, MediaJPEG},
		{"png", []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D}, MediaPNG},
		{"gif87a", []byte("GIF87a\x01\x00\x01\x00\x00\x00"), MediaGIF},
		{"gif89a", []byte("GIF89a"), MediaGIF},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBP"), MediaWebP},
		{"mp4 isom", []byte("\x00\x00\x00\x20ftypisom"), MediaMP4},
		{"mp4 mp42", []byte("\x00\x00\x00\x18ftypmp42"), MediaMP4},
		{"m4v", []byte("\x00\x00\x00\x1cftypM4V "), MediaMP4},
		{"dash", []byte("\x00\x00\x00\x18ftypdash"), MediaMP4},
	} {
		got, err := SniffMedia(tc.head)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestSniffMediaRefusesOtherContent(t *testing.T) {
	for _, tc := range []struct {
		name string
		head []byte
	}{
		{"script named .jpg", []byte("#!/bin/sh\nrm -rf /")},
		{"html", []byte("<html><script>")},
		{"empty", nil},
		{"jpeg cut short", []byte{0xFF, 0xD8}},
		{"riff wave", []byte("RIFF\x24\x00\x00\x00WAVE")},
		{"quicktime", []byte("\x00\x00\x00\x14ftypqt  ")},
		{"heic", []byte("\x00\x00\x00\x18ftypheic")},
		{"pdf", []byte("%PDF-1.7\n%")},
	} {
		_, err := SniffMedia(tc.head)
		if community.ErrorCode(err) != community.EInvalid || errorKey(err) != "showcase.bad_type" {
			t.Errorf("%s: got %v, want showcase.bad_type", tc.name, err)
			continue
		}
		if e, _ := errors.AsType[*community.Error](err); e.Data["Types"] != AcceptedMedia {
			t.Errorf("%s: types %v, want %q", tc.name, e.Data["Types"], AcceptedMedia)
		}
	}
}

// png is a file of n bytes that starts as a PNG.
func png(n int) []byte {
	b := bytes.Repeat([]byte{7}, n)
	copy(b, []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})
	return b
}

func TestMediaReaderPassesTheFileOnAndHashesIt(t *testing.T) {
	file := png(100_000)
	// One byte at a time: the type is told even when the source gives
	// fewer bytes than SniffLen per read.
	m := NewMediaReader(iotest.OneByteReader(bytes.NewReader(file)), 100_000)
	got, err := io.ReadAll(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, file) {
		t.Fatalf("passed on %d bytes, not the file's %d", len(got), len(file))
	}
	md := m.Media()
	if md.Type != MediaPNG || md.Size != 100_000 || md.Hash != MediaHash(sha256.Sum256(file)) {
		t.Fatalf("media %s %d %s; want png, 100000, the file's hash", md.Type, md.Size, md.Hash)
	}
}

func TestMediaReaderRefusesAFileOverTheLimitAsItComes(t *testing.T) {
	file := png(1<<20 + 1)
	m := NewMediaReader(bytes.NewReader(file), 1<<20)
	n, err := io.Copy(io.Discard, m)
	if errorKey(err) != "showcase.too_big" {
		t.Fatalf("got %v, want showcase.too_big", err)
	}
	if n > 1<<20 {
		t.Fatalf("passed on %d bytes, more than the limit", n)
	}
	if e, _ := errors.AsType[*community.Error](err); e.Data["Limit"] != "1 MB" {
		t.Fatalf("limit %v, want 1 MB", e.Data["Limit"])
	}
	if _, again := m.Read(make([]byte, 10)); errorKey(again) != "showcase.too_big" {
		t.Fatalf("read after the refusal: %v", again)
	}
}

func TestMediaReaderTakesAFileOfExactlyTheLimit(t *testing.T) {
	m := NewMediaReader(bytes.NewReader(png(4096)), 4096)
	if n, err := io.Copy(io.Discard, m); err != nil || n != 4096 {
		t.Fatalf("got %d, %v; want 4096 bytes", n, err)
	}
}

func TestMediaReaderRefusesADisguisedFileBeforePassingAByte(t *testing.T) {
	m := NewMediaReader(strings.NewReader("#!/bin/sh\necho pwned\n"), 0)
	buf := make([]byte, 64)
	n, err := m.Read(buf)
	if n != 0 || errorKey(err) != "showcase.bad_type" {
		t.Fatalf("got %d bytes, %v; want none and showcase.bad_type", n, err)
	}
}

func TestMediaReaderDefaultLimitIsTelegrams(t *testing.T) {
	if m := NewMediaReader(strings.NewReader(""), 0); m.max != 20<<20 {
		t.Fatalf("default limit %d, want 20 MB", m.max)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{20 << 20: "20 MB", 512 << 10: "512 KB", 1000: "1000 B", 3<<20 + 1: "3145729 B"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMediaHashRoundTrip(t *testing.T) {
	h := MediaHash(sha256.Sum256([]byte("tea")))
	got, err := ParseMediaHash(h.String())
	if err != nil || got != h {
		t.Fatalf("got %s, %v; want %s", got, err, h)
	}
	if _, err := ParseMediaHash("abc"); err == nil {
		t.Fatal("a short hash parsed")
	}
}
