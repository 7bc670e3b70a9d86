package discord

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/bwmarrin/discordgo"
	"github.com/hearthbot/hearth/outbox"
)

// mediaFiles are a message's stored files as attachments of one message,
// read from the store as the body is built.
func mediaFiles(files []outbox.OpenedMedia) []*discordgo.File {
	out := make([]*discordgo.File, len(files))
	for i, f := range files {
		out[i] = &discordgo.File{Name: f.FileName(), ContentType: f.Type, Reader: sized{Reader: f.ReadCloser, n: f.Size}}
	}
	return out
}

// sized is a reader that knows how many bytes it holds, so the body can
// be made the right size at once.
type sized struct {
	io.Reader
	n int64
}

func (s sized) Size() int64 { return s.n }

// multipartBody is discordgo.MultipartBodyWithJSON with the buffer made
// the size of the files at once (those that tell it: bytes.Reader, sized),
// so that a 20 MB video is held once rather than copied as the buffer
// doubles. A message that cannot be encoded fails for good; a file that
// cannot be read fails this attempt.
func multipartBody(data any, files []*discordgo.File) (string, []byte, error) {
	payload, err := discordgo.Marshal(data)
	if err != nil {
		return "", nil, outbox.Permanent(fmt.Errorf("encode message: %w", err))
	}
	size := int64(len(payload)) + 1024
	for _, f := range files {
		if s, ok := f.Reader.(interface{ Size() int64 }); ok {
			size += s.Size() + 512
		}
	}
	body := bytes.NewBuffer(make([]byte, 0, size))
	w := multipart.NewWriter(body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="payload_json"`)
	h.Set("Content-Type", "application/json")
	p, err := w.CreatePart(h)
	if err == nil {
		_, err = p.Write(payload)
	}
	for i, f := range files {
		if err != nil {
			break
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files[%d]"; filename="%s"`, i, quoteEscaper.Replace(f.Name)))
		h.Set("Content-Type", cmp.Or(f.ContentType, "application/octet-stream"))
		if p, err = w.CreatePart(h); err == nil {
			_, err = io.Copy(p, f.Reader)
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return "", nil, fmt.Errorf("read the files to send: %w", err)
	}
	return w.FormDataContentType(), body.Bytes(), nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")
