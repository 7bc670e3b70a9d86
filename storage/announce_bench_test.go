package storage_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hearthbot/hearth/community"
	"github.com/hearthbot/hearth/outbox"
	"github.com/hearthbot/hearth/storage"
	"github.com/hearthbot/hearth/storage/storagetest"
	"github.com/jmoiron/sqlx"
)

// bigAnnouncement is how many members the announcement benchmark writes to.
const bigAnnouncement = 300_000

// BenchmarkAnnouncement300k sends an announcement to 300,000 members, each
// subscribed, scored in a tier and with a private Telegram chat, and follows it through the
// database: the send (SendAnnouncement), its expansion into one delivery
// per member (each step recording a batch of recipients, each batch's
// recipients read and its deliveries queued as the dispatcher's renderer
// does), then claiming and
// marking sent 20 rounds of 16 chats while the 300,000 wait, and finding
// when the next one is due. With HEARTH_BENCH_LOG_STATEMENTS=1 every
// statement goes to PostgreSQL's log (log_min_duration_statement = 0).
func BenchmarkAnnouncement300k(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s := bigAnnouncementStore(b)
		id := seedBigAnnouncement(b, s, bigAnnouncement)
		b.StartTimer()

		start := time.Now()
		reach, err := s.SendAnnouncement(ctx, community.AnnouncementSend{ID: id, At: time.Now(), Audience: community.Audience{
			Tiers: community.TiersFrom(nil), Platforms: []community.Platform{community.Telegram}, Cap: 3, Window: community.AnnouncementCapWindow}})
		if err != nil {
			b.Fatal(err)
		}
		if got := reach.MemberCount(); got != bigAnnouncement {
			b.Fatalf("reach = %d members, want %d", got, bigAnnouncement)
		}
		b.ReportMetric(time.Since(start).Seconds(), "send-s")

		expandBig(b, s)
		claimBig(b, s)
	}
}

