package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// BenchmarkClaimDeliveries claims the messages of 16 chats, as a
// dispatcher with all its slots free does, while a broadcast of 10,000 or
// 300,000 messages to as many chats waits and 200,000 sent messages are
// kept; the broadcast also before PostgreSQL has analyzed the table (as
// right after an announcement is queued). The claims are taken with a
// lease that has already run out, so every iteration finds the same work
// waiting.
func BenchmarkClaimDeliveries(b *testing.B) {
	for _, c := range []struct {
		waiting  int
		analyzed bool
	}{{10_000, true}, {300_000, true}, {300_000, false}} {
		b.Run(fmt.Sprintf("waiting=%d/analyzed=%t", c.waiting, c.analyzed), func(b *testing.B) {
			waiting := c.waiting
			s := storage.New(storagetest.New(b))
			ctx := context.Background()
			_, err := s.DB().Exec(`
INSERT INTO deliveries (platform, target_key, target, message, status, sent_at)
SELECT 'telegram', 'telegram:user:' || (g % 10000), jsonb_build_object('platform', 'telegram', 'user', (g % 10000)::text),
       '{"text": "sent"}', 'sent', now()
FROM generate_series(1, 200000) g`)
			if err == nil {
				_, err = s.DB().Exec(`
INSERT INTO deliveries (platform, target_key, target, message)
SELECT 'telegram', 'telegram:user:' || g, jsonb_build_object('platform', 'telegram', 'user', g::text), '{"text": "news"}'
FROM generate_series(1, $1::int) g`, waiting)
			}
			if err == nil && c.analyzed {
				_, err = s.DB().Exec(`VACUUM ANALYZE deliveries`)
			}
			if err != nil {
				b.Fatal(err)
			}
			telegram := []community.Platform{community.Telegram}
			b.ResetTimer()
			for range b.N {
				dels, err := s.ClaimDeliveries(ctx, telegram, 16, 5, -time.Second)
				if err != nil || len(dels) != 16 {
					b.Fatalf("claim = %d deliveries, %v; want 16", len(dels), err)
				}
			}
		})
	}
}
