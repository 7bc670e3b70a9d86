package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// botAPI answers getUpdates with the next scripted batch of update ids
// and every other method with {"ok":true}, recording the methods called.
type botAPI struct {
	mu      sync.Mutex
	calls   []string
	batches [][]int64
}

func (b *botAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, method)
	body := `{"ok":true,"result":true}`
	if method == "getUpdates" {
		var ids []string
		if len(b.batches) > 0 {
			for _, id := range b.batches[0] {
				ids = append(ids, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":1,"type":"private"},"text":"hi"}}`, id, id))
			}
			b.batches = b.batches[1:]
		}
		body = `{"ok":true,"result":[` + strings.Join(ids, ",") + `]}`
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

func (b *botAPI) called(method string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.calls {
		if c == method {
			n++
		}
	}
	return n
}

func call(t *testing.T, g *ackGate, ctx context.Context, method string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://bot.api/bot1:x/"+method, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := g.Do(req)
	if resp != nil {
		resp.Body.Close()
	}
	return resp, err
}

// held reports whether the gate holds the next getUpdates: called with a
// context already cancelled, a held call returns the context's error
// without reaching the Bot API, and one let through reaches it.
func held(t *testing.T, g *ackGate, api *botAPI) bool {
	t.Helper()
	before := api.called("getUpdates")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := call(t, g, ctx, "getUpdates")
	reached := api.called("getUpdates") > before
	if !reached && !errors.Is(err, context.Canceled) {
		t.Fatalf("held getUpdates returned %v, want context.Canceled", err)
	}
	return !reached
}

// TestAckGateHoldsGetUpdatesUntilTheBatchIsHandled: after a batch of three
// updates, the next getUpdates (whose offset would confirm all three to
// Telegram) does not reach the Bot API while any of them is unhandled, in
// whatever order they finish; other methods are never held, or replies
// could not go out while a batch is handled. Once the last one is
// handled, the call goes through.
func TestAckGateHoldsGetUpdatesUntilTheBatchIsHandled(t *testing.T) {
	t.Parallel()
	api := &botAPI{batches: [][]int64{{7, 8, 9}, {10}}}
	g := newAckGate(&http.Client{Transport: api})
	if held(t, g, api) {
		t.Fatal("the first getUpdates was held with nothing pending")
	}
	if n := api.called("getUpdates"); n != 1 {
		t.Fatalf("getUpdates reached the API %d times, want 1", n)
	}
	for _, id := range []int64{9, 7} {
		if !held(t, g, api) {
			t.Fatalf("getUpdates went through with update 8 (and others) unhandled")
		}
		if _, err := call(t, g, context.Background(), "sendMessage"); err != nil || api.called("sendMessage") == 0 {
			t.Fatalf("sendMessage held or failed while updates are pending: %v", err)
		}
		g.handled(id)
	}
	if !held(t, g, api) {
		t.Fatal("getUpdates went through with update 8 unhandled")
	}
	wait := g.wait()
	select {
	case <-wait:
		t.Fatal("the wait channel is closed with update 8 unhandled")
	default:
	}
	g.handled(8)
	select {
	case <-wait:
	default:
		t.Fatal("the wait channel stays open after the whole batch was handled")
	}
	if held(t, g, api) { // takes batch {10}
		t.Fatal("getUpdates held after the whole batch was handled")
	}
	if !held(t, g, api) {
		t.Fatal("getUpdates went through with update 10 unhandled")
	}
	g.handled(10)
	if held(t, g, api) {
		t.Fatal("getUpdates held after update 10 was handled")
	}
}

// TestAckGateWaiterIsReleased: a getUpdates waiting in the gate goes
// through as soon as the last pending update is handled.
func TestAckGateWaiterIsReleased(t *testing.T) {
	t.Parallel()
	api := &botAPI{batches: [][]int64{{1, 2}}}
	g := newAckGate(&http.Client{Transport: api})
	if _, err := call(t, g, context.Background(), "getUpdates"); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "http://bot.api/bot1:x/getUpdates", nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := g.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	g.handled(1)
	g.handled(2)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("getUpdates still held 10s after the batch was handled")
	}
	if n := api.called("getUpdates"); n != 2 {
		t.Errorf("getUpdates reached the API %d times, want 2", n)
	}
}

// TestLimitsDefaultToTelegrams: an adapter given no limits paces at
// Telegram's broadcast limits: 30 messages a second in all, one a second
// to one chat, 20 a minute (a burst of 20, then one every 3 s) to one
// group; a private chat has no group limit.
func TestLimitsDefaultToTelegrams(t *testing.T) {
	t.Parallel()
	l := newLimits(Limits{})
	if l.rates != (Limits{PerSecond: 30, ChatPerSecond: 1, GroupPerMinute: 20}) {
		t.Errorf("default limits = %+v", l.rates)
	}
	if l.global.Limit() != 30 || l.global.Burst() != 30 {
		t.Errorf("global limit %v, burst %d; want 30 a second", l.global.Limit(), l.global.Burst())
	}
	g := l.chat("-1001")
	if g.chat.Limit() != 1 || g.chat.Burst() != 1 {
		t.Errorf("per chat: limit %v, burst %d; want one a second", g.chat.Limit(), g.chat.Burst())
	}
	if g.group == nil || g.group.Burst() != 20 || time.Duration(float64(time.Second)/float64(g.group.Limit())) != 3*time.Second {
		t.Errorf("per group: %+v; want 20 a minute", g.group)
	}
	if p := l.chat("42"); p.group != nil {
		t.Errorf("a private chat has a group limit")
	}
	custom := newLimits(Limits{ChatPerSecond: 1000})
	if custom.rates.ChatPerSecond != 1000 || custom.rates.PerSecond != 30 || custom.rates.GroupPerMinute != 20 {
		t.Errorf("limits given one field = %+v; want the others at Telegram's", custom.rates)
	}
}
