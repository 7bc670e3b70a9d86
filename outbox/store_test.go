package outbox_test

import (
	"strings"
	"testing"

	"github.com/hearthbot/hearth/outbox"
)

func TestDecodeReadsThePayload(t *testing.T) {
	type note struct{ Text string }
	n, err := outbox.Decode[note](outbox.Event{ID: 7, Kind: "note", Payload: []byte(`{"Text":"hi"}`)})
	if err != nil || n.Text != "hi" {
		t.Fatalf("Decode = %+v, %v; want the note", n, err)
	}
}

// TestAPayloadThatDoesNotDecodeIsPermanent: a broken payload never
// decodes, so it is not retried; the error names the event.
func TestAPayloadThatDoesNotDecodeIsPermanent(t *testing.T) {
	_, err := outbox.Decode[struct{ N int }](outbox.Event{ID: 7, Kind: "note", Payload: []byte(`{"N":"x"}`)})
	if !outbox.IsPermanent(err) {
		t.Fatalf("err = %v; want a permanent error", err)
	}
	if want := "will not retry: note event 7: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %q; want it to start %q", err, want)
	}
}
