package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Call is one recorded Bot API call, failed ones included.
type Call struct {
	Method string            // as the Bot API spells it ("sendMessage"), whatever case the client used
	Params map[string]string // form fields; nested objects are JSON text
	Files  map[string][]byte // uploaded file parts by field name, those of at most KeptUpload bytes
	At     time.Time         // when the call arrived
	Status int               // HTTP status answered, equal to error_code on failure
	Error  string            // the description answered on failure

	// FileNames are the uploaded parts' file names by field name.
	FileNames map[string]string
	// Uploads are every uploaded part's size and SHA-256 by field name.
	Uploads map[string]Upload
}

// JSON decodes the JSON text of form field into v, for nested objects such
// as reply_markup, commands or scope.
func (c Call) JSON(field string, v any) error {
	text, ok := c.Params[field]
	if !ok {
		return fmt.Errorf("%s call has no field %q", c.Method, field)
	}
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return fmt.Errorf("%s call field %q: %w", c.Method, field, err)
	}
	return nil
}

// String summarises the call for test failure messages.
func (c Call) String() string {
	var b strings.Builder
	b.WriteString(c.Method)
	if text, ok := c.Params["text"]; ok {
		fmt.Fprintf(&b, " text=%q", text)
	}
	if c.Status != http.StatusOK {
		fmt.Fprintf(&b, " -> %d %s", c.Status, c.Error)
	}
	return b.String()
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notify()
}

// Calls returns the recorded calls of method, in order; method "" means all,
// and the name is matched case-insensitively.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(method)
}

func (s *Server) callsLocked(method string) []Call {
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// WaitCalls waits until at least n calls of method (or of any method when
// method is "") have been answered and returns them all. It fails the test,
// listing what was recorded, when timeout passes first. Call it from the
// test's goroutine.
func (s *Server) WaitCalls(t testing.TB, method string, n int, timeout time.Duration) []Call {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, wake := s.callsLocked(method), s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-wake:
		case <-deadline.C:
			t.Fatalf("telegramtest: waited %v for %d %q calls, got %d; recorded:\n%s",
				timeout, n, method, len(got), s.describeCalls())
			return nil
		}
	}
}

func (s *Server) describeCalls() string {
	var b strings.Builder
	for _, c := range s.Calls("") {
		fmt.Fprintf(&b, "  %s\n", c)
	}
	if b.Len() == 0 {
		return "  (no calls)\n"
	}
	return b.String()
}

// FailNext makes the next call of method answer errorCode with description
// instead of running. A 429 carries parameters.retry_after = retryAfter.
// Calls queue: FailNext twice fails the next two calls. An empty
// description gets Telegram's usual one for the code.
func (s *Server) FailNext(method string, errorCode int, description string, retryAfter int) {
	if description == "" {
		description = defaultDescription(errorCode, retryAfter)
	}
	rep := failure(errorCode, description)
	if errorCode == http.StatusTooManyRequests {
		rep.retryAfter = retryAfter
	}
	key := strings.ToLower(method)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[key] = append(s.failures[key], rep)
}

func defaultDescription(code, retryAfter int) string {
	switch code {
	case http.StatusTooManyRequests:
		return fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
	case http.StatusForbidden:
		return "Forbidden: bot was blocked by the user"
	case http.StatusBadRequest:
		return "Bad Request: chat not found"
	case http.StatusConflict:
		return conflictPoller
	case http.StatusBadGateway:
		return "Bad Gateway"
	}
	return http.StatusText(code)
}
