package telegramtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hearthbot/hearth/bots/telegram/telegramtest"
)

// These tests speak raw HTTP, to pin down the wire format the real client
// relies on and the parts of the protocol it does not expose.

// answer is a decoded Bot API answer.
type answer struct {
	status int
	body   map[string]any
}

// post sends one request; it is safe to call from any goroutine.
func post(ctx context.Context, url, contentType, body string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&a.body); err != nil {
		return answer{}, fmt.Errorf("answer is not JSON: %w", err)
	}
	return a, nil
}

// poll starts a getUpdates long poll with a form body and returns where
// its answer will arrive.
func poll(ctx context.Context, srv *telegramtest.Server, params string) chan answer {
	return pollWith(ctx, srv, "application/x-www-form-urlencoded", params)
}

func pollWith(ctx context.Context, srv *telegramtest.Server, contentType, body string) chan answer {
	answered := make(chan answer, 1)
	go func() {
		a, err := post(ctx, srv.URL()+"/bot"+token+"/getUpdates", contentType, body)
		if err != nil {
			a = answer{body: map[string]any{"error": err.Error()}}
		}
		answered <- a
	}()
	return answered
}

func receive(t *testing.T, answered chan answer) answer {
	t.Helper()
	select {
	case a := <-answered:
		return a
	case <-time.After(wait):
		t.Fatal("the poll did not end")
		return answer{}
	}
}

// call posts form-encoded params to method with the right token.
func call(t *testing.T, srv *telegramtest.Server, method string, params url.Values) answer {
	t.Helper()
	a, err := post(context.Background(), srv.URL()+"/bot"+token+"/"+method,
		"application/x-www-form-urlencoded", params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// updateIDs reads the update ids of a getUpdates answer.
func updateIDs(t *testing.T, a answer) []int64 {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("getUpdates answered %d %v", a.status, a.body)
	}
	ids := []int64{}
	for _, u := range a.body["result"].([]any) {
		ids = append(ids, int64(u.(map[string]any)["update_id"].(float64)))
	}
	return ids
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	srv := telegramtest.New(t, token)
	a, err := post(context.Background(), srv.URL()+"/bot123456:wrong/getMe", "application/json", "{}")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"ok": false, "error_code": 401.0, "description": "Unauthorized"}
	if a.status != 401 || !reflect.DeepEqual(a.body, want) {
		t.Fatalf("got %d %v, want 401 %v", a.status, a.body, want)
	}
}

func TestErrorAnswersUseTelegramsFormat(t *testing.T) {
	srv := telegramtest.New(t, token)
	srv.FailNext("getMe", 429, "", 3)
	want := map[string]any{"ok": false, "error_code": 429.0, "description": "Too Many Requests: retry after 3",
		"parameters": map[string]any{"retry_after": 3.0}}
	if a := call(t, srv, "getMe", nil); a.status != 429 || !reflect.DeepEqual(a.body, want) {
		t.Fatalf("scripted 429: got %d %v, want %v", a.status, a.body, want)
	}
	a := call(t, srv, "sendMessage", url.Values{"chat_id": {"42"}})
	want = map[string]any{"ok": false, "error_code": 400.0, "description": "Bad Request: message text is empty"}
	if a.status != 400 || !reflect.DeepEqual(a.body, want) {
		t.Fatalf("empty text: got %d %v, want %v", a.status, a.body, want)
	}
	if a := call(t, srv, "sendTelepathy", nil); a.status != 404 {
		t.Fatalf("unknown method: got %d %v, want 404", a.status, a.body)
	}
	if a := call(t, srv, "GETME", nil); a.status != 200 || a.body["result"].(map[string]any)["id"] != 123456.0 {
		t.Fatalf("getMe in capitals: got %d %v", a.status, a.body)
	}
	var methods []string
	for _, c := range srv.Calls("") {
		methods = append(methods, c.Method)
	}
	if want := []string{"getMe", "sendMessage", "sendTelepathy", "getMe"}; !reflect.DeepEqual(methods, want) {
		t.Fatalf("recorded methods: got %v, want %v", methods, want)
	}
}

