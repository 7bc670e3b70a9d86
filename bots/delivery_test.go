package bots_test

import (
	"math"
	"testing"
	"time"

	"github.com/hearthbot/hearth/outbox"
)

// TestPartKeyIsStableShortAndDistinct: every attempt at a part uses the
// same key, whatever process makes it; the key fits Discord's 25
// characters for any id; other parts, other deliveries and a delivery of
// the same id queued at another time (a database started over) get other
// keys.
func TestPartKeyIsStableShortAndDistinct(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 123456000, time.UTC)
	d := outbox.Delivery{ID: 4242, CreatedAt: at}
	retry := outbox.Delivery{ID: 4242, CreatedAt: at.In(time.FixedZone("EET", 2*3600)), Attempts: 3, Claim: "other"}
	if d.PartKey(0) != retry.PartKey(0) {
		t.Errorf("a retry's key %q differs from %q", retry.PartKey(0), d.PartKey(0))
	}
	seen := map[string]string{}
	for name, key := range map[string]string{
		"part 0":                   d.PartKey(0),
		"part 1":                   d.PartKey(1),
		"another delivery":         outbox.Delivery{ID: 4243, CreatedAt: at}.PartKey(0),
		"same id, queued later":    outbox.Delivery{ID: 4242, CreatedAt: at.Add(time.Microsecond)}.PartKey(0),
		"same id, a second before": outbox.Delivery{ID: 4242, CreatedAt: at.Add(-time.Second)}.PartKey(0),
	} {
		if other, ok := seen[key]; ok {
			t.Errorf("%s and %s share the key %q", name, other, key)
		}
		seen[key] = name
	}
	longest := outbox.Delivery{ID: math.MaxInt64, CreatedAt: time.Date(1960, 1, 1, 0, 0, 0, 999999000, time.UTC)}.PartKey(1295)
	if len(longest) > 25 {
		t.Errorf("key %q has %d characters; Discord takes 25", longest, len(longest))
	}
}
