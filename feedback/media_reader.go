package feedback

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"

	"github.com/hearthbot/hearth/community"
)

// MediaReader reads a file for the showcase as it streams in, a piece at
// a time: before passing on a byte it reads the file's header (at most
// MediaHeaderMax bytes, held until passed on) and refuses a type it does
// not accept, a header that does not parse and a picture too large to
// view; it refuses the file as soon as it grows past the limit, and
// hashes what it passed on. A store copies it where it keeps media and,
// at io.EOF, keeps the file under Hash with Type and Size.
type MediaReader struct {
	r    io.Reader
	max  int64
	head []byte // the header, read to check the file, not passed on yet
	typ  MediaType
	n    int64
	sum  hash.Hash
	err  error
	// anyType keeps a file of any type (NewFileReader): one of the
	// showcase's types is checked as such, anything else is a document.
	anyType bool
}

// NewMediaReader reads r, a file of at most max bytes (0:
// DefaultMaxMediaBytes).
func NewMediaReader(r io.Reader, max int64) *MediaReader {
	if max <= 0 {
		max = DefaultMaxMediaBytes
	}
	return &MediaReader{r: r, max: max, sum: sha256.New()}
}

// NewFileReader reads r, a file of any type of at most max bytes (0:
// DefaultMaxMediaBytes), such as a photo or a document sent on a support
// ticket. A picture or a video of a type the showcase accepts is checked
// as NewMediaReader checks it; any other file's type is what its first
// bytes look like (http.DetectContentType). An empty file is refused.
func NewFileReader(r io.Reader, max int64) *MediaReader {
	m := NewMediaReader(r, max)
	m.anyType = true
	return m
}

// Read passes on the file's bytes. Its errors are the file's: a type not
// accepted (showcase.bad_type), a broken header (showcase.broken_file) or
// a picture of too many pixels (showcase.too_many_pixels) on the first
// read, a file over the limit (showcase.too_big) once more than max bytes
// came, or the underlying reader's; after one, every read returns it
// again.
func (m *MediaReader) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if m.typ == "" {
		if err := m.sniff(); err != nil {
			m.err = err
			return 0, err
		}
	}
	var n int
	var err error
	if len(m.head) > 0 {
		n = copy(p, m.head)
		m.head = m.head[n:]
	} else {
		n, err = m.r.Read(p)
	}
	m.n += int64(n)
	if m.n > m.max {
		m.err = MediaTooBig(m.max)
		return 0, m.err
	}
	m.sum.Write(p[:n])
	if err != nil {
		m.err = err
	}
	return n, err
}

// sniff reads the file's header, tells the type from its first bytes and
// checks that the header parses; what it read is passed on first.
func (m *MediaReader) sniff() error {
	h := &headReader{r: m.r, max: MediaHeaderMax}
	var first [SniffLen]byte
	if _, err := io.ReadFull(h, first[:]); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	typ, err := SniffMedia(h.read)
	if err != nil && m.anyType {
		return m.sniffDocument(h)
	}
	if err != nil {
		return err
	}
	if err := checkHeader(typ, io.MultiReader(bytes.NewReader(h.read), h)); err != nil {
		switch {
		case h.err != nil: // the source broke, not the file
			return h.err
		case int64(len(h.read)) > m.max: // too big, whatever its header
			return MediaTooBig(m.max)
		}
		return err
	}
	m.typ, m.head = typ, h.read
	return nil
}

// sniffDocument tells the type of a file that is no picture or video the
// showcase knows, from its first bytes.
func (m *MediaReader) sniffDocument(h *headReader) error {
	if _, err := io.ReadFull(h, make([]byte, documentSniffLen-len(h.read))); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if len(h.read) == 0 {
		return community.Errorf(community.EInvalid, "file.empty", nil, "an empty file")
	}
	typ, _, _ := strings.Cut(http.DetectContentType(h.read), ";")
	m.typ, m.head = MediaType(typ), h.read
	return nil
}

// documentSniffLen is how many first bytes http.DetectContentType reads.
const documentSniffLen = 512

// headReader keeps what it reads from r, up to max bytes: a file's
// header, read to check it and passed on after.
type headReader struct {
	r    io.Reader
	max  int
	read []byte
	err  error // r's own error, other than io.EOF
}

// errHeaderTooLong stops a header that goes on past MediaHeaderMax.
var errHeaderTooLong = fmt.Errorf("the header goes on past the first %s", FormatSize(MediaHeaderMax))

func (h *headReader) Read(p []byte) (int, error) {
	room := h.max - len(h.read)
	if room <= 0 {
		return 0, errHeaderTooLong
	}
	n, err := h.r.Read(p[:min(len(p), room)])
	h.read = append(h.read, p[:n]...)
	if err != nil && !errors.Is(err, io.EOF) {
		h.err = err
	}
	return n, err
}

// Type is the file's type, known after the first read.
func (m *MediaReader) Type() MediaType { return m.typ }

// Size is how many bytes were passed on.
func (m *MediaReader) Size() int64 { return m.n }

// Hash is the SHA-256 of what was passed on: the file's, once Read
// returned io.EOF.
func (m *MediaReader) Hash() MediaHash {
	var h MediaHash
	m.sum.Sum(h[:0])
	return h
}

// Media describes the file read, once Read returned io.EOF.
func (m *MediaReader) Media() Media {
	return Media{Hash: m.Hash(), Type: m.typ, Size: m.n}
}
