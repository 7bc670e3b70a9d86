package discordtest

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// postMessage sends Create Message with a raw JSON body, as a client
// discordgo has no fields for would.
func postMessage(t *testing.T, dg *discordgo.Session, channel string, body map[string]any) (*discordgo.Message, map[string]json.RawMessage, error) {
	t.Helper()
	endpoint := discordgo.EndpointChannelMessages(channel)
	resp, err := dg.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint)
	if err != nil {
		return nil, nil, err
	}
	var m discordgo.Message
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(resp, &m); err != nil {
		t.Fatalf("decode message: %v", err)
	}
	if err := json.Unmarshal(resp, &fields); err != nil {
		t.Fatalf("decode message: %v", err)
	}
	return &m, fields, nil
}

// TestEnforcedNonceAnswersTheEarlierMessage: with enforce_nonce, a second
// message with the same nonce from the bot, in any channel, answers the
// first one and creates nothing; the nonce is echoed as sent.
func TestEnforcedNonceAnswersTheEarlierMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	first, fields, err := postMessage(t, dg, f.general, map[string]any{"content": "hello", "nonce": "d1.0", "enforce_nonce": true})
	if err != nil {
		t.Fatal(err)
	}
	if string(fields["nonce"]) != `"d1.0"` {
		t.Errorf("nonce in the answer = %s, want \"d1.0\"", fields["nonce"])
	}
	again, _, err := postMessage(t, dg, f.general, map[string]any{"content": "hello again", "nonce": "d1.0", "enforce_nonce": true})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.Content != "hello" {
		t.Errorf("retry answered %s %q; want the first message %s \"hello\"", again.ID, again.Content, first.ID)
	}
	if got := f.srv.Messages(f.general); len(got) != 1 {
		t.Fatalf("%d messages in the channel; want 1", len(got))
	}
}

// TestNonceWithoutEnforcementCreatesEveryMessage: a nonce alone does not
// deduplicate; nor does enforce_nonce once the window has passed.
func TestNonceWithoutEnforcementCreatesEveryMessage(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		opts    []Option
		nonce   any
		enforce bool
	}{
		"string nonce without enforce_nonce":  {nonce: "d1.0"},
		"integer nonce without enforce_nonce": {nonce: 42},
		"enforce_nonce after the window":      {opts: []Option{WithNonceWindow(0)}, nonce: "d1.0", enforce: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, c.opts...)
			dg := restSession(t, f.srv)
			for range 2 {
				if _, _, err := postMessage(t, dg, f.general, map[string]any{"content": "hi", "nonce": c.nonce, "enforce_nonce": c.enforce}); err != nil {
					t.Fatal(err)
				}
			}
			if got := f.srv.Messages(f.general); len(got) != 2 {
				t.Fatalf("%d messages; want 2", len(got))
			}
		})
	}
}

// TestEnforcedNonceOfADeletedMessage: a retry of a message deleted since
// is answered Unknown Message, not posted again, as Discord does.
func TestEnforcedNonceOfADeletedMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	first, _, err := postMessage(t, dg, f.general, map[string]any{"content": "hello", "nonce": "7", "enforce_nonce": true})
	if err != nil {
		t.Fatal(err)
	}
	if err := dg.ChannelMessageDelete(f.general, first.ID); err != nil {
		t.Fatal(err)
	}
	// An integer nonce is the same nonce as its digits.
	if _, _, err := postMessage(t, dg, f.general, map[string]any{"content": "hello", "nonce": 7, "enforce_nonce": true}); restCode(err) != 10008 {
		t.Fatalf("retry after delete: err = %v, want Unknown Message (10008)", err)
	}
	if got := f.srv.Messages(f.general); len(got) != 0 {
		t.Fatalf("%d messages; want none", len(got))
	}
}

// TestInvalidNonceRefused: a nonce over 25 characters, or neither a string
// nor an integer, is refused with Discord's form errors.
func TestInvalidNonceRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dg := restSession(t, f.srv)
	for nonce, code := range map[any]string{
		"12345678901234567890123456": "NONCE_TYPE_TOO_LONG",
		1.5:                          "NONCE_TYPE_INVALID_TYPE",
		true:                         "NONCE_TYPE_INVALID_TYPE",
	} {
		_, _, err := postMessage(t, dg, f.general, map[string]any{"content": "hi", "nonce": nonce})
		if restCode(err) != 50035 {
			t.Errorf("nonce %v: err = %v, want 50035", nonce, err)
			continue
		}
		var body struct {
			Errors struct {
				Nonce struct {
					Errors []struct{ Code string } `json:"_errors"`
				} `json:"nonce"`
			} `json:"errors"`
		}
		rest, _ := err.(*discordgo.RESTError)
		if json.Unmarshal(rest.ResponseBody, &body) != nil || len(body.Errors.Nonce.Errors) != 1 || body.Errors.Nonce.Errors[0].Code != code {
			t.Errorf("nonce %v: body %s, want %s", nonce, rest.ResponseBody, code)
		}
	}
	if got := f.srv.Messages(f.general); len(got) != 0 {
		t.Fatalf("%d messages; want none", len(got))
	}
}
