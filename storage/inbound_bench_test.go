package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/inbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
)

// BenchmarkRecordInbound records batches of 100 messages from 10,000
// members in 10 groups, one transaction per batch: the database side of the
// inbound path.
func BenchmarkRecordInbound(b *testing.B) {
	s := storage.New(storagetest.New(b))
	ctx := context.Background()
	const size = 100
	batch := make([]inbox.Inbound, size)
	n := 0
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		for i := range batch {
			n++
			user := fmt.Sprint(n % 10000)
			batch[i] = inbox.Inbound{Platform: community.Telegram, Key: fmt.Sprint(n), At: time.Now(), Done: true,
				From:     inbox.User{ID: user, Username: "member" + user, DisplayName: "Member " + user},
				Chat:     inbox.Chat{ID: fmt.Sprint(-1000 - n%10), Kind: community.ChatGroup, Title: "Group"},
				Activity: community.ActivityMessage}
		}
		if _, err := s.RecordInbound(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "updates/s")
}