// bigAnnouncementStore is a store on a fresh database; with
// HEARTH_BENCH_LOG_STATEMENTS=1 its sessions log every statement.
func bigAnnouncementStore(b *testing.B) *storage.Store {
	b.Helper()
	if os.Getenv("HEARTH_BENCH_LOG_STATEMENTS") != "1" {
		return storage.New(storagetest.New(b))
	}
	db, err := sqlx.Open("postgres", storagetest.URL(b)+"&log_min_duration_statement=0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return storage.New(db)
}

// seedBigAnnouncement fills the database with n subscribed members, each
// with a Telegram identity and the private chat they opened, a quarter in
// each tier, and records a draft to send them.
func seedBigAnnouncement(b *testing.B, s *storage.Store, n int) community.AnnouncementID {
	b.Helper()
	for _, q := range []string{
		`INSERT INTO members (display_name, announcements_dm) SELECT 'member ' || g, true FROM generate_series(1, ` + strconv.Itoa(n) + `) g`,
		`INSERT INTO identities (platform, platform_user_id, member_id) SELECT 'telegram', (1000000 + id)::text, id FROM members`,
		`INSERT INTO chats (platform, platform_chat_id, kind) SELECT 'telegram', platform_user_id, 'direct' FROM identities`,
		`INSERT INTO member_standings (member_id, tier, priority, value_percentile, score, engagement_percentile, level,
		     this_week, prev_weekly, points, computed_at)
		 SELECT id, (ARRAY['newcomer', 'regular', 'loyal', 'vip'])[1 + id % 4], 0, 0, 0, 0, 1, 0, 0, 0, now() FROM members`,
	} {
		if _, err := s.DB().Exec(q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := s.DB().Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	a := community.Announcement{Text: "News for everyone", Status: community.AnnouncementDraft, CreatedAt: time.Now()}
	if err := s.CreateAnnouncement(context.Background(), &a); err != nil {
		b.Fatal(err)
	}
	return a.ID
}

// expandBig runs the announcement's expansion as the dispatcher does,
// ten events claimed at a time: each step records a batch of recipients
// and queues its private messages, each of those is rendered into
// deliveries. It reports the whole expansion's time, the events, and the
// longest transaction of each kind (a step; queueing a batch's deliveries).
func expandBig(b *testing.B, s *storage.Store) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	var longestStep, longestQueue, steps time.Duration
	events := 0
	for {
		claimed, err := s.ClaimEvents(ctx, 10, 10*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		if len(claimed) == 0 {
			break
		}
		for _, e := range claimed {
			events++
			if e.Kind == community.EventAnnouncementExpand {
				x, err := outbox.Decode[community.AnnouncementExpansion](e)
				if err != nil {
					b.Fatal(err)
				}
				txStart := time.Now()
				if err := s.ExpandAnnouncement(ctx, x, community.AnnouncementDMBatch); err != nil {
					b.Fatal(err)
				}
				steps += time.Since(txStart)
				longestStep = max(longestStep, time.Since(txStart))
			}
			out := renderBigDMs(b, s, e)
			txStart := time.Now()
			if err := s.RenderedEvent(ctx, e, out); err != nil {
				b.Fatal(err)
			}
			if len(out) > 0 {
				longestQueue = max(longestQueue, time.Since(txStart))
			}
		}
	}
	var queued int
	if err := s.DB().Get(&queued, `SELECT count(*) FROM deliveries WHERE status = 'pending'`); err != nil {
		b.Fatal(err)
	}
	if queued != bigAnnouncement {
		b.Fatalf("expansion queued %d deliveries, want %d", queued, bigAnnouncement)
	}
	b.ReportMetric(time.Since(start).Seconds(), "expand-s")
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(steps.Seconds(), "steps-s")
	b.ReportMetric(float64(longestStep.Microseconds())/1000, "longest-step-ms")
	b.ReportMetric(float64(longestQueue.Microseconds())/1000, "longest-queue-ms")
}

// renderBigDMs is the announcement renderer's database work for one event
// (its recipients) and a message per identity; other events render to
// nothing.
func renderBigDMs(b *testing.B, s *storage.Store, e outbox.Event) []outbox.Outgoing {
	b.Helper()
	if e.Kind != community.EventAnnouncementDMs {
		return nil
	}
	p, err := outbox.Decode[community.AnnouncementDMs](e)
	if err != nil {
		b.Fatal(err)
	}
	members, err := s.AnnouncementRecipients(context.Background(), p.Announcement, p.From, p.To)
	if err != nil {
		b.Fatal(err)
	}
	var out []outbox.Outgoing
	for _, m := range members {
		for _, i := range m.Identities {
			out = append(out, outbox.Outgoing{Target: outbox.Target{Platform: i.Platform, UserID: i.UserID},
				Message: outbox.Message{Text: "News for everyone"}})
		}
	}
	return out
}

// claimBig claims and marks sent 20 rounds of 16 chats while the
// announcement's deliveries wait, then times finding the next due one,
// and reports the shared buffers a claim and that look-up touch.
func claimBig(b *testing.B, s *storage.Store) {
	b.Helper()
	ctx := context.Background()
	telegram := []community.Platform{community.Telegram}
	var claiming, marking time.Duration
	const rounds = 20
	for range rounds {
		start := time.Now()
		dels, err := s.ClaimDeliveries(ctx, telegram, 16, 5, 10*time.Second)
		if err != nil || len(dels) != 16 {
			b.Fatalf("claim = %d deliveries, %v; want 16", len(dels), err)
		}
		claiming += time.Since(start)
		start = time.Now()
		for _, d := range dels {
			if err := s.Delivered(ctx, d.ID, []string{"1"}); err != nil {
				b.Fatal(err)
			}
		}
		marking += time.Since(start)
	}
	b.ReportMetric(float64(claiming.Microseconds())/1000/rounds, "claim-ms")
	b.ReportMetric(float64(marking.Microseconds())/1000/(rounds*16), "mark-ms")
	start := time.Now()
	if _, ok, err := s.NextDue(ctx, telegram); err != nil || !ok {
		b.Fatalf("next due: %v, %v", ok, err)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "nextdue-ms")
	b.ReportMetric(sharedBuffers(b, s, storage.ClaimDeliveriesSQL, "{telegram}", 16, 5, 10_000, "00000000-0000-4000-8000-000000000000"), "claim-buffers")
	b.ReportMetric(sharedBuffers(b, s, storage.NextDueSQL, "{telegram}"), "nextdue-buffers")
}

// sharedBuffers runs EXPLAIN (ANALYZE, BUFFERS) of a statement in a
// transaction it rolls back and returns the shared buffers it touched.
func sharedBuffers(b *testing.B, s *storage.Store, query string, args ...any) float64 {
	b.Helper()
	tx, err := s.DB().Beginx()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	var raw []byte
	if err := tx.QueryRow(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+query, args...).Scan(&raw); err != nil {
		b.Fatal(err)
	}
	var plans []struct {
		Plan struct {
			Hit  float64 `json:"Shared Hit Blocks"`
			Read float64 `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal(raw, &plans); err != nil || len(plans) == 0 {
		b.Fatalf("explain: %v", err)
	}
	return plans[0].Plan.Hit + plans[0].Plan.Read
}
