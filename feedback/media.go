package feedback

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/hearthbot/hearth/community"
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
var mp4Brands = []string{"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "M4VP", "dash", "msnv", "3gp4", "3gp5", "3gp6", "mmp4"}

// SniffMedia tells the type of a file from its first bytes (SniffLen of
// them, or the whole file when it is shorter). Anything but the accepted
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
