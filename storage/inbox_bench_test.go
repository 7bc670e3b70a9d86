package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// BenchmarkClaimWithABacklog claims and finishes one update at a time
// with 100,000 updates waiting in 200 chats (an outage's backlog): a claim
// must cost the same however long the queues are.
func BenchmarkClaimWithABacklog(b *testing.B) {
	s := storage.New(storagetest.New(b))
	ctx := context.Background()
	if _, err := s.DB().Exec(`
INSERT INTO inbox (platform, update_key, queue, seq, payload)
SELECT 'telegram', 'u' || n, 'telegram:chat:-' || (n % 200), n, '{}'
FROM generate_series(1, 100000) AS n;
ANALYZE inbox`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		claimed, err := s.ClaimInbound(ctx, 1, time.Minute, nil)
		if err != nil || len(claimed) != 1 {
			b.Fatalf("claim = %v, %v", claimed, err)
		}
		if _, err := s.FinishUpdate(ctx, claimed[0].Claim, community.Telegram, claimed[0].Key, []outbox.Outgoing{}); err != nil {
			b.Fatal(err)
		}
	}
}
