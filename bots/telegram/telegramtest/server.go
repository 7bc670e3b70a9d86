// Package telegramtest is a fake Telegram Bot API server for tests. It speaks
// the real wire protocol (multipart calls under /bot<token>/<method>, JSON
// answers with Telegram's error codes and descriptions), so the real
// go-telegram/bot client is exercised, and it rejects what Telegram rejects
// (bad HTML, oversized callback data, invalid commands) so rendering bugs
// surface in tests rather than in production.
package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// maxBody bounds one call's body: Telegram takes uploads up to 50 MB.
const maxBody = 50 << 20

// Server is a fake Bot API server for one bot token.
type Server struct {
	http  *httptest.Server
	token string
	bot   models.User
	done  chan struct{} // closed when the test ends, to release long polls

	mu       sync.Mutex
	now      func() time.Time
	changed  chan struct{} // closed and replaced whenever calls or updates change
	calls    []Call
	failures map[string][]reply

	updates    []queued
	nextUpdate int64
	confirmed  int64
	allowed    []string      // nil: Telegram's default set
	poller     chan struct{} // closed to end the running getUpdates
	webhook    Webhook

	chats     map[int64]*chatState
	users     map[int64]models.User // last seen in updates
	callbacks map[string]bool       // callback query ids not yet answered
	commands  map[string][]models.BotCommand
	counter   int64 // for ids that only need to be unique

	files     map[string]File // by file_id, for getFile and downloads
	downloads int
}

// handler answers one call; ctx ends when the client goes away.
type handler func(s *Server, ctx context.Context, c Call) reply

// New starts a fake Bot API server for token; it is closed when the test ends.
// The token must look like a real one ("123456:secret"); the bot's user id is
// the number before the colon.
func New(t testing.TB, token string) *Server {
	t.Helper()
	id, err := botID(token)
	if err != nil {
		t.Fatalf("telegramtest.New: %v", err)
	}
	s := &Server{
		token: token,
		bot: models.User{
			ID: id, IsBot: true, FirstName: "Hearth Test", Username: "hearth_test_bot",
			CanJoinGroups: true,
		},
		done:       make(chan struct{}),
		now:        time.Now,
		changed:    make(chan struct{}),
		failures:   map[string][]reply{},
		nextUpdate: 1,
		chats:      map[int64]*chatState{},
		users:      map[int64]models.User{},
		callbacks:  map[string]bool{},
		commands:   map[string][]models.BotCommand{},
	}
	s.http = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.done) // long polls return, so Close does not wait for them
		s.http.Close()
	})
	return s
}

func botID(token string) (int64, error) {
	idText, secret, ok := strings.Cut(token, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || secret == "" {
		return 0, fmt.Errorf("token must look like \"<bot id>:<secret>\"")
	}
	return id, nil
}

// URL is the server's base URL, to pass to bot.WithServerURL.
func (s *Server) URL() string { return s.http.URL }

// Token is the only token the server accepts.
func (s *Server) Token() string { return s.token }

// Bot is the bot's own user, as getMe answers it.
func (s *Server) Bot() models.User { return s.bot }

// SetNow replaces the clock used for message dates and call times, so tests
// can expect exact values.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// nextCounter returns a fresh number; the caller holds s.mu.
func (s *Server) nextCounter() int64 {
	s.counter++
	return s.counter
}

// notify wakes everyone waiting for calls or updates; the caller holds s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// serve answers one HTTP request the way api.telegram.org does.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if rest, isFile := strings.CutPrefix(r.URL.Path, "/file/bot"); isFile {
		s.serveFile(w, r, rest)
		return
	}
	token, method, ok := splitPath(r.URL.Path)
	if !ok {
		writeReply(w, failure(http.StatusNotFound, "Not Found"))
		return
	}
	if token != s.token {
		writeReply(w, failure(http.StatusUnauthorized, "Unauthorized"))
		return
	}
	params, up, err := readParams(r)
	s.mu.Lock()
	c := Call{Method: canonical(method), Params: params, Files: up.files, FileNames: up.names, Uploads: up.uploads, At: s.now()}
	s.mu.Unlock()
	var rep reply
	if err != nil {
		rep = badRequest("%v", err)
	} else {
		rep = s.answer(r, c)
	}
	c.Status, c.Error = rep.status, rep.description
	if rep.status == http.StatusOK {
		c.Error = ""
	}
	s.record(c)
	writeReply(w, rep)
}

