package discordtest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Request is one REST call the fake received, kept for assertions.
type Request struct {
	Method  string
	Path    string // as sent, e.g. /api/v9/channels/1/messages
	Query   url.Values
	Header  http.Header
	Body    []byte          // the raw body, multipart included
	Payload json.RawMessage // the JSON body, or the payload_json part of a multipart body
	At      time.Time       // when it arrived
	Status  int             // the status the fake answered
}

// String names the request for failure messages (no headers, no body).
func (r Request) String() string { return fmt.Sprintf("%s %s -> %d", r.Method, r.Path, r.Status) }

// JSON decodes the request's JSON body, or the payload_json part of a
// multipart body, into v.
func (r Request) JSON(v any) error {
	if len(r.Payload) == 0 {
		return fmt.Errorf("%s %s has no JSON body", r.Method, r.Path)
	}
	if err := json.Unmarshal(r.Payload, v); err != nil {
		return fmt.Errorf("decode body of %s %s: %w", r.Method, r.Path, err)
	}
	return nil
}

// File is one file uploaded in a multipart request.
type File struct {
	Field       string // files[n]
	Name        string
	ContentType string
	Data        []byte
}

// Files returns the files uploaded with a multipart request (none for JSON).
func (r Request) Files() ([]File, error) {
	_, files, err := r.parts()
	return files, err
}

// parts splits a body into its JSON payload and uploaded files.
func (r Request) parts() ([]byte, []File, error) {
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") {
		return r.Body, nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(r.Body), params["boundary"])
	var payload []byte
	var files []File
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return payload, files, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read multipart body: %w", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, fmt.Errorf("read part %q: %w", p.FormName(), err)
		}
		if p.FormName() == "payload_json" {
			payload = data
		} else if p.FileName() != "" {
			files = append(files, File{Field: p.FormName(), Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		}
	}
}

// Requests returns the REST calls received so far whose method is method
// ("" for any) and whose path starts with pathPrefix, oldest first. A
// prefix without /api/ is taken relative to /api/v9 ("/channels/1/"), and
// "" matches every path. Failed calls (FailNext, validation) are included;
// their Status tells them apart.
func (s *Server) Requests(method, pathPrefix string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.matchingLocked(method, apiPath(pathPrefix))
}

// WaitRequests waits until n requests match as for Requests and returns
// the first n of them; on timeout it fails the test listing what was
// recorded.
func (s *Server) WaitRequests(t testing.TB, method, pathPrefix string, n int, timeout time.Duration) []Request {
	t.Helper()
	prefix := apiPath(pathPrefix)
	var got []Request
	ok := s.waitUntil(timeout, func() bool {
		got = s.matchingLocked(method, prefix)
		return len(got) >= n
	})
	if !ok {
		var all strings.Builder
		for _, r := range s.Requests("", "") {
			fmt.Fprintf(&all, "\n\t%s", r)
		}
		t.Fatalf("discordtest: waited %v for %d %s %s requests, got %d; recorded:%s", timeout, n, method, prefix, len(got), all.String())
	}
	return got[:n]
}

func (s *Server) matchingLocked(method, prefix string) []Request {
	var out []Request
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// apiPath makes a path prefix absolute: "/channels/" -> "/api/v9/channels/".
func apiPath(prefix string) string {
	if prefix == "" || strings.HasPrefix(prefix, "/api/") {
		return prefix
	}
	return "/api/v9" + prefix
}

// failure is a scripted answer for the next matching request.
type failure struct {
	method, prefix string
	status         int
	retryAfter     time.Duration
}

// FailNext makes the next request whose method is method ("" for any) and
// whose path starts with pathPrefix (as for Requests) answer status
// instead, without touching the fake's data. 429 answers as Discord does:
// a JSON body {"message": "You are being rate limited.", "retry_after":
// retryAfter, "global": false} with Retry-After and X-RateLimit-* headers,
// so that discordgo waits retryAfter seconds and retries by itself. Other
// statuses (500, 502, 503, ...) answer Discord's JSON error; discordgo
// retries 502 only. Each call scripts one failure; several queue up.
func (s *Server) FailNext(method, pathPrefix string, status int, retryAfter float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{method: method, prefix: apiPath(pathPrefix), status: status,
		retryAfter: time.Duration(retryAfter * float64(time.Second))})
}

func (s *Server) takeFailure(r *http.Request) (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.failures {
		if (f.method == "" || f.method == r.Method) && strings.HasPrefix(r.URL.Path, f.prefix) {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
			return f, true
		}
	}
	return failure{}, false
}

func writeFailure(w http.ResponseWriter, r *http.Request, f failure) {
	if f.status != http.StatusTooManyRequests {
		writeError(w, f.status, 0, fmt.Sprintf("%d: %s", f.status, http.StatusText(f.status)))
		return
	}
	secs := f.retryAfter.Seconds()
	sum := sha1.Sum([]byte(r.Method + " " + r.URL.Path))
	h := w.Header()
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(f.retryAfter).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", hex.EncodeToString(sum[:16]))
	h.Set("X-RateLimit-Scope", "user")
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message": "You are being rate limited.", "retry_after": secs, "global": false,
	})
}

// serveREST records a REST call and answers it. The answer is buffered and
// sent only once the call is recorded, so that a client never sees an
// answer before Requests shows the call, and handlers may answer while
// holding s.mu.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away
	}
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body, At: time.Now()}
	if payload, _, err := req.parts(); err == nil && json.Valid(payload) {
		req.Payload = payload
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	answer := &bufferedAnswer{header: http.Header{}}
	s.answer(answer, r)
	req.Status = answer.statusCode()
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.notifyLocked()
	s.mu.Unlock()
	maps.Copy(w.Header(), answer.header)
	w.WriteHeader(req.Status)
	w.Write(answer.body.Bytes())
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	route, ok := strings.CutPrefix(r.URL.Path, "/api/v9")
	if !ok {
		route, ok = strings.CutPrefix(r.URL.Path, "/api/v10")
	}
	if !ok || !strings.HasPrefix(route, "/") {
		notFound(w, r)
		return
	}
	if needsAuth(route) && r.Header.Get("Authorization") != "Bot "+s.token {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	if f, ok := s.takeFailure(r); ok {
		writeFailure(w, r, f)
		return
	}
	inner := r.Clone(r.Context())
	inner.URL.Path, inner.URL.RawPath = route, ""
	s.rest.ServeHTTP(w, inner)
}

// needsAuth: the gateway URL is public, and interaction callbacks and
// webhooks are authorised by the token in their path.
func needsAuth(route string) bool {
	if route == "/gateway" || strings.HasPrefix(route, "/interactions/") {
		return false
	}
	if rest, ok := strings.CutPrefix(route, "/webhooks/"); ok && strings.Count(rest, "/") >= 1 {
		return false
	}
	return true
}

// bufferedAnswer is an http.ResponseWriter that keeps the answer until
// serveREST sends it.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header implements http.ResponseWriter.
func (a *bufferedAnswer) Header() http.Header { return a.header }

// WriteHeader implements http.ResponseWriter; the first status counts.
func (a *bufferedAnswer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

// Write implements http.ResponseWriter.
func (a *bufferedAnswer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(b)
}

func (a *bufferedAnswer) statusCode() int {
	if a.status == 0 {
		return http.StatusOK
	}
	return a.status
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, 0, "500: Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// writeError answers Discord's JSON error {"message": ..., "code": ...}.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, map[string]any{"message": message, "code": code})
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, 0, "404: Not Found")
}

func noContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }
