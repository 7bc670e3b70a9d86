package discordtest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// CDNHost is the host of the attachment URLs the fake hands out, as
// Discord's; a client reaching the fake through HTTPClient downloads them
// from the fake itself.
const CDNHost = "cdn.discordapp.com"

// Attachment is a file a user attaches to a message.
type Attachment struct {
	Name        string
	ContentType string
	// Size is the number of bytes the CDN serves.
	Size int64
	// Declared is the size the message says; 0 means Size. A test sets
	// another to play a client that lies.
	Declared int64
	// Open returns the bytes, Size of them, at each download: a
	// generator lets a test serve a big file without holding it.
	Open func() io.Reader
	// Chunked serves the download without a Content-Length: only
	// counting the bytes tells its size.
	Chunked bool
}

// cdn is the files the fake's CDN serves, by URL path. It has its own lock:
// bot messages register their uploads while s.mu is held.
type cdn struct {
	files    map[string]Attachment
	requests int
}

// Attach adds a to message m (from MessageCreate, before it is
// dispatched) and serves its bytes at the attachment's URL, which is on
// CDNHost and signed (ex, is, hm) as Discord's are.
func (s *Server) Attach(m *discordgo.Message, a Attachment) *discordgo.MessageAttachment {
	size := a.Declared
	if size == 0 {
		size = a.Size
	}
	at := s.publish(m.ChannelID, a)
	at.Size = int(size)
	m.Attachments = append(m.Attachments, at)
	return at
}

// publish puts a on the CDN and returns its message attachment.
func (s *Server) publish(channelID string, a Attachment) *discordgo.MessageAttachment {
	id := NewID()
	path := "/attachments/" + channelID + "/" + id + "/" + url.PathEscape(a.Name)
	expires := strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 16)
	u := "https://" + CDNHost + path + "?ex=" + expires + "&is=" + expires + "&hm=" + id + "&"
	s.cdnMu.Lock()
	if s.cdn.files == nil {
		s.cdn.files = map[string]Attachment{}
	}
	s.cdn.files[path] = a
	s.cdnMu.Unlock()
	return &discordgo.MessageAttachment{ID: id, Filename: a.Name, ContentType: a.ContentType, Size: int(a.Size),
		URL: u, ProxyURL: strings.Replace(u, CDNHost, "media.discordapp.net", 1)}
}

// attachments puts the files the bot uploaded on the CDN.
func (s *Server) attachments(channelID string, files []File) []*discordgo.MessageAttachment {
	var out []*discordgo.MessageAttachment
	for _, f := range files {
		data := f.Data
		out = append(out, s.publish(channelID, Attachment{Name: f.Name, ContentType: f.ContentType, Size: int64(len(data)),
			Open: func() io.Reader { return bytes.NewReader(data) }}))
	}
	return out
}

// CDNRequests is the number of requests the CDN answered, for a known
// attachment or not.
func (s *Server) CDNRequests() int {
	s.cdnMu.Lock()
	defer s.cdnMu.Unlock()
	return s.cdn.requests
}

// serveCDN streams an attachment's bytes, whatever the query, and answers
// 404 for an unknown one, as Discord's CDN does. It needs no token.
func (s *Server) serveCDN(w http.ResponseWriter, r *http.Request) {
	s.cdnMu.Lock()
	a, found := s.cdn.files[r.URL.EscapedPath()]
	s.cdn.requests++
	s.cdnMu.Unlock()
	if !found || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.Error(w, "This content is no longer available.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	if !a.Chunked {
		w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	}
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, io.LimitReader(a.Open(), a.Size))
	}
}