// answer runs a scripted failure or the method's handler.
func (s *Server) answer(r *http.Request, c Call) reply {
	key := strings.ToLower(c.Method)
	s.mu.Lock()
	if queue := s.failures[key]; len(queue) > 0 {
		s.failures[key] = queue[1:]
		s.mu.Unlock()
		return queue[0]
	}
	s.mu.Unlock()
	h, ok := methods[key]
	if !ok {
		return failure(http.StatusNotFound, "Not Found: method not found")
	}
	return h(s, r.Context(), c)
}

// splitPath splits "/bot<token>/<method>".
func splitPath(path string) (token, method string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		return "", "", false
	}
	token, method, ok = strings.Cut(rest, "/")
	return token, method, ok && method != "" && !strings.Contains(method, "/")
}

// uploadsOf are a call's uploaded file parts: the bytes of the small
// ones, the size and SHA-256 of every one, and their file names.
type uploadsOf struct {
	files   map[string][]byte
	names   map[string]string
	uploads map[string]Upload
}

// readParams reads a call's parameters from the query string and a
// multipart, url-encoded or JSON body, as the real Bot API accepts all four,
// and the files uploaded with their names. Nested objects stay JSON text,
// as go-telegram/bot sends them.
func readParams(r *http.Request) (params map[string]string, up uploadsOf, err error) {
	params = map[string]string{}
	up = uploadsOf{files: map[string][]byte{}, names: map[string]string{}, uploads: map[string]Upload{}}
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		return params, up, readMultipart(r, params, up)
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, up, fmt.Errorf("can't parse form: %v", err)
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
	case "application/json":
		err := readJSON(r.Body, params)
		// Read to the end, or the server would not notice a long-polling
		// client going away.
		_, _ = io.Copy(io.Discard, r.Body)
		return params, up, err
	}
	return params, up, nil
}

func readMultipart(r *http.Request, params map[string]string, up uploadsOf) error {
	mr, err := r.MultipartReader()
	if err != nil {
		return fmt.Errorf("can't parse multipart body: %v", err)
	}
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		// go-telegram/bot sends an empty body, without even the closing
		// boundary, for calls without parameters (getMe).
		if err == io.EOF || parts == 0 && errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("can't parse multipart body: %v", err)
		}
		if part.FileName() != "" {
			if err := readUpload(part, up); err != nil {
				return err
			}
			continue
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return fmt.Errorf("can't read part %q: %v", part.FormName(), err)
		}
		params[part.FormName()] = string(data)
	}
}

func readJSON(body io.Reader, params map[string]string) error {
	var fields map[string]json.RawMessage
	if err := json.NewDecoder(body).Decode(&fields); err != nil && err != io.EOF {
		return fmt.Errorf("can't parse JSON object: %v", err)
	}
	for k, v := range fields {
		var str string
		if json.Unmarshal(v, &str) == nil {
			params[k] = str
		} else {
			params[k] = string(v)
		}
	}
	return nil
}

// reply is one answer: an encoded result when status is 200, else an error.
type reply struct {
	status      int
	result      json.RawMessage
	description string
	retryAfter  int
}

// ok answers result. It is encoded at once, while the handler still holds
// s.mu, and through a pointer, because several models (ChatMember,
// MaybeInaccessibleMessage, ReactionType) only marshal right through their
// pointer-receiver MarshalJSON methods.
func ok(result any) reply {
	ptr := reflect.New(reflect.TypeOf(result))
	ptr.Elem().Set(reflect.ValueOf(result))
	raw, err := json.Marshal(ptr.Interface())
	if err != nil {
		return failure(http.StatusInternalServerError, "Internal Server Error: telegramtest: "+err.Error())
	}
	return reply{status: http.StatusOK, result: raw}
}

func failure(code int, description string) reply {
	return reply{status: code, description: description}
}

func badRequest(format string, args ...any) reply {
	return failure(http.StatusBadRequest, "Bad Request: "+fmt.Sprintf(format, args...))
}

// writeReply writes rep with the HTTP status equal to error_code, as
// Telegram does.
func writeReply(w http.ResponseWriter, rep reply) {
	body := map[string]any{"ok": rep.status == http.StatusOK}
	if rep.status == http.StatusOK {
		body["result"] = rep.result
		if rep.description != "" {
			body["description"] = rep.description
		}
	} else {
		body["error_code"] = rep.status
		body["description"] = rep.description
		if rep.retryAfter > 0 {
			body["parameters"] = map[string]int{"retry_after": rep.retryAfter}
		}
	}
	data, _ := json.Marshal(body) // every value is plain or already encoded
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	_, _ = w.Write(data)
}
