package feedback

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
	"golang.org/x/image/webp"
)

// MediaType is a kind of media the showcase accepts, recognised from the
// file's first bytes, never from its name.
type MediaType string

// The media types the showcase accepts.
const (
	MediaJPEG MediaType = "image/jpeg"
	MediaPNG  MediaType = "image/png"
	MediaGIF  MediaType = "image/gif"
	MediaWebP MediaType = "image/webp"
	MediaMP4  MediaType = "video/mp4"
)

// AcceptedMedia names the accepted types, for the member who sent another.
const AcceptedMedia = "JPEG, PNG, GIF, WebP, MP4"

// DefaultMaxMediaBytes is the largest file the showcase keeps unless
// configured otherwise: Telegram's bots may download no more.
const DefaultMaxMediaBytes int64 = 20 << 20

// SniffLen is how many first bytes SniffMedia needs to tell every type.
const SniffLen = 12

// MediaHeaderMax is how far into a file its header must end: what a
// MediaReader holds, at most, while it checks the header. JPEG is the
// type that needs room, its metadata (Exif, ICC profile) coming before
// the picture's size.
const MediaHeaderMax = 256 << 10

// MaxMediaPixels is the most pixels a picture may have: a larger one is
// a decompression bomb for whoever views it (100 megapixels are 400 MB
// decoded), not a customer's photo.
const MaxMediaPixels = 100_000_000

// MediaHash is a file's SHA-256: the showcase keeps each file once, by
// its content.
type MediaHash [sha256.Size]byte

// String is the hash in hex, for logs and messages.
func (h MediaHash) String() string { return hex.EncodeToString(h[:]) }

// ParseMediaHash reads a hash written by String.
func ParseMediaHash(s string) (MediaHash, error) {
	var h MediaHash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("media hash %q: not %d hex bytes", s, len(h))
	}
	copy(h[:], b)
	return h, nil
}

// Media is a file the showcase keeps.
type Media struct {
	Hash      MediaHash
	Type      MediaType
	Size      int64
	CreatedAt time.Time
}

// mp4Brands are the ISO base media file brands of MP4 video (the major
// brand in an "ftyp" box): what phones, Telegram and Discord send.
// QuickTime ("qt  ", an iPhone's .mov kept as a file) is not one of them:
// Telegram's sendVideo takes MPEG-4 only.
var mp4Brands = []string{"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "M4VP", "dash", "msnv", "3gp4", "3gp5", "3gp6", "mmp4"}

// SniffMedia tells the type of a file from its first bytes (SniffLen of
// them, or the whole file when it is shorter): the type the file claims,
// whose header a MediaReader then checks. Anything but the accepted
// types is EInvalid, naming them.
func SniffMedia(head []byte) (MediaType, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return MediaJPEG, nil
	case bytes.HasPrefix(head, []byte{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}):
		return MediaPNG, nil
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return MediaGIF, nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return MediaWebP, nil
	case len(head) >= 12 && string(head[4:8]) == "ftyp" && slices.Contains(mp4Brands, string(head[8:12])):
		return MediaMP4, nil
	}
	return "", community.Errorf(community.EInvalid, "showcase.bad_type", map[string]any{"Types": AcceptedMedia},
		"not an accepted media type (%s): starts with % x", AcceptedMedia, head[:min(len(head), SniffLen)])
}

// mediaNames name the types for members.
var mediaNames = map[MediaType]string{MediaJPEG: "JPEG", MediaPNG: "PNG", MediaGIF: "GIF", MediaWebP: "WebP", MediaMP4: "MP4"}

// imageConfigs read the header of a picture of each type.
var imageConfigs = map[MediaType]func(io.Reader) (image.Config, error){
	MediaJPEG: jpeg.DecodeConfig, MediaPNG: png.DecodeConfig, MediaGIF: gifConfig, MediaWebP: webp.DecodeConfig,
}

