package outbox

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxMedia is how many stored files one message carries: Telegram's
// largest album and Discord's attachments per message.
const MaxMedia = 10

// MediaRef names a stored file (a member's photo or video the showcase
// keeps, a file sent on a support ticket) sent with a message. The delivery holds only the reference; the
// adapter reads the bytes from a MediaOpener as it sends them.
type MediaRef struct {
	Hash string `json:"hash"`           // hex SHA-256 of the file
	Type string `json:"type"`           // its MIME type: image/* and video/* are shown as such, anything else is a document
	Name string `json:"name,omitempty"` // file name shown by the platform; made from the type when empty
}

// IsVideo reports whether the file is a video.
func (r MediaRef) IsVideo() bool { return strings.HasPrefix(r.Type, "video/") }

// IsDocument reports whether the file is neither a picture nor a video:
// it is sent as a file to download.
func (r MediaRef) IsDocument() bool {
	return !r.IsVideo() && !strings.HasPrefix(r.Type, "image/")
}

// FileName is the name the file is uploaded under.
func (r MediaRef) FileName() string {
	if r.Name != "" {
		return r.Name
	}
	ext := strings.TrimPrefix(r.Type[strings.IndexByte(r.Type, '/')+1:], "x-")
	if ext == "jpeg" {
		ext = "jpg"
	}
	return "media-" + r.Hash[:min(8, len(r.Hash))] + "." + ext
}

func (r MediaRef) validate() error {
	if b, err := hex.DecodeString(r.Hash); err != nil || len(b) != 32 {
		return fmt.Errorf("media %q: the hash is not a hex SHA-256", r.Hash)
	}
	if kind, sub, ok := strings.Cut(r.Type, "/"); !ok || kind == "" || sub == "" {
		return fmt.Errorf("media %s: type %q is not a MIME type", r.Hash, r.Type)
	}
	return nil
}

// ErrMediaMissing is what a MediaOpener answers for a file it does not
// keep (never stored, or erased since the message was queued).
var ErrMediaMissing = errors.New("stored media not found")

// MediaOpener reads stored files when a message carrying them is sent.
// storage implements it.
type MediaOpener interface {
	// OpenSentMedia streams the file whose hex SHA-256 is hash, and tells
	// its size and type; ErrMediaMissing when there is none.
	OpenSentMedia(ctx context.Context, hash string) (r io.ReadCloser, size int64, mediaType string, err error)
}

// OpenedMedia is a stored file being sent: its reference (with the stored
// type), its size and its bytes as a stream.
type OpenedMedia struct {
	MediaRef
	Size int64
	io.ReadCloser
}

// OpenMedia opens a message's stored files for an adapter to send. A file
// that is not kept, or no opener at all, fails the delivery for good,
// naming the file; the caller closes what it gets (CloseMedia).
func OpenMedia(ctx context.Context, o MediaOpener, refs []MediaRef) ([]OpenedMedia, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	if o == nil {
		return nil, Permanent(fmt.Errorf("media %s: this platform was given no media store", refs[0].Hash))
	}
	out := make([]OpenedMedia, 0, len(refs))
	for _, ref := range refs {
		r, size, typ, err := o.OpenSentMedia(ctx, ref.Hash)
		if errors.Is(err, ErrMediaMissing) {
			CloseMedia(out)
			return nil, Permanent(fmt.Errorf("media %s: %w", ref.Hash, err))
		}
		if err != nil {
			CloseMedia(out)
			return nil, fmt.Errorf("media %s: %w", ref.Hash, err)
		}
		if typ != "" {
			ref.Type = typ
		}
		out = append(out, OpenedMedia{MediaRef: ref, Size: size, ReadCloser: r})
	}
	return out, nil
}

// CloseMedia closes opened files.
func CloseMedia(files []OpenedMedia) {
	for _, f := range files {
		f.Close()
	}
}