func TestAcceptsJSONAndURLEncodedBodies(t *testing.T) {
	srv := telegramtest.New(t, token)
	body := `{"chat_id":42,"text":"from JSON","reply_markup":{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}}`
	a, err := post(context.Background(), srv.URL()+"/bot"+token+"/sendMessage", "application/json", body)
	if err != nil || a.status != 200 {
		t.Fatalf("JSON body: got %v %v", a, err)
	}
	if a := call(t, srv, "sendMessage", url.Values{"chat_id": {"42"}, "text": {"from a form"}}); a.status != 200 {
		t.Fatalf("form body: got %d %v", a.status, a.body)
	}
	calls := srv.Calls("sendMessage")
	if calls[0].Params["chat_id"] != "42" || calls[0].Params["text"] != "from JSON" ||
		calls[0].Params["reply_markup"] != `{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}` {
		t.Fatalf("JSON params: got %q", calls[0].Params)
	}
	if calls[1].Params["text"] != "from a form" {
		t.Fatalf("form params: got %q", calls[1].Params)
	}
	if got := srv.Messages(42); len(got) != 2 || got[0].ID != 1 || got[1].ID != 2 {
		t.Fatalf("messages: got %+v", got)
	}
}

func TestGetUpdatesHonoursOffsetAndLimit(t *testing.T) {
	srv := telegramtest.New(t, token)
	for _, text := range []string{"one", "two", "three"} {
		srv.PushUpdate(srv.MessageUpdate(telegramtest.Private(alice), alice, text))
	}
	if got := updateIDs(t, call(t, srv, "getUpdates", url.Values{"limit": {"2"}})); !reflect.DeepEqual(got, []int64{1, 2}) {
		t.Fatalf("first batch: got %v", got)
	}
	// Until an offset confirms them, Telegram sends the same updates again.
	if got := updateIDs(t, call(t, srv, "getUpdates", url.Values{"limit": {"2"}})); !reflect.DeepEqual(got, []int64{1, 2}) {
		t.Fatalf("unconfirmed batch: got %v", got)
	}
	if got := updateIDs(t, call(t, srv, "getUpdates", url.Values{"offset": {"3"}})); !reflect.DeepEqual(got, []int64{3}) {
		t.Fatalf("after offset 3: got %v", got)
	}
	if got := srv.ConfirmedOffset(); got != 3 {
		t.Fatalf("confirmed offset: got %d, want 3", got)
	}
	if got := updateIDs(t, call(t, srv, "getUpdates", url.Values{"offset": {"4"}})); len(got) != 0 || srv.Pending() != 0 {
		t.Fatalf("after offset 4: got %v, %d pending", got, srv.Pending())
	}
	if id := srv.PushUpdate(srv.MessageUpdate(telegramtest.Private(alice), alice, "four")); id != 4 {
		t.Fatalf("next update id: got %d, want 4", id)
	}
}

func TestGetUpdatesAllowedUpdates(t *testing.T) {
	srv := telegramtest.New(t, token)
	srv.PushUpdate(srv.ChatMemberUpdate(group, bob, telegramtest.Left(bob), telegramtest.Member(bob)))
	srv.PushUpdate(srv.MessageUpdate(group, bob, "hi"))
	// By default Telegram leaves out chat_member updates.
	if got := updateIDs(t, call(t, srv, "getUpdates", nil)); !reflect.DeepEqual(got, []int64{2}) {
		t.Fatalf("default set: got %v, want [2]", got)
	}
	srv.PushUpdate(srv.ChatMemberUpdate(group, carol, telegramtest.Left(carol), telegramtest.Member(carol)))
	srv.PushUpdate(srv.MessageUpdate(group, carol, "hello"))
	got := updateIDs(t, call(t, srv, "getUpdates", url.Values{"offset": {"3"}, "allowed_updates": {`["chat_member"]`}}))
	if !reflect.DeepEqual(got, []int64{3}) {
		t.Fatalf("only chat_member: got %v, want [3]", got)
	}
	if got := srv.AllowedUpdates(); !reflect.DeepEqual(got, []string{"chat_member"}) {
		t.Fatalf("recorded allowed updates: got %v", got)
	}
}

