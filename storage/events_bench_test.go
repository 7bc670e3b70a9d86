package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// BenchmarkQueueEvents measures what writing to the outbox and the audit
// log costs, their indexes included: 10,000 tier changes at once, copied
// as a standings run queues them, and events and audit entries one at a
// time, each in a transaction of its own, as commands write them.
func BenchmarkQueueEvents(b *testing.B) {
	s := storage.New(storagetest.New(b))
	ctx := context.Background()
	at := time.Now()
	n := 0
	tierChange := func() community.Event {
		n++
		return community.NewEvent(community.EventTierChanged, community.TierChange{Member: community.MemberID(n), From: community.TierRegular,
			To: community.TierVIP, Value: 0.93, Engaged: 0.71, Orders: n % 13}, at)
	}
	b.Run("copy-10000", func(b *testing.B) {
		events := make([]community.Event, 10_000)
		for b.Loop() {
			for i := range events {
				events[i] = tierChange()
			}
			if err := s.CopyEvents(ctx, events); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*len(events))/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("insert-one", func(b *testing.B) {
		for b.Loop() {
			if err := s.InsertEvent(ctx, tierChange()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("audit-one", func(b *testing.B) {
		for b.Loop() {
			n++
			if err := s.Audit(ctx, community.AuditEntry{Action: "warn", Reason: "spam",
				Details: map[string]any{"member": n, "by": n + 1, "warnings": 2}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
