package outbox

import (
	"errors"
	"testing"
	"time"
)

func TestRetryPolicyAfter(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 3, MaxBackoff: 4 * time.Second}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	boom := errors.New("boom")
	tests := []struct {
		name     string
		err      error
		attempts int
		dead     bool
		min, max time.Duration // the pause before the retry
	}{
		{"first failure waits a second", boom, 1, false, time.Second, time.Second + time.Second/4},
		{"second failure waits two", boom, 2, false, 2 * time.Second, 2*time.Second + time.Second/2},
		{"the last attempt gives up", boom, 3, true, 0, 0},
		{"a permanent error gives up at once", Permanent(boom), 1, true, 0, 0},
		{"retry-after is honoured exactly", &RetryAfterError{After: 42 * time.Second, Err: boom}, 1, false, 42 * time.Second, 42 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := p.After(tt.err, tt.attempts, now)
			if f.Dead != tt.dead {
				t.Fatalf("dead: got %v, want %v", f.Dead, tt.dead)
			}
			if f.Error != tt.err.Error() {
				t.Errorf("error: got %q, want %q", f.Error, tt.err.Error())
			}
			if tt.dead {
				if !f.Retry.IsZero() {
					t.Errorf("a dead item has a retry time %s", f.Retry)
				}
				return
			}
			if wait := f.Retry.Sub(now); wait < tt.min || wait > tt.max {
				t.Errorf("waits %s, want %s to %s", wait, tt.min, tt.max)
			}
		})
	}
	capped := RetryPolicy{MaxAttempts: 30, MaxBackoff: 4 * time.Second}.After(boom, 20, now)
	if wait := capped.Retry.Sub(now); wait < 4*time.Second || wait > 5*time.Second {
		t.Errorf("the 20th attempt waits %s, want the 4s cap plus at most a quarter", wait)
	}
}

func TestParseDeadRef(t *testing.T) {
	for in, want := range map[string]DeadRef{"12": {ID: 12}, "d7": {ID: 7}, " E3 ": {ID: 3, Event: true}} {
		got, err := ParseDeadRef(in)
		if err != nil || got != want {
			t.Errorf("ParseDeadRef(%q) = %v, %v; want %v", in, got, err, want)
		}
		if back, _ := ParseDeadRef(got.String()); back != got {
			t.Errorf("%v does not read back from %q", got, got.String())
		}
	}
	for _, bad := range []string{"", "0", "-3", "x", "e"} {
		if _, err := ParseDeadRef(bad); err == nil {
			t.Errorf("ParseDeadRef(%q) accepted", bad)
		}
	}
}

func TestTargetKeyKeepsEachChatInOrder(t *testing.T) {
	chat := Target{Platform: "telegram", ChatID: "-100", ReplyTo: "5"}
	if chat.Key() != (Target{Platform: "telegram", ChatID: "-100"}).Key() {
		t.Error("two messages to one chat have different keys")
	}
	if chat.Key() == (Target{Platform: "telegram", UserID: "-100"}).Key() {
		t.Error("a chat and a member's private messages share a key")
	}
	if chat.Key() == (Target{Platform: "telegram", ChatID: "-100", Handle: "q1"}).Key() {
		t.Error("an interaction's answer waits behind its chat's queue")
	}
}

func TestPartKeyIsShortAndDistinct(t *testing.T) {
	at := time.Date(2026, 12, 1, 12, 0, 0, 123456000, time.UTC)
	d := Delivery{ID: 1 << 40, CreatedAt: at}
	seen := map[string]bool{}
	for part := range 20 {
		k := d.PartKey(part)
		if len(k) > 25 {
			t.Fatalf("part key %q is longer than Discord's 25", k)
		}
		if seen[k] {
			t.Fatalf("part key %q repeats", k)
		}
		seen[k] = true
	}
	if (Delivery{ID: 1, CreatedAt: at}).PartKey(0) == (Delivery{ID: 1, CreatedAt: at.Add(time.Second)}).PartKey(0) {
		t.Error("a recreated database's delivery 1 reuses an old key")
	}
}