// checkHeader reads the header of a file of type t from r, the file from
// its first byte, and reads no further. It refuses a header that does not
// parse (showcase.broken_file) and a picture of more than MaxMediaPixels
// (showcase.too_many_pixels), both EInvalid.
func checkHeader(t MediaType, r io.Reader) error {
	if t == MediaMP4 {
		if err := checkMP4(r); err != nil {
			return mediaBroken(t, err)
		}
		return nil
	}
	c, err := imageConfigs[t](r)
	switch {
	case err != nil:
		return mediaBroken(t, err)
	case c.Width <= 0 || c.Height <= 0:
		return mediaBroken(t, fmt.Errorf("a picture of %dx%d pixels", c.Width, c.Height))
	case int64(c.Width)*int64(c.Height) > MaxMediaPixels:
		return community.Errorf(community.EInvalid, "showcase.too_many_pixels",
			map[string]any{"Width": c.Width, "Height": c.Height, "Limit": MaxMediaPixels / 1_000_000},
			"a picture of %dx%d pixels, over the limit of %d", c.Width, c.Height, MaxMediaPixels)
	}
	return nil
}

// gifConfig reads a GIF's header and screen, and checks that a block (an
// extension, a picture or the end) follows them, which image/gif does not
// when it reads the header only.
func gifConfig(r io.Reader) (image.Config, error) {
	br := bufio.NewReader(r) // gif reads through it, and leaves what follows
	c, err := gif.DecodeConfig(br)
	if err != nil {
		return c, err
	}
	b, err := br.ReadByte()
	if err != nil {
		return c, err
	}
	if b != 0x21 && b != 0x2C && b != 0x3B {
		return c, fmt.Errorf("gif: a block 0x%02x after the screen", b)
	}
	return c, nil
}

// mediaBroken refuses a file of type t whose header does not parse.
func mediaBroken(t MediaType, why error) error {
	if errors.Is(why, io.EOF) || errors.Is(why, io.ErrUnexpectedEOF) {
		why = errors.New("the file ends within its header")
	}
	return community.Errorf(community.EInvalid, "showcase.broken_file", map[string]any{"Type": mediaNames[t]},
		"a broken %s file: %v", mediaNames[t], why)
}

// maxFtypSize bounds an MP4's "ftyp" box: 16 bytes and 4 per compatible
// brand, of which real files list a handful.
const maxFtypSize = 1024

// mp4Boxes are the boxes that may follow "ftyp" at the top of an MP4
// file (ISO/IEC 14496-12): the movie, its data, fragments, padding.
var mp4Boxes = []string{"moov", "mdat", "free", "skip", "wide", "uuid", "meta", "moof", "mfra", "styp", "sidx", "ssix", "prft", "emsg", "pdin"}

// checkMP4 reads an MP4's "ftyp" box and the header of the box after it,
// and says what is wrong with them.
func checkMP4(r io.Reader) error {
	var head [8]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return err
	}
	size := binary.BigEndian.Uint32(head[:4])
	if size < 16 || size > maxFtypSize || size%4 != 0 {
		return fmt.Errorf("an ftyp box of %d bytes", size)
	}
	if _, err := io.CopyN(io.Discard, r, int64(size)-8); err != nil {
		return err
	}
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return err
	}
	size = binary.BigEndian.Uint32(head[:4])
	if typ := string(head[4:]); !slices.Contains(mp4Boxes, typ) {
		return fmt.Errorf("a box %q after ftyp, not one of the top level", typ)
	}
	switch size {
	case 0: // the box runs to the file's end
	case 1: // the size follows, in 64 bits
		var large [8]byte
		if _, err := io.ReadFull(r, large[:]); err != nil {
			return err
		}
		if n := binary.BigEndian.Uint64(large[:]); n < 16 {
			return fmt.Errorf("a %q box of %d bytes", head[4:], n)
		}
	default:
		if size < 8 {
			return fmt.Errorf("a %q box of %d bytes", head[4:], size)
		}
	}
	return nil
}

// MediaTooBig refuses a file over max bytes (EInvalid, naming the limit).
func MediaTooBig(max int64) error {
	return community.Errorf(community.EInvalid, "showcase.too_big", map[string]any{"Limit": FormatSize(max)},
		"the file is over the limit of %s", FormatSize(max))
}

// FormatSize writes a size for people: whole megabytes or kilobytes when
// it is one, else bytes.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
