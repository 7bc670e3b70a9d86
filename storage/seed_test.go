package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/storage"
)

// seedSummary is what a seeded community holds, to compare two.
type seedSummary struct {
	Members, Identities, Telegram, Chats, Activities, Messages int
	Customers, Linked, Orders, Paid                            int
	Updates, Sent, Audit                                       int
	Revenue                                                    string
	TopShare                                                   float64 // of the activity, by the busiest 1% of members
	LastMonth                                                  int     // activities in the last 30 days
	Oldest, Newest                                             time.Time
}

func summarise(t *testing.T, s *storage.Store) seedSummary {
	t.Helper()
	var sum seedSummary
	err := s.DB().Get(&sum, `
SELECT (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM identities) AS identities,
       (SELECT count(*) FROM identities WHERE platform = 'telegram') AS telegram, (SELECT count(*) FROM chats) AS chats,
       (SELECT count(*) FROM activities) AS activities, (SELECT count(*) FROM activities WHERE kind = 'message') AS messages,
       (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM customers WHERE member_id IS NOT NULL) AS linked,
       (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM orders WHERE status = 'paid') AS paid,
       (SELECT sum(amount)::text FROM orders) AS revenue,
       (SELECT count(*) FROM inbound_updates WHERE received_at > $1::timestamptz - interval '7 days') AS updates,
       (SELECT count(*) FROM deliveries WHERE status = 'sent') AS sent, (SELECT count(*) FROM audit_log) AS audit,
       (SELECT sum(n)::float8 / (SELECT count(*) FROM activities) FROM (
            SELECT count(*) AS n FROM activities GROUP BY member_id ORDER BY n DESC LIMIT (SELECT count(*) / 100 FROM members)) top) AS topshare,
       (SELECT count(*) FROM activities WHERE at > $1::timestamptz - interval '30 days') AS lastmonth,
       (SELECT min(at) FROM activities) AS oldest, (SELECT max(at) FROM activities) AS newest`, seedNow)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

var seedNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// TestSeedMakesARealisticCommunity: a seeded community has the size asked
// for, members on both platforms, the busiest 1% writing a large share of
// the activity and more of it lately, three in ten members linked to a
// customer, orders mostly paid, the last week's update keys and messages
// and an audit log; the same seed makes the same community,
// and a second seed into the same database is refused, leaving it as it
// was.
func TestSeedMakesARealisticCommunity(t *testing.T) {
	ctx := context.Background()
	size := storage.SeedSize{Members: 2000, Activities: 30000, Orders: 4000, Seed: 0.42}
	a, b := newBareStore(t), newBareStore(t)
	for _, s := range []*storage.Store{a, b} {
		if err := s.Seed(ctx, size, seedNow); err != nil {
			t.Fatal(err)
		}
	}
	sum := summarise(t, a)
	if sum.Members != 2000 || sum.Identities != 2000 || sum.Chats != 10 || sum.Activities != 30000 || sum.Customers != 1000 ||
		sum.Linked != 600 || sum.Orders != 4000 {
		t.Errorf("sizes %+v", sum)
	}
	if sum.Telegram < 1300 || sum.Telegram > 1500 {
		t.Errorf("%d of 2000 on Telegram, want about 7 in 10", sum.Telegram)
	}
	if share := float64(sum.Messages) / 30000; share < 0.65 || share > 0.75 {
		t.Errorf("messages are %.2f of the activity, want about 0.7", share)
	}
	if sum.TopShare < 0.15 {
		t.Errorf("the busiest 1%% of members wrote %.2f of the activity; want a heavy tail", sum.TopShare)
	}
	if sum.LastMonth < 30000/12*2 {
		t.Errorf("%d activities in the last month: want more lately than in an average month", sum.LastMonth)
	}
	if sum.Oldest.Before(seedNow.AddDate(-1, 0, -1)) || sum.Newest.After(seedNow) {
		t.Errorf("activity from %v to %v, want the year before %v", sum.Oldest, sum.Newest, seedNow)
	}
	if sum.Updates == 0 || sum.Updates > sum.LastMonth || sum.Sent == 0 || sum.Sent > sum.Updates/10 || sum.Audit != 300 {
		t.Errorf("the last week's %d update keys and %d messages sent, %d audit entries: want a key per activity of the week, "+
			"a message for one in twenty, one entry per hundred activities", sum.Updates, sum.Sent, sum.Audit)
	}
	if paid := float64(sum.Paid) / 4000; paid < 0.92 || paid > 0.98 {
		t.Errorf("%.2f of orders paid, want about 0.95", paid)
	}
	if again := summarise(t, b); again != sum {
		t.Errorf("the same seed made another community:\n%+v\n%+v", again, sum)
	}
	err := a.Seed(ctx, size, seedNow)
	if community.ErrorCode(err) != community.EConflict {
		t.Errorf("seeding twice: %v, want EConflict", err)
	}
	if after := summarise(t, a); after != sum {
		t.Errorf("a refused seed changed the community: %+v", after)
	}
	for _, bad := range []storage.SeedSize{{Members: -1}, {Activities: 5}, {Members: 1, Seed: 2}, {Orders: storage.MaxSeed + 1}} {
		if err := newBareStore(t).Seed(ctx, bad, seedNow); community.ErrorCode(err) != community.EInvalid {
			t.Errorf("%+v: %v, want EInvalid", bad, err)
		}
	}
}
