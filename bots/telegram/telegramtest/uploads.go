package telegramtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
)

// KeptUpload is the largest upload whose bytes a Call keeps (in Files):
// larger ones, such as a member's 20 MB video, are hashed as they arrive
// and only their size and SHA-256 are recorded (in Uploads), so that the
// fake does not hold them.
const KeptUpload = 1 << 20

// Upload is one uploaded file part as the fake received it.
type Upload struct {
	Name   string // the part's file name
	Size   int64
	SHA256 string // hex
}

// readUpload reads a file part, hashing it and keeping its bytes when
// they are few.
func readUpload(part *multipart.Part, up uploadsOf) error {
	h := sha256.New()
	keep := &keptBytes{max: KeptUpload}
	n, err := io.Copy(io.MultiWriter(h, keep), part)
	if err != nil {
		return fmt.Errorf("can't read part %q: %v", part.FormName(), err)
	}
	field := part.FormName()
	up.uploads[field] = Upload{Name: part.FileName(), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	up.names[field] = part.FileName()
	if !keep.over {
		up.files[field] = keep.buf.Bytes()
		if up.files[field] == nil {
			up.files[field] = []byte{}
		}
	}
	return nil
}

// keptBytes keeps what is written until it exceeds max, then drops it.
type keptBytes struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (k *keptBytes) Write(p []byte) (int, error) {
	if !k.over && k.buf.Len()+len(p) > k.max {
		k.over, k.buf = true, bytes.Buffer{}
	}
	if !k.over {
		k.buf.Write(p)
	}
	return len(p), nil
}
