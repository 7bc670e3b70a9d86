package telegramtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// MaxDownload is the largest file a bot may download: getFile refuses a
// bigger one, as Telegram's Bot API does.
const MaxDownload = 20 << 20

// fileTooBig is Telegram's answer to getFile for a file over MaxDownload.
const fileTooBig = "file is too big"

// File is a file members sent, which getFile describes and the file
// download serves.
type File struct {
	ID string // file_id
	// Size is the number of bytes the download serves.
	Size int64
	// Declared is the file_size getFile and the message say; 0 means
	// Size. A test sets another to play a platform that lies.
	Declared int64
	// Open returns the bytes, Size of them, at each download: a
	// generator lets a test serve a big file without holding it.
	Open func() io.Reader
	// Name is the document's or video's file name, if any.
	Name string
	// Chunked serves the download without a Content-Length, as a proxy
	// may: only counting the bytes tells its size.
	Chunked bool

	uniqueID, path string
}

// declared is the size Telegram says the file has.
func (f File) declared() int64 {
	if f.Declared != 0 {
		return f.Declared
	}
	return f.Size
}

// AddFile registers a file with the given bytes under id.
func (s *Server) AddFile(id string, data []byte) {
	s.AddFileSource(File{ID: id, Size: int64(len(data)), Open: func() io.Reader { return bytes.NewReader(data) }})
}

// AddFileSource registers f. Its file_path is "<kind>s/file_N<ext>", the
// kind and extension guessed from its name, as Telegram's look.
func (s *Server) AddFileSource(f File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nextCounter()
	f.uniqueID = "fake-unique-file-" + strconv.FormatInt(n, 10)
	f.path = filePath(f.Name, n)
	if s.files == nil {
		s.files = map[string]File{}
	}
	s.files[f.ID] = f
}

// Downloads is the number of file downloads served (complete or not).
func (s *Server) Downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads
}

func filePath(name string, n int64) string {
	ext := ".jpg"
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ext = name[i:]
	}
	dir := "photos"
	switch strings.ToLower(ext) {
	case ".mp4", ".mov", ".webm":
		dir = "videos"
	case ".jpg", ".jpeg", ".png", ".webp":
	default:
		dir = "documents"
	}
	return dir + "/file_" + strconv.FormatInt(n, 10) + ext
}

// getFile describes a registered file, or refuses as Telegram does: a
// file over MaxDownload is "too big", an unknown id is "invalid".
func (s *Server) getFile(_ context.Context, c Call) reply {
	if r := required(c, "file_id"); r != nil {
		return *r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, found := s.files[c.Params["file_id"]]
	switch {
	case !found:
		return badRequest("invalid file_id")
	case f.Size > MaxDownload:
		return badRequest(fileTooBig)
	}
	return ok(models.File{FileID: f.ID, FileUniqueID: f.uniqueID, FileSize: f.declared(), FilePath: f.path})
}

// serveFile answers GET /file/bot<token>/<file_path> with the file's
// bytes, streamed, and 404 for anything else, as Telegram does.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	var f File
	found := false
	if token == s.token && r.Method == http.MethodGet {
		for _, candidate := range s.files {
			if candidate.path == path && candidate.Size <= MaxDownload {
				f, found = candidate, true
				break
			}
		}
	}
	if found {
		s.downloads++
	}
	s.mu.Unlock()
	if !found {
		writeReply(w, failure(http.StatusNotFound, "Not Found"))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if !f.Chunked {
		w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	}
	_, _ = io.Copy(w, io.LimitReader(f.Open(), f.Size))
}

// Media is what a member's photo, video or document message carries.
type Media struct {
	Kind    string // "photo", "video" or "document"
	FileID  string // a file registered with AddFile or AddFileSource
	Caption string
	// Group is the media_group_id: every message of one album has the
	// same.
	Group string
}

// MediaUpdate makes an update for a message from `from` in chat carrying
// m, with the sizes and names the registered file declares (a photo comes
// in two sizes, a thumbnail first, as Telegram sends them), the chat's
// next message id and the current date. A caption starting with a
// /command gets its bot_command entity.
func (s *Server) MediaUpdate(chat models.Chat, from models.User, m Media) models.Update {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chat(chat.ID)
	cs.lastMessage++
	msg := &models.Message{ID: cs.lastMessage, From: &from, Date: int(s.now().Unix()), Chat: chat,
		Caption: m.Caption, CaptionEntities: commandEntity(m.Caption), MediaGroupID: m.Group}
	f := s.files[m.FileID]
	f.ID = m.FileID
	switch m.Kind {
	case "photo":
		msg.Photo = []models.PhotoSize{
			{FileID: f.ID + "-thumb", FileUniqueID: f.uniqueID + "-thumb", Width: 90, Height: 90, FileSize: 1024},
			{FileID: f.ID, FileUniqueID: f.uniqueID, Width: 1280, Height: 1280, FileSize: int(f.declared())},
		}
	case "video":
		msg.Video = &models.Video{FileID: f.ID, FileUniqueID: f.uniqueID, Width: 1920, Height: 1080, Duration: 30,
			FileName: f.Name, MimeType: "video/mp4", FileSize: f.declared()}
	default:
		msg.Document = &models.Document{FileID: f.ID, FileUniqueID: f.uniqueID, FileName: f.Name,
			MimeType: "application/octet-stream", FileSize: f.declared()}
	}
	return models.Update{Message: msg}
}
