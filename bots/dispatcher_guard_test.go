package bots_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hearthbot/hearth/bots"
	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
)

// TestGuardedMessagesAreCheckedAtDelivery: a guarded message is sent
// while its guard allows it; one its guard refuses (something that held
// when it was queued no longer does) is never sent and goes to the dead
// letters saying why; a guard that cannot check is tried again; a guard
// of a kind nobody registered is refused.
func TestGuardedMessagesAreCheckedAtDelivery(t *testing.T) {
	w := newOutboxWorld(t)
	w.p.down = false
	var mu sync.Mutex // chats are sent to in parallel
	checks := map[string]int{}
	w.svc.Dispatcher.Guard("test.consent", func(_ context.Context, arg string) error {
		mu.Lock()
		defer mu.Unlock()
		checks[arg]++
		switch arg {
		case "revoked":
			return community.Errorf(community.EConflict, "showcase.no_consent", nil, "consent revoked")
		case "outage":
			return errors.New("database unreachable")
		}
		return nil
	})
	w.svc.Dispatcher.Render(noteKind, func(_ context.Context, e outbox.Event) ([]outbox.Outgoing, error) {
		var out []outbox.Outgoing
		for _, g := range []string{"test.consent:valid", "test.consent:revoked", "test.consent:outage", "test.unknown:1"} {
			out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: community.Telegram, ChatID: "-2" + g},
				Message: bots.Reply{Text: g, Guard: g}})
		}
		return out, nil
	})
	w.event(t, noteKind)
	w.svc.Dispatcher.DeliverPending(w.ctx)

	if len(w.p.got) != 1 || w.p.got[0].Message.Text != "test.consent:valid" {
		t.Fatalf("sent %+v; want only the message whose guard allows it", w.p.got)
	}
	for guard, want := range map[string]string{
		"test.consent:revoked": "dead 1 will not retry: refused at delivery (test.consent:revoked): consent revoked",
		"test.unknown:1":       `dead 1 will not retry: no check for guard "test.unknown:1"`,
		"test.consent:outage":  "dead 2 database unreachable", // tried again, until MaxAttempts
	} {
		var got string
		if err := w.store.DB().Get(&got, `SELECT status || ' ' || attempts || ' ' || last_error FROM deliveries WHERE message->>'guard' = $1`, guard); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", guard, got, err, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if checks["outage"] != 2 || checks["revoked"] != 1 || checks["valid"] != 1 {
		t.Errorf("checks %v; want the outage checked at each attempt, the refusal once", checks)
	}
}