func TestGetUpdatesLongPolls(t *testing.T) {
	t.Run("a push wakes the poll", func(t *testing.T) {
		srv := telegramtest.New(t, token)
		polled := poll(context.Background(), srv, "offset=1&timeout=50")
		srv.WaitConfirmed(t, 1, wait) // the poll has arrived
		srv.PushUpdate(srv.MessageUpdate(telegramtest.Private(alice), alice, "wake up"))
		if got := updateIDs(t, receive(t, polled)); !reflect.DeepEqual(got, []int64{1}) {
			t.Fatalf("woken poll: got %v", got)
		}
	})
	for contentType, body := range map[string]string{
		"application/x-www-form-urlencoded": "offset=1&timeout=50",
		"application/json":                  `{"offset":1,"timeout":50}` + "\n",
	} {
		t.Run("the poll ends with the request, "+contentType, func(t *testing.T) {
			srv := telegramtest.New(t, token)
			ctx, cancel := context.WithCancel(context.Background())
			polled := pollWith(ctx, srv, contentType, body)
			srv.WaitConfirmed(t, 1, wait)
			cancel()
			if a := receive(t, polled); a.status != 0 {
				t.Fatalf("cancelled poll: got an answer %d %v", a.status, a.body)
			}
			if c := srv.WaitCalls(t, "getUpdates", 1, wait)[0]; c.Status != 200 {
				t.Fatalf("recorded poll: got %v", c)
			}
		})
	}
	t.Run("a second poller ends the first", func(t *testing.T) {
		srv := telegramtest.New(t, token)
		first := poll(context.Background(), srv, "offset=1&timeout=50")
		srv.WaitConfirmed(t, 1, wait)
		if got := updateIDs(t, call(t, srv, "getUpdates", url.Values{"offset": {"1"}})); len(got) != 0 {
			t.Fatalf("second poll: got %v", got)
		}
		a := receive(t, first)
		if description, _ := a.body["description"].(string); a.status != 409 ||
			!strings.HasPrefix(description, "Conflict: terminated by other getUpdates") {
			t.Fatalf("first poll: got %d %v, want 409", a.status, a.body)
		}
	})
	t.Run("the poll times out", func(t *testing.T) {
		srv := telegramtest.New(t, token)
		start := time.Now()
		if got := updateIDs(t, call(t, srv, "getUpdates", url.Values{"timeout": {"1"}})); len(got) != 0 {
			t.Fatalf("timed-out poll: got %v", got)
		}
		if elapsed := time.Since(start); elapsed < time.Second {
			t.Fatalf("poll with timeout 1 answered after %v", elapsed)
		}
	})
}

func TestGetUpdatesConflictsWithWebhook(t *testing.T) {
	srv := telegramtest.New(t, token)
	if a := call(t, srv, "setWebhook", url.Values{"url": {"https://hearth.example/tg"}}); a.status != 200 {
		t.Fatalf("setWebhook: got %d %v", a.status, a.body)
	}
	if a := call(t, srv, "getUpdates", nil); a.status != 409 {
		t.Fatalf("getUpdates with a webhook: got %d %v, want 409", a.status, a.body)
	}
	call(t, srv, "deleteWebhook", nil)
	if a := call(t, srv, "getUpdates", nil); a.status != 200 {
		t.Fatalf("getUpdates without a webhook: got %d %v", a.status, a.body)
	}
}
