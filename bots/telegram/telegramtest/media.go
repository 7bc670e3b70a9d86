package telegramtest

import (
	"context"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// Telegram's bounds on an album (sendMediaGroup).
const (
	minAlbum = 2
	maxAlbum = 10
)

// sendVideo accepts the video as an uploaded file part or as a file_id or
// URL string, with a caption parsed as sendPhoto's is.
func (s *Server) sendVideo(_ context.Context, c Call) reply {
	return s.sendFile(c, "video", func(m *message, f sentFile) {
		m.msg.Video = &models.Video{FileID: f.id, FileUniqueID: f.uniqueID, Width: 1280, Height: 720, Duration: 10,
			FileName: f.name, MimeType: "video/mp4", FileSize: f.size}
	})
}

// sendAnimation posts a GIF (or a soundless video) that plays, with an
// optional caption.
func (s *Server) sendAnimation(_ context.Context, c Call) reply {
	return s.sendFile(c, "animation", func(m *message, f sentFile) {
		m.msg.Animation = &models.Animation{FileID: f.id, FileUniqueID: f.uniqueID, Width: 480, Height: 270, Duration: 3,
			FileName: f.name, MimeType: "image/gif", FileSize: f.size}
	})
}

// albumItem is one element of sendMediaGroup's media.
type albumItem struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

// sendMediaGroup posts an album: 2 to 10 photos and videos, each uploaded
// as the file part its media names ("attach://<part>") or given by file_id
// or URL, each with its own caption. It answers the messages, which share
// a media_group_id.
func (s *Server) sendMediaGroup(_ context.Context, c Call) reply {
	var items []albumItem
	if err := c.JSON("media", &items); err != nil {
		return badRequest("can't parse media JSON object")
	}
	if len(items) < minAlbum || len(items) > maxAlbum {
		return badRequest("wrong number of media: %d, want %d to %d", len(items), minAlbum, maxAlbum)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, r := s.postTarget(c)
	if r != nil {
		return *r
	}
	files := make([]sentFile, len(items))
	captions := make([]shownText, len(items))
	for i, it := range items {
		if it.Type != "photo" && it.Type != "video" {
			return badRequest("media type %q is not supported here", it.Type)
		}
		f, r := s.albumFile(c, it.Media)
		if r != nil {
			return *r
		}
		caption, r := checkText(Call{Method: c.Method, Params: map[string]string{"caption": it.Caption, "parse_mode": it.ParseMode}}, "caption", maxCaptionLen)
		if r != nil {
			return *r
		}
		files[i], captions[i] = f, caption
	}
	group := strconv.FormatInt(s.nextCounter(), 10)
	out := make([]models.Message, len(items))
	for i, it := range items {
		m := s.addMessage(cs, c)
		m.msg.MediaGroupID, m.msg.Caption, m.msg.CaptionEntities = group, captions[i].text, captions[i].entities
		m.source = captions[i].source
		f := files[i]
		if it.Type == "video" {
			m.msg.Video = &models.Video{FileID: f.id, FileUniqueID: f.uniqueID, Width: 1280, Height: 720, Duration: 10,
				FileName: f.name, MimeType: "video/mp4", FileSize: f.size}
		} else {
			m.msg.Photo = []models.PhotoSize{{FileID: f.id, FileUniqueID: f.uniqueID, Width: 1280, Height: 960, FileSize: int(f.size)}}
		}
		out[i] = m.msg
	}
	return ok(out)
}

// albumFile is the file an album item names: an uploaded part, or a
// file_id or URL. The caller holds s.mu.
func (s *Server) albumFile(c Call, media string) (sentFile, *reply) {
	part, attached := strings.CutPrefix(media, "attach://")
	if !attached {
		if media == "" {
			return sentFile{}, fail(badRequest("there is no media in the request"))
		}
		n := s.nextCounter()
		return sentFile{id: media, uniqueID: "fake-unique-" + strconv.FormatInt(n, 10)}, nil
	}
	up, ok := c.Uploads[part]
	if !ok {
		return sentFile{}, fail(badRequest("can't find attached file %q", part))
	}
	n := s.nextCounter()
	return sentFile{id: "fake-album-" + strconv.FormatInt(n, 10), uniqueID: "fake-unique-" + strconv.FormatInt(n, 10),
		name: up.Name, data: c.Files[part], size: up.Size, uploaded: true}, nil
}
