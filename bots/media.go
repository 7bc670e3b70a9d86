package bots

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/feedback"
)

// MediaFetcher is implemented by adapters whose platform lets Hearth
// download a member's media (a photo for the showcase).
type MediaFetcher interface {
	// FetchMedia streams m's bytes. It refuses a file whose declared size
	// is over max before downloading it, and the stream fails with a
	// *TooBigError as soon as more than max bytes come, whatever was
	// declared. The caller closes the stream.
	FetchMedia(ctx context.Context, m Media, max int64) (io.ReadCloser, error)
}

// ErrTooBig is what every *TooBigError is (errors.Is).
var ErrTooBig = errors.New("media too big")

// ErrNoMediaFetch says a platform's adapter cannot download media.
var ErrNoMediaFetch = errors.New("this platform cannot download media")

// TooBigError says a file is over a size limit.
type TooBigError struct {
	Max  int64 // the limit, in bytes
	Size int64 // the size declared or read so far; 0 when unknown
}

// Error implements error.
func (e *TooBigError) Error() string {
	if e.Size > 0 {
		return fmt.Sprintf("media too big: %d bytes, more than the limit of %d", e.Size, e.Max)
	}
	return fmt.Sprintf("media too big: more than the limit of %d bytes", e.Max)
}

// Unwrap makes errors.Is(err, ErrTooBig) hold, and hands the chat layer
// the showcase's refusal to translate (showcase.too_big, EInvalid, naming
// the limit), found with errors.As.
func (e *TooBigError) Unwrap() []error {
	return []error{ErrTooBig, feedback.MediaTooBig(e.Max)}
}

// CheckMediaSize refuses a declared size over max, before any download; an
// unknown size (0) passes, the stream's limit catching it later.
func CheckMediaSize(declared, max int64) error {
	if declared > max {
		return &TooBigError{Max: max, Size: declared}
	}
	return nil
}

// LimitMedia returns rc failing with a *TooBigError once more than max
// bytes have come: the bytes up to max are read, the one past it is not.
func LimitMedia(rc io.ReadCloser, max int64) io.ReadCloser {
	return &limitedMedia{rc: rc, max: max, left: max}
}

// limitedMedia is LimitMedia's stream. It reads at most one byte past the
// limit, to tell a file of exactly max bytes from a longer one.
type limitedMedia struct {
	rc        io.ReadCloser
	max, left int64
	err       error
}

func (l *limitedMedia) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.rc.Read(p)
	if int64(n) > l.left {
		n, l.left = int(l.left), 0
		l.err = &TooBigError{Max: l.max}
		return n, l.err
	}
	l.left -= int64(n)
	return n, err
}

func (l *limitedMedia) Close() error { return l.rc.Close() }

// FetchMedia streams m, part of an update from platform p, within max
// bytes (MediaFetcher); ErrNoMediaFetch when p's adapter cannot.
func (r *Router) FetchMedia(ctx context.Context, p community.Platform, m Media, max int64) (io.ReadCloser, error) {
	f, ok := r.adapters[p].(MediaFetcher)
	if !ok {
		return nil, fmt.Errorf("%s: %w", p, ErrNoMediaFetch)
	}
	return f.FetchMedia(ctx, m, max)
}

// FileSize writes a file's size for people, to a tenth of a KB or MB.
func FileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
